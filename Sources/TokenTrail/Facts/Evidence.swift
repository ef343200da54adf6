/// Evidence (`file:line`) for findings, gathered in one time-ordered pass: each bucket a
/// rule names keeps its first `Finding.maxEvidence` records, and the pass stops once every
/// expected bucket is full. (A query per finding would rescan the window for each one.)
struct EvidenceCollector<Bucket: Hashable> {
    private(set) var lists: [Bucket: [String]] = [:]
    private var full = 0
    let expected: Int
    let limit: Int
    /// How many records each bucket has, when known: it is full sooner.
    let sizes: [Bucket: Int]

    init(expected: Int, sizes: [Bucket: Int] = [:], limit: Int = Finding.maxEvidence) {
        self.expected = expected
        self.sizes = sizes
        self.limit = limit
    }

    var isComplete: Bool { full >= expected }

    /// Adds a record; false once every expected bucket is full (stop reading).
    mutating func add(_ bucket: Bucket, _ evidence: @autoclosure () throws -> String) rethrows -> Bool {
        var list = lists[bucket, default: []]
        let capacity = min(limit, sizes[bucket] ?? limit)
        guard list.count < capacity else { return !isComplete }
        list.append(try evidence())
        lists[bucket] = list
        if list.count == capacity { full += 1 }
        return !isComplete
    }
}

/// A record's place, resolved to `file:line` only when a finding reports it.
struct EvidenceRef: Hashable, Sendable {
    let source: Int64, line: Int64

    /// `file:line` (or `file#n`, a record number) taken apart: the path, whether n counts records, n.
    static func parse(_ evidence: String) -> (path: String, record: Bool, line: Int64)? {
        guard let cut = evidence.lastIndex(where: { $0 == ":" || $0 == "#" }),
              let line = Int64(evidence[evidence.index(after: cut)...]) else { return nil }
        return (String(evidence[..<cut]), evidence[cut] == "#", line)
    }
}

extension Facts {
    /// `file:line` of up to `Finding.maxEvidence` records: `sql` must select the evidence column.
    public func evidence(_ sql: String, _ values: [SQLValue]) throws -> [String] {
        try db.rows(sql + " LIMIT \(Finding.maxEvidence)", values).compactMap { $0.first?.string }
    }

    func evidence(_ refs: [EvidenceRef]) throws -> [String] { try refs.map { try evidence(source: $0.source, line: $0.line) } }

    /// `file:line` (or `file#n`, see Schema.evidence) of a fact row.
    public func evidence(source: Int64, line: Int64) throws -> String {
        if let prefix = sourcePaths[source] { return prefix + String(line) }
        let row = try db.rows("SELECT path, positions FROM sources WHERE id = ?", [.integer(source)]).first
        let prefix = (row?[0].string ?? "?") + (row?[1].string == "record" ? "#" : ":")
        sourcePaths[source] = prefix
        return prefix + String(line)
    }

    /// Evidence for logins in [from, to] (default: the window), bucketed by `bucket` (nil: not wanted).
    func loginEvidence<Bucket: Hashable>(buckets expected: Int, sizes: [Bucket: Int] = [:], from: Int64? = nil, to: Int64? = nil,
                                         contexts: [Int64]? = nil, _ bucket: (LoginRow) throws -> Bucket?) throws -> [Bucket: [String]] {
        guard expected > 0 else { return [:] }
        var collector = EvidenceCollector<Bucket>(expected: expected, sizes: sizes)
        try LoginCursor.forEach(db, from: from ?? windowStart, to: to ?? windowEnd, contexts: contexts) { row in
            guard let b = try bucket(row) else { return true }
            return try collector.add(b, try evidence(source: row.sourceId, line: row.line))
        }
        return collector.lists
    }

    /// Evidence for token requests in [from, to] (default: the window); `condition` is trusted SQL.
    func requestEvidence<Bucket: Hashable>(buckets expected: Int, sizes: [Bucket: Int] = [:], from: Int64? = nil, to: Int64? = nil,
                                           condition: String = "", _ bucket: (RequestRow) throws -> Bucket?) throws -> [Bucket: [String]] {
        guard expected > 0 else { return [:] }
        var collector = EvidenceCollector<Bucket>(expected: expected, sizes: sizes)
        try RequestCursor.forEach(db, from: from ?? windowStart, to: to ?? windowEnd, condition: condition) { row in
            guard let b = try bucket(row) else { return true }
            return try collector.add(b, try evidence(source: row.sourceId, line: row.line))
        }
        return collector.lists
    }
}

/// Groups of the facts merged under a key a rule derives, with the fact groups behind each
/// (to find their evidence in one pass).
struct Merged<Member: Hashable> {
    var group = Group()
    var members: Set<Member> = []
}

extension Facts {
    /// The window's (or the history's) login groups merged by `key` (nil: left out).
    func mergeLogins<Key: Hashable>(history: Bool = false, _ key: (LoginGroup, LoginContextInfo) throws -> Key?) throws -> [Key: Merged<LoginGroup>] {
        let facts = try loginFacts(), contexts = try contexts
        var out: [Key: Merged<LoginGroup>] = [:]
        for (group, tally) in history ? facts.history : facts.window {
            guard let k = try key(group, contexts[group.context]) else { continue }
            out[k, default: Merged()].group.merge(tally)
            out[k]!.members.insert(group)
        }
        return out
    }

    /// The window's request groups merged by `key` (nil: left out).
    func mergeRequests<Key: Hashable>(_ key: (RequestGroup, RequestTally) throws -> Key?) throws -> [Key: Merged<RequestGroup>] {
        var out: [Key: Merged<RequestGroup>] = [:]
        for (group, tally) in try requestFacts().window {
            guard let k = try key(group, tally) else { continue }
            out[k, default: Merged()].group.merge(tally.group)
            out[k]!.members.insert(group)
        }
        return out
    }
}
