/// A login whose row carries no `LOGIN_KEY` (Login History): its API activity can only be
/// found by who, from where and when.
public struct KeylessLogin: Hashable, Sendable {
    public let username: Int64, userId: Int64, ip: Int64, app: Int64, time: Int64
    /// The export's time precision (a minute-precision Setup download matches more loosely).
    var precision: Int64 = 0
}

/// What the records a finding cites say beyond the finding itself: the sessions they belong
/// to, the logins without a key, how each login's flow was decided, and the rows themselves.
public struct EvidenceRecords: Sendable {
    /// `LOGIN_KEY`s and `SESSION_KEY`s of the cited logins and API rows.
    public var sessions: Set<String> = []
    public var keyless: [KeylessLogin] = []
    /// Each cited login's flow and basis ("jwt_bearer (inferred)"), for the narrative's "how sure".
    var loginFlows: [RecordRef: String] = [:]
    /// The cited rows by primary key, for the incident's timeline.
    public var rows: Set<RecordRef> = []

    /// Logins per flow and basis, each cited login once.
    var flows: [String: Int] { loginFlows.values.reduce(into: [:]) { $0[$1, default: 0] += 1 } }

    mutating func merge(_ other: EvidenceRecords) {
        sessions.formUnion(other.sessions)
        keyless += other.keyless
        loginFlows.merge(other.loginFlows) { a, _ in a }
        rows.formUnion(other.rows)
    }
}

extension Facts {
    /// Keyless logins per finding looked up for their ELF Login twin.
    static let twinLookups = 50

    /// The records behind each list of evidence (`file:line` or `file#n`): one time-bounded
    /// pass per fact table on four integer columns, each row's (source, line) looked up in a
    /// dictionary; the few rows cited are then read whole by primary key. Records outside
    /// [from, to] are not looked at (findings cite records near their own time).
    func evidenceRecords(_ lists: [[String]], from: Int64, to: Int64) throws -> [EvidenceRecords] {
        var out = Array(repeating: EvidenceRecords(), count: lists.count)
        var sourceIds: [String: [(id: Int64, record: Bool)]] = [:]
        for row in try db.rows("SELECT id, path, positions FROM sources") {
            if let id = row[0].int, let path = row[1].string { sourceIds[path, default: []].append((id, row[2].string == "record")) }
        }
        var wanted: [EvidenceRef: [Int]] = [:]
        for (index, list) in lists.enumerated() {
            for evidence in list {
                guard let ref = EvidenceRef.parse(evidence) else { continue }
                for source in sourceIds[ref.path] ?? [] where source.record == ref.record {
                    wanted[EvidenceRef(source: source.id, line: ref.line), default: []].append(index)
                }
            }
        }
        guard !wanted.isEmpty else { return out }
        /// The cited rows of a table: (time, key, the lists citing it).
        func cited(_ table: String) throws -> [(time: Int64, key: Int64, lists: [Int])] {
            var found: [(time: Int64, key: Int64, lists: [Int])] = []
            let scan = try db.prepare("SELECT time, key, source_id, line FROM \(table) WHERE time BETWEEN ? AND ?")
            try scan.bind([.integer(from), .integer(to)])
            while try scan.step() {
                if let lists = wanted[EvidenceRef(source: scan.int(at: 2), line: scan.int(at: 3))] { found.append((scan.int(at: 0), scan.int(at: 1), lists)) }
            }
            return found
        }
        let login = try db.prepare("""
            SELECT l.login_key, l.username, l.user_id, l.source_ip, l.app, (SELECT value FROM strings WHERE id = c.flow),
                   (SELECT value FROM strings WHERE id = c.flow_basis), c.precision_ms, (SELECT value FROM strings WHERE id = c.outcome),
                   c.flow, c.flow_basis
            FROM logins l JOIN login_contexts c ON c.id = l.context WHERE l.time = ? AND l.key = ?
            """)
        // One string per (flow, basis), shared by every login citing it: findings can cite
        // hundreds of thousands of logins between them.
        var labels: [SymbolPair: String] = [:]
        for row in try cited("logins") {
            try login.bind([.integer(row.time), .integer(row.key)])
            defer { login.reset() }
            guard try login.step() else { continue }
            for i in row.lists {
                out[i].rows.insert(RecordRef(.login, time: row.time, key: row.key))
                if let key = login.text(at: 0), !key.isEmpty {
                    out[i].sessions.insert(key)
                } else if login.text(at: 8) == Outcome.success.rawValue {   // a refused login opened no session
                    out[i].keyless.append(KeylessLogin(username: login.int(at: 1), userId: login.int(at: 2), ip: login.int(at: 3),
                                                       app: login.int(at: 4), time: row.time, precision: login.int(at: 7)))
                }
                let pair = SymbolPair(first: login.int(at: 9), second: login.int(at: 10))
                let label = labels[pair] ?? "\(login.text(at: 5) ?? "?") (\(login.text(at: 6) ?? "?"))"
                labels[pair] = label
                out[i].loginFlows[RecordRef(.login, time: row.time, key: row.key)] = label
            }
        }
        // A Login History row is often the same login as an ELF Login row, which has the key.
        let twin = try db.prepare("""
            SELECT login_key FROM logins WHERE time BETWEEN ? AND ? AND source_ip = ? AND (user_id = ? OR username = ?)
              AND login_key IS NOT NULL AND login_key != '' LIMIT 1
            """)
        for i in out.indices {
            for login in out[i].keyless.prefix(Self.twinLookups) where login.ip != 0 {
                let slack = max(2000, login.precision)
                try twin.bind([.integer(login.time - slack), .integer(login.time + slack), .integer(login.ip),
                               .integer(login.userId == 0 ? -1 : login.userId), .integer(login.username == 0 ? -1 : login.username)])
                if try twin.step(), let key = twin.text(at: 0) { out[i].sessions.insert(key) }
                twin.reset()
            }
        }
        let api = try db.prepare("SELECT login_key, session_key FROM api_activity WHERE time = ? AND key = ?")
        for row in try cited("api_activity") {
            try api.bind([.integer(row.time), .integer(row.key)])
            defer { api.reset() }
            guard try api.step() else { continue }
            // The login key joins to the login; a session key only where the row has no login key.
            let key = api.text(at: 0).flatMap { $0.isEmpty ? nil : $0 } ?? api.text(at: 1).flatMap { $0.isEmpty ? nil : $0 }
            for i in row.lists {
                out[i].rows.insert(RecordRef(.api, time: row.time, key: row.key))
                if let key { out[i].sessions.insert(key) }
            }
        }
        // Client requests and Okta events link through the finding's own fields; their rows are for the timeline.
        for (table, kind) in [("token_requests", RecordRef.Table.request), ("idp_events", .okta)] {
            for row in try cited(table) { for i in row.lists { out[i].rows.insert(RecordRef(kind, time: row.time, key: row.key)) } }
        }
        return out
    }
}
