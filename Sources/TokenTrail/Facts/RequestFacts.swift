/// A token request's group: what was asked, by whom, and how it ended (symbol ids, 0 for none).
public struct RequestGroup: Hashable, Sendable {
    public var host: Int64, integration: Int64, provider: Int64, tokenUrl: Int64, flow: Int64
    public var clientId: Int64, iss: Int64, sub: Int64, aud: Int64, userId: Int64
    public var outcome: Int64, failureClass: Int64, errorCode: Int64, authScheme: Int64
    /// `exp − iat` over the policy's maximum assertion lifetime.
    public var longLived: Bool

    init(_ r: RequestRow, longLived: Bool) {
        host = r.host; integration = r.integration; provider = r.provider; tokenUrl = r.tokenUrl; flow = r.flow
        clientId = r.clientId; iss = r.iss; sub = r.sub; aud = r.aud; userId = r.userId
        outcome = r.outcome; failureClass = r.failureClass; errorCode = r.errorCode; authScheme = r.authScheme
        self.longLived = longLived
    }
}

struct RequestTally {
    var group = Group()
    /// Largest `exp − iat` in seconds (exp in milliseconds shows as a huge value).
    var maxLifetime: Int64 = .min
    var expInMilliseconds = false

    mutating func add(_ row: RequestRow, lifetime: Int64?) {
        group.add(row.time)
        if let lifetime { maxLifetime = max(maxLifetime, lifetime) }
        if let exp = row.exp, exp > 100_000_000_000 { expInMilliseconds = true }
    }
}

/// A client host in one UTC hour.
public struct HostHour: Hashable, Sendable {
    public var host: Int64, hour: Int64
}

struct HourTally {
    /// Server `Date` header − request time (the host's clock against the server's).
    var offsets = OffsetHistogram()
    /// Request time − the assertion's `iat`: the signer's clock against the logging clock,
    /// or how long assertions wait before use.
    var iatLag = OffsetHistogram()
    var failures = 0
}

/// One pass over every token request up to the window's end: the window's groups, the
/// (client id, subject) pairs of the history, the clock-offset samples of each host per
/// hour, the days each host has requests, and the usernames the responses' `id` URLs name.
final class RequestFacts {
    private(set) var window: [RequestGroup: RequestTally] = [:]
    private(set) var historySubjects: Set<SymbolPair> = []   // (client id, sub) of JWT bearer requests
    private(set) var hours: [HostHour: HourTally] = [:]
    private(set) var hostDays: [Int64: Set<Int64>] = [:]
    /// (user id, sub) pairs of successful JWT bearer requests, with the last time each was seen.
    private(set) var userPairs: [SymbolPair: Int64] = [:]

    /// The window's end this tally has read up to: the next week advances from it.
    private(set) var windowEnd: Int64
    let maxLifetime: Int64

    init(db: Database, names: SymbolNames, windowStart: Int64, windowEnd: Int64, maxLifetime: Int64) throws {
        self.windowEnd = windowEnd
        self.maxLifetime = maxLifetime
        try read(db: db, names: names, from: .min, windowStart: windowStart, windowEnd: windowEnd)
    }

    /// The same tally for the week after this window, reading only its rows (see `LoginFacts.advance`).
    func advance(db: Database, names: SymbolNames, windowStart: Int64, windowEnd: Int64) throws {
        precondition(windowStart > self.windowEnd, "a request tally advances to a later window only")
        let jwt = try names.id(Flow.jwtBearer.rawValue)
        for group in window.keys where group.flow == jwt && group.sub != 0 { historySubjects.insert(SymbolPair(first: group.clientId, second: group.sub)) }
        (window, hours, hostDays) = ([:], [:], [:])
        let previousEnd = self.windowEnd
        self.windowEnd = windowEnd
        try read(db: db, names: names, from: previousEnd + 1, windowStart: windowStart, windowEnd: windowEnd)
    }

    private func read(db: Database, names: SymbolNames, from: Int64, windowStart: Int64, windowEnd: Int64) throws {
        let jwt = try names.id(Flow.jwtBearer.rawValue), success = try names.id(Outcome.success.rawValue)
        let failure = try names.id(Outcome.failure.rawValue), maxLifetime = self.maxLifetime
        try RequestCursor.forEach(db, from: from, to: windowEnd) { row in
            if row.flow == jwt && row.outcome == success && row.userId != 0 && row.sub != 0 {
                userPairs[SymbolPair(first: row.userId, second: row.sub)] = row.time
            }
            if row.time < windowStart {
                if row.flow == jwt && row.sub != 0 { historySubjects.insert(SymbolPair(first: row.clientId, second: row.sub)) }
                return true
            }
            var lifetime: Int64?
            if let exp = row.exp { lifetime = exp - (row.iat ?? row.time / 1000) }
            window[RequestGroup(row, longLived: (lifetime ?? 0) > maxLifetime), default: RequestTally()].add(row, lifetime: lifetime)
            if row.host != 0 {
                hostDays[row.host, default: []].insert(row.time / 86_400_000)
                let hour = HostHour(host: row.host, hour: row.time / 3_600_000)
                if let date = row.serverDate { hours[hour, default: HourTally()].offsets.add(date - row.time - (row.durationMs ?? 0) / 2) }
                if let iat = row.iat, iat < 100_000_000_000 { hours[hour, default: HourTally()].iatLag.add(row.time - iat * 1000) }
                if row.outcome == failure { hours[hour, default: HourTally()].failures += 1 }
            }
            return true
        }
    }
}

/// Clock-offset samples (ms) in 100 ms bins (the Date header has one-second precision),
/// kept as a short sorted array: a host-hour's samples cluster in a few bins, so memory is
/// bounded by their spread, not by the number of requests.
public struct OffsetHistogram: Sendable {
    private var bins: [Int64] = []
    private var counts: [Int32] = []
    private(set) var count = 0
    static let bin: Int64 = 100

    mutating func add(_ offsetMs: Int64, _ n: Int = 1) {
        let b = offsetMs >= 0 ? offsetMs / Self.bin : (offsetMs - Self.bin + 1) / Self.bin
        var lo = 0, hi = bins.count
        while lo < hi { let mid = (lo + hi) / 2; if bins[mid] < b { lo = mid + 1 } else { hi = mid } }
        if lo < bins.count && bins[lo] == b { counts[lo] += Int32(n) } else { bins.insert(b, at: lo); counts.insert(Int32(n), at: lo) }
        count += n
    }

    mutating func merge(_ other: OffsetHistogram) {
        for (b, n) in zip(other.bins, other.counts) { add(b * Self.bin, Int(n)) }
    }

    /// The `p` quantile (0…1), to the bin's middle.
    func quantile(_ p: Double) -> Int64 {
        guard count > 0 else { return 0 }
        let rank = Int(Double(count - 1) * p)
        var seen = 0
        for (b, n) in zip(bins, counts) {
            seen += Int(n)
            if seen > rank { return b * Self.bin + Self.bin / 2 }
        }
        return 0
    }
}
