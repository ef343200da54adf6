// Evidence the rules ask for while they run, resolved after the last one in one pass per
// fact table (logins, token requests). A rule's merged groups used to be resolved at once,
// each by its own scan of the window: on a million logins each such scan took ~0.4 s, and
// five rules made five of them. Each request keeps its own range, bucket sizes and order,
// so a finding gets exactly the `file:line`s its own scan would have given.

/// The tickets of one request's keys.
struct DeferredEvidence<Key: Hashable> {
    let table: EvidenceTicket.Table, request: Int
    let buckets: [Key: Int]
    subscript(key: Key) -> Evidence? { buckets[key].map { .pending(EvidenceTicket(table: table, request: request, bucket: $0)) } }
}

/// The requests of one fact table, with the groups each bucket owns.
struct EvidenceRequests<Member: Hashable> {
    struct Request {
        let from: Int64, to: Int64
        var collector: EvidenceCollector<Int>
    }
    let table: EvidenceTicket.Table
    var requests: [Request] = []
    /// Per member group, the (request, bucket)s it feeds: one group can be in several rules'
    /// findings, most are in one (held inline: a rule can own a hundred thousand groups).
    struct Tickets {
        var first: EvidenceTicket
        var more: [EvidenceTicket] = []
    }
    var owners: [Member: Tickets] = [:]

    mutating func add<Key: Hashable>(_ merged: [Key: Merged<Member>], windowStart: Int64, windowEnd: Int64) -> DeferredEvidence<Key> {
        let request = requests.count
        var buckets: [Key: Int] = [:], sizes: [Int: Int] = [:]
        for (key, m) in merged {
            let bucket = buckets.count
            buckets[key] = bucket
            sizes[bucket] = m.group.count
            let ticket = EvidenceTicket(table: table, request: request, bucket: bucket)
            for member in m.members {
                if owners[member] == nil { owners[member] = Tickets(first: ticket) } else { owners[member]!.more.append(ticket) }
            }
        }
        let first = merged.values.map(\.group.first).min() ?? windowStart, last = merged.values.map(\.group.last).max() ?? windowEnd
        requests.append(Request(from: max(first, windowStart), to: min(last, windowEnd),
                                collector: EvidenceCollector(expected: merged.count, sizes: sizes)))
        return DeferredEvidence(table: table, request: request, buckets: buckets)
    }

    var isEmpty: Bool { requests.allSatisfy { $0.collector.expected == 0 } }
    /// The span of the requests that want anything (an empty one must not widen the pass).
    var range: (from: Int64, to: Int64) {
        let wanting = requests.filter { $0.collector.expected > 0 }
        return (wanting.map(\.from).min() ?? 0, wanting.map(\.to).max() ?? -1)
    }

    /// Feeds one row of the shared pass; false once every request is complete (stop reading).
    mutating func add(_ member: Member, time: Int64, _ evidence: () throws -> String) rethrows -> Bool {
        guard let owned = owners[member] else { return true }
        var line: String?
        try feed(owned.first, time, &line, evidence)
        for t in owned.more { try feed(t, time, &line, evidence) }
        return complete < requests.count
    }

    /// One ticket's share of a row: its `file:line` is made once, for the first ticket that wants it.
    private mutating func feed(_ t: EvidenceTicket, _ time: Int64, _ line: inout String?, _ evidence: () throws -> String) rethrows {
        guard time >= requests[t.request].from && time <= requests[t.request].to && !requests[t.request].collector.isComplete else { return }
        let text = try line ?? evidence()
        line = text
        _ = requests[t.request].collector.add(t.bucket, text)
        if requests[t.request].collector.isComplete { complete += 1 }
    }
    private var complete = 0

    func lines(_ ticket: EvidenceTicket) -> [String] { requests[ticket.request].collector.lists[ticket.bucket] ?? [] }

    init(table: EvidenceTicket.Table) { self.table = table }

    /// Requests with nothing to find are complete from the start.
    mutating func start() { complete = requests.filter { $0.collector.isComplete }.count }
}

extension Facts {
    /// Evidence for merged login groups, found in the shared pass after the rules.
    func loginEvidence<Key: Hashable>(for merged: [Key: Merged<LoginGroup>]) -> DeferredEvidence<Key> {
        loginRequests.add(merged, windowStart: windowStart, windowEnd: windowEnd)
    }

    /// Evidence for merged request groups, found in the shared pass after the rules.
    func requestEvidence<Key: Hashable>(for merged: [Key: Merged<RequestGroup>]) -> DeferredEvidence<Key> {
        requestRequests.add(merged, windowStart: windowStart, windowEnd: windowEnd)
    }

    /// Runs the shared passes and gives each finding its lines.
    public func resolveEvidence(_ findings: inout [Finding]) throws {
        defer {
            loginRequests = EvidenceRequests(table: .logins)
            requestRequests = EvidenceRequests(table: .requests)
        }
        guard findings.contains(where: { $0.evidenceTicket != nil }) else { return }
        try Timings.measure("  shared evidence") {
            let contexts = try contexts
            if !loginRequests.isEmpty {
                loginRequests.start()
                let (from, to) = loginRequests.range
                try LoginCursor.forEach(db, from: from, to: to) { row in
                    let group = LoginGroup(context: contexts.canonical(row.context), app: row.app, userId: row.userId, username: row.username)
                    return try loginRequests.add(group, time: row.time) { try evidence(source: row.sourceId, line: row.line) }
                }
            }
            if !requestRequests.isEmpty {
                requestRequests.start()
                let (from, to) = requestRequests.range
                let maximum = maxAssertionLifetime
                try RequestCursor.forEach(db, from: from, to: to) { row in
                    let lifetime = row.exp.map { $0 - (row.iat ?? row.time / 1000) } ?? 0
                    return try requestRequests.add(RequestGroup(row, longLived: lifetime > maximum), time: row.time) {
                        try evidence(source: row.sourceId, line: row.line)
                    }
                }
            }
        }
        for i in findings.indices {
            guard let ticket = findings[i].evidenceTicket else { continue }
            let lines = ticket.table == .logins ? loginRequests.lines(ticket) : requestRequests.lines(ticket)
            findings[i].evidence = Array(lines.prefix(Finding.maxEvidence))
            findings[i].evidenceTicket = nil
        }
    }
}
