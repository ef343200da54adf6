/// What a scan's summary shows: what its files held, counted as they were ingested
/// (`ScanTally`), named afterwards. Nothing here reads the stored rows back, so the summary
/// costs the same at a thousand rows and at ten million (issue 30); each table shows its
/// `shownRows` largest rows and counts the rest.
public struct RunSummary {
    public struct Row: Sendable { public var cells: [String]; public var count: Int64 }
    /// A table's rows, largest first cut to `shownRows` and then in name order, and what was cut.
    public struct Table: Sendable {
        public var rows: [Row] = []
        public var moreRows = 0
        public var moreRecords: Int64 = 0
        public var isEmpty: Bool { rows.isEmpty && moreRecords == 0 }
    }
    public static let shownRows = 40
    public var files: [FileResult]
    public var findings: [Finding] = []
    public var newFindings: Set<String> = []
    public var firstTime: Int64?
    public var lastTime: Int64?
    /// The span of the records the files hold, stored now or before (a re-scan of unchanged files).
    public var readSpan: (Int64, Int64)?
    public var logins = Table()            // origin, app, flow, basis, outcome
    /// Of the logins in the span, how many the analysis paired with a client's token request.
    public var pairedLogins: Int64 = 0
    public var integrationUsers = Table()  // app, user, flow, outcome (JWT bearer / client credentials)
    public var tokenRequests = Table()     // provider, integration, host, flow, outcome
    public var idpEvents = Table()         // event type, outcome
    public var apiActivity = Table()       // event type
    public var rejectReasons: [Row] = []   // reason
    public var rejectSamples: [[String]] = []  // evidence, reason, excerpt

    public static func load(db: Database, result: ScanResult) throws -> RunSummary {
        var summary = RunSummary(files: result.files)
        let span = try db.rows("SELECT min(first_time), max(last_time) FROM sources WHERE run_id = ?", [.integer(result.runId)])
        summary.firstTime = span.first?[0].int
        summary.lastTime = span.first?[1].int
        summary.readSpan = result.span
        let tally = result.tally
        let names = try SymbolNames(db: db)
        // A table past its limit of distinct rows is grouped from the stored rows of the
        // run's files instead (ordered by count, so the largest are never the ones left out).
        let run = SQLValue.integer(result.runId), lo = SQLValue.integer(summary.firstTime ?? 0), hi = SQLValue.integer(summary.lastTime ?? -1)
        func grouped(_ counts: ScanTally.Counts<some Hashable & Sendable>, _ sql: String) throws -> [[Int64]]? {
            guard counts.overflowed else { return nil }
            return try db.rows(sql + " ORDER BY n DESC LIMIT \(shownRows * 4)", [run, lo, hi]).map { row in row.map { $0.int ?? 0 } }
        }
        let ofRun = "time BETWEEN ?2 AND ?3 AND source_id IN (SELECT id FROM sources WHERE run_id = ?1)"
        let loginsOfRun = "FROM logins l JOIN login_contexts c ON c.id = l.context WHERE l.\(ofRun)"
        summary.logins = try table(tally.logins, grouped(tally.logins, """
            SELECT c.origin, l.app, c.flow, c.flow_basis, c.outcome, count(*) AS n, sum(count(*)) OVER (), count(*) OVER ()
            \(loginsOfRun) GROUP BY 1, 2, 3, 4, 5
            """), missing: ["?", "(no app recorded)", "?", "?", "?"]) { key in
            try [key.origin, key.app, key.flow, key.basis, key.outcome].map { try names.name($0) }
        } key: { ScanTally.LoginKey(origin: $0[0], app: $0[1], flow: $0[2], basis: $0[3], outcome: $0[4]) }
        if let first = summary.firstTime, let last = summary.lastTime {
            summary.pairedLogins = try db.scalar("SELECT count(*) FROM matches WHERE login_time BETWEEN ? AND ?", [.integer(first), .integer(last)]).int ?? 0
        }
        // User ids (the API export has no usernames) are named through the user directory the
        // rules use, else as this scan's server exports paired them: one integration user is
        // one row whatever export named it.
        let directory = try SummaryUserNames(db: db, names: names, seen: tally.userNames)
        let serverToServer = "(SELECT id FROM strings WHERE value IN ('jwt_bearer', 'client_credentials', 'oauth_unknown'))"
        summary.integrationUsers = try table(tally.integrationUsers, grouped(tally.integrationUsers, """
            SELECT l.app, coalesce(l.username, l.user_id), c.flow, c.outcome, count(*) AS n, sum(count(*)) OVER (), count(*) OVER ()
            \(loginsOfRun) AND c.flow IN \(serverToServer) GROUP BY 1, 2, 3, 4
            """), missing: ["(no app recorded)", "?", "?", "?"]) { key in
            [try names.name(key.app), try directory.name(key.user), try names.name(key.flow), try names.name(key.outcome)]
        } key: { ScanTally.IntegrationUserKey(app: $0[0], user: $0[1], flow: $0[2], outcome: $0[3]) }
        summary.tokenRequests = try table(tally.tokenRequests, grouped(tally.tokenRequests, """
            SELECT provider, integration, host, flow, outcome, count(*) AS n, sum(count(*)) OVER (), count(*) OVER ()
            FROM token_requests WHERE \(ofRun) GROUP BY 1, 2, 3, 4, 5
            """), missing: ["?", "?", "?", "(no grant_type)", "—"]) { key in
            try [key.provider, key.integration, key.host, key.flow, key.outcome].map { try names.name($0) }
        } key: { ScanTally.RequestKey(provider: $0[0], integration: $0[1], host: $0[2], flow: $0[3], outcome: $0[4]) }
        summary.idpEvents = try table(tally.idpEvents, grouped(tally.idpEvents, """
            SELECT event_type, outcome, count(*) AS n, sum(count(*)) OVER (), count(*) OVER () FROM idp_events WHERE \(ofRun) GROUP BY 1, 2
            """), missing: ["—", "—"]) { key in
            try [names.name(key.type), names.name(key.outcome)]
        } key: { ScanTally.EventKey(type: $0[0], outcome: $0[1]) }
        summary.apiActivity = try table(tally.apiActivity, grouped(tally.apiActivity, """
            SELECT event_type, count(*) AS n, sum(count(*)) OVER (), count(*) OVER () FROM api_activity WHERE \(ofRun) GROUP BY 1
            """), missing: ["—"]) { key in [try names.name(key)] } key: { $0[0] }
        // The run's sources first: each one's rejects are a range of the (source_id, line) key.
        let sources = "SELECT id FROM sources WHERE run_id = ?"
        summary.rejectReasons = try db.rows("""
            SELECT reason, count(*) FROM rejects WHERE source_id IN (\(sources)) GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 50
            """, [.integer(result.runId)]).map { Row(cells: [$0[0].string ?? "—"], count: $0[1].int ?? 0) }
        summary.rejectSamples = try db.rows("""
            SELECT \(Schema.evidence("s", "r.line")), r.reason, r.excerpt FROM sources s JOIN rejects r ON r.source_id = s.id
            WHERE s.run_id = ? ORDER BY s.path, r.line LIMIT 10
            """, [.integer(result.runId)]).map { $0.map { $0.string ?? "" } }
        return summary
    }

