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
    var loginFlows: [EvidenceRef: String] = [:]
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

    /// The records behind each list of evidence (`file:line` or `file#n`), in one time-bounded
    /// pass per fact table: a temp table of the wanted (source, line) pairs is probed by each row.
    /// Records outside [from, to] are not looked at (findings cite records near their own time).
    func evidenceRecords(_ lists: [[String]], from: Int64, to: Int64) throws -> [EvidenceRecords] {
        var out = Array(repeating: EvidenceRecords(), count: lists.count)
        var sourceIds: [String: [(id: Int64, record: Bool)]] = [:]
        for row in try db.rows("SELECT id, path, positions FROM sources") {
            if let id = row[0].int, let path = row[1].string { sourceIds[path, default: []].append((id, row[2].string == "record")) }
        }
        try db.execute("""
            CREATE TEMP TABLE IF NOT EXISTS evidence_refs(source_id INTEGER NOT NULL, line INTEGER NOT NULL, list INTEGER NOT NULL,
                PRIMARY KEY(source_id, line, list)) WITHOUT ROWID;
            DELETE FROM temp.evidence_refs;
            """)
        var wanted = 0
        try db.transaction {
            let insert = try db.prepare("INSERT OR IGNORE INTO temp.evidence_refs VALUES(?, ?, ?)")
            for (index, list) in lists.enumerated() {
                for evidence in list {
                    guard let ref = EvidenceRef.parse(evidence) else { continue }
                    for source in sourceIds[ref.path] ?? [] where source.record == ref.record {
                        try insert.bind([.integer(source.id), .integer(ref.line), .integer(Int64(index))])
                        try insert.run()
                        wanted += 1
                    }
                }
            }
        }
        guard wanted > 0 else { return out }
        let bounds: [SQLValue] = [.integer(from), .integer(to)]
        // CROSS JOIN keeps the fact table outside: its time range is read once, each row probes the refs.
        let logins = try db.prepare("""
            SELECT r.list, l.time, l.login_key, l.username, l.user_id, l.source_ip, l.app,
                   (SELECT value FROM strings WHERE id = c.flow), (SELECT value FROM strings WHERE id = c.flow_basis),
                   l.source_id, l.line, c.precision_ms, (SELECT value FROM strings WHERE id = c.outcome), l.key
            FROM logins l CROSS JOIN temp.evidence_refs r JOIN login_contexts c ON c.id = l.context
            WHERE l.time BETWEEN ? AND ? AND r.source_id = l.source_id AND r.line = l.line
            """)
        try logins.bind(bounds)
        while try logins.step() {
            let i = Int(logins.int(at: 0))
            out[i].rows.insert(RecordRef(.login, time: logins.int(at: 1), key: logins.int(at: 13)))
            if let key = logins.text(at: 2), !key.isEmpty {
                out[i].sessions.insert(key)
            } else if logins.text(at: 12) == Outcome.success.rawValue {   // a refused login opened no session
                out[i].keyless.append(KeylessLogin(username: logins.int(at: 3), userId: logins.int(at: 4), ip: logins.int(at: 5),
                                                   app: logins.int(at: 6), time: logins.int(at: 1), precision: logins.int(at: 11)))
            }
            out[i].loginFlows[EvidenceRef(source: logins.int(at: 9), line: logins.int(at: 10))] = "\(logins.text(at: 7) ?? "?") (\(logins.text(at: 8) ?? "?"))"
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
        let api = try db.prepare("""
            SELECT r.list, a.login_key, a.session_key, a.time, a.key FROM api_activity a CROSS JOIN temp.evidence_refs r
            WHERE a.time BETWEEN ? AND ? AND r.source_id = a.source_id AND r.line = a.line
            """)
        try api.bind(bounds)
        while try api.step() {
            let i = Int(api.int(at: 0))
            out[i].rows.insert(RecordRef(.api, time: api.int(at: 3), key: api.int(at: 4)))
            // The login key joins to the login; a session key only where the row has no login key.
            if let key = api.text(at: 1), !key.isEmpty { out[i].sessions.insert(key) }
            else if let key = api.text(at: 2), !key.isEmpty { out[i].sessions.insert(key) }
        }
        // Client requests and Okta events link through the finding's own fields; their rows are for the timeline.
        for (table, kind) in [("token_requests", RecordRef.Table.request), ("idp_events", .okta)] {
            let rows = try db.prepare("""
                SELECT r.list, t.time, t.key FROM \(table) t CROSS JOIN temp.evidence_refs r
                WHERE t.time BETWEEN ? AND ? AND r.source_id = t.source_id AND r.line = t.line
                """)
            try rows.bind(bounds)
            while try rows.step() { out[Int(rows.int(at: 0))].rows.insert(RecordRef(kind, time: rows.int(at: 1), key: rows.int(at: 2))) }
        }
        return out
    }
}
