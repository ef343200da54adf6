/// The densest run of events within `span` for each key, fed in time order: a sliding
/// window of each key's recent times, so memory is one span's events, not the whole window's.
struct BurstTracker<Key: Hashable> {
    struct Run { var count = 0, first: Int64 = 0, last: Int64 = 0 }
    let span: Int64
    private var recent: [Key: [Int64]] = [:]
    private var heads: [Key: Int] = [:]
    private(set) var best: [Key: Run] = [:]

    init(span: Int64) { self.span = span }

    mutating func add(_ key: Key, _ time: Int64) {
        var times = recent[key] ?? []
        var head = heads[key] ?? 0
        times.append(time)
        while time - times[head] > span { head += 1 }
        if head > 64 && head * 2 > times.count { times.removeFirst(head); head = 0 }   // keep only the live span
        let count = times.count - head
        if count > best[key]?.count ?? 0 { best[key] = Run(count: count, first: times[head], last: time) }
        recent[key] = times
        heads[key] = head
    }
}