    /// A table's rows named (cells merged when two ids name alike, as a user id and its name
    /// do), the `shownRows` largest in name order, and what the rest hold. From the tally, or,
    /// when it overflowed, from `grouped`: the largest groups of the stored rows, each row's
    /// ids then its count, the total of records and the number of groups.
    static func table<Key>(_ counts: ScanTally.Counts<Key>, _ grouped: [[Int64]]?, missing: [String],
                           cells: (Key) throws -> [String?], key: ([Int64]) -> Key) throws -> Table {
        var entries: [(Key, Int64)], total: Int64, groups: Int
        if let grouped {
            entries = grouped.map { row in (key(Array(row.dropLast(3))), row[row.count - 3]) }
            total = grouped.first.map { $0[$0.count - 2] } ?? 0
            groups = Int(grouped.first?.last ?? 0)
        } else {
            entries = counts.counts.map { ($0.key, $0.value) }
            total = counts.total
            groups = counts.counts.count
            // Only the largest are named: every key counted at least as often as the
            // `shownRows × 8`-th largest (ties included, so the cut does not depend on order).
            if entries.count > shownRows * 8 {
                let threshold = entries.map(\.1).sorted(by: >)[shownRows * 8 - 1]
                entries.removeAll { $0.1 < threshold }
            }
        }
        var named: [[String]: (count: Int64, groups: Int)] = [:]
        for (key, n) in entries {
            let row = try cells(key).enumerated().map { i, cell in cell ?? missing[i] }
            named[row, default: (0, 0)].count += n
            named[row, default: (0, 0)].groups += 1
        }
        let rows = named.sorted { $0.value.count != $1.value.count ? $0.value.count > $1.value.count : $0.key.lexicographicallyPrecedes($1.key) }
            .prefix(shownRows)
        var table = Table()
        table.rows = rows.map { Row(cells: $0.key, count: $0.value.count) }.sorted { $0.cells.lexicographicallyPrecedes($1.cells) }
        table.moreRecords = total - table.rows.reduce(0) { $0 + $1.count }
        table.moreRows = max(0, groups - rows.reduce(0) { $0 + $1.value.groups })
        if table.moreRecords > 0 && table.moreRows == 0 { table.moreRows = 1 }
        return table
    }

    public static func statusText(_ status: FileResult.Status) -> String {
        switch status {
        case .ingested: return "ingested"
        case .unchanged(let previous): return "unchanged (same SHA-256 as source #\(previous))"
        case .skipped(let reason): return "skipped: \(reason)"
        case .failed(let message): return "FAILED: \(message)"
        }
    }
}

/// A user symbol as a reviewer knows it. A Salesforce user id (005…, 15 or 18 characters) is
/// named by the user directory the rules keep, else by the pairs this scan's server exports
/// told; anything else (a username) is shown as it is.
struct SummaryUserNames {
    private let lookup: Statement
    private let names: SymbolNames
    private let seen: [Symbol: Symbol]

    init(db: Database, names: SymbolNames, seen: [Symbol: Symbol]) throws {
        lookup = try db.prepare("SELECT username FROM user_directory WHERE user_id IN (?1, substr(?1, 1, 15)) ORDER BY length(user_id) DESC LIMIT 1")
        self.names = names
        self.seen = seen
    }

    func name(_ user: Symbol) throws -> String? {
        guard let value = try names.name(user) else { return nil }
        guard Self.isUserId(value) else { return value }
        lookup.bind(value, at: 1)
        defer { lookup.reset() }
        if try lookup.step(), let known = lookup.text(at: 0) { return known }
        return try seen[user].flatMap { try names.name($0) } ?? value
    }

    static func isUserId(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        return (bytes.count == 15 || bytes.count == 18) && bytes.starts(with: Array("005".utf8))
            && bytes.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) }
    }
}
