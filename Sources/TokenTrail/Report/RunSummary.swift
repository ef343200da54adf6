/// What a scan's summary shows, read back from the database so the terminal and the HTML
/// report say the same thing. Counts cover the time span the run's files covered.
public struct RunSummary {
    public struct Row: Sendable { public var cells: [String]; public var count: Int64 }
    public var files: [FileResult]
    public var findings: [Finding] = []
    public var newFindings: Set<String> = []
    public var firstTime: Int64?
    public var lastTime: Int64?
    /// The span of the records the files hold, stored now or before (a re-scan of unchanged files).
    public var readSpan: (Int64, Int64)?
    public var logins: [Row] = []          // origin, app, flow, basis, outcome
    public var integrationUsers: [Row] = []  // app, user, flow, outcome (JWT bearer / client credentials)
    public var tokenRequests: [Row] = []   // provider, integration, host, flow, outcome
    public var idpEvents: [Row] = []       // event type, outcome
    public var apiActivity: [Row] = []     // event type
    public var rejectReasons: [Row] = []   // reason
    public var rejectSamples: [[String]] = []  // evidence, reason, excerpt

    public static func load(db: Database, result: ScanResult) throws -> RunSummary {
        var summary = RunSummary(files: result.files)
        let span = try db.rows("SELECT min(first_time), max(last_time) FROM sources WHERE run_id = ?", [.integer(result.runId)])
        summary.firstTime = span.first?[0].int
        summary.lastTime = span.first?[1].int
        summary.readSpan = result.span
        let lo = SQLValue.integer(summary.firstTime ?? 0)
        let hi = SQLValue.integer(summary.lastTime ?? -1)
        func grouped(_ sql: String, _ values: [SQLValue]) throws -> [Row] {
            try db.rows(sql, values).map { row in
                Row(cells: row.dropLast().map { $0.string ?? "—" }, count: row.last?.int ?? 0)
            }
        }
        // Group on raw ids over the (time, key) primary key, then resolve names: grouping
        // through v_logins resolves every row's strings first and costs seconds at 1M rows.
        let inferredJWT = try Schema.upgradableContexts(db)   // see Schema.basis
        summary.logins = try grouped("""
            WITH g AS (SELECT context, app, CASE WHEN context IN (\(inferredJWT)) THEN EXISTS (SELECT 1 FROM matches m
                           WHERE m.login_time = l.time AND m.login_key = l.key) ELSE 0 END AS paired, count(*) AS n
                       FROM logins l WHERE time BETWEEN ? AND ? GROUP BY 1, 2, 3)
            SELECT (SELECT value FROM strings WHERE id = c.origin) AS origin,
                   coalesce((SELECT value FROM strings WHERE id = g.app), '(no app recorded)') AS app,
                   (SELECT value FROM strings WHERE id = c.flow) AS flow,
                   CASE WHEN g.paired THEN 'client_log' ELSE (SELECT value FROM strings WHERE id = c.flow_basis) END AS basis,
                   (SELECT value FROM strings WHERE id = c.outcome) AS outcome, sum(g.n)
            FROM g JOIN login_contexts c ON c.id = g.context GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 5
            """, [lo, hi])
        // User ids (the API export has no usernames) are named through the user directory
        // the rules use, so one integration user is one row whatever export named it.
        let directory = try Facts.directory(db)
        var merged: [[String]: Int64] = [:]
        for row in try grouped("""
            WITH g AS (SELECT app, coalesce(username, user_id) AS user, context, count(*) AS n FROM logins
                       WHERE time BETWEEN ? AND ? GROUP BY 1, 2, 3)
            SELECT coalesce((SELECT value FROM strings WHERE id = g.app), '(no app recorded)'),
                   coalesce((SELECT value FROM strings WHERE id = g.user), '?'),
                   (SELECT value FROM strings WHERE id = c.flow) AS flow,
                   (SELECT value FROM strings WHERE id = c.outcome), sum(g.n)
            FROM g JOIN login_contexts c ON c.id = g.context
            WHERE c.flow IN (SELECT id FROM strings WHERE value IN ('jwt_bearer', 'client_credentials', 'oauth_unknown'))
            GROUP BY 1, 2, 3, 4
            """, [lo, hi]) {
            var cells = row.cells
            cells[1] = directory[cells[1]] ?? directory[String(cells[1].prefix(15))] ?? cells[1]
            merged[cells, default: 0] += row.count
        }
        summary.integrationUsers = merged.map { Row(cells: $0.key, count: $0.value) }
            .sorted { $0.cells.lexicographicallyPrecedes($1.cells) }
        // Counted on the stored ids as the rows stream by (a dictionary of the few distinct
        // combinations), then named: naming every row first (the views) cost as much as the
        // ingest, and even SQLite's GROUP BY sorts a million rows.
        summary.tokenRequests = try tally(db, "SELECT provider, integration, host, flow, outcome FROM token_requests WHERE time BETWEEN ? AND ?",
                                          [lo, hi], missing: ["?", "?", "?", "(no grant_type)", "—"])
        summary.idpEvents = try tally(db, "SELECT event_type, outcome FROM idp_events WHERE time BETWEEN ? AND ?", [lo, hi], missing: ["—", "—"])
        summary.apiActivity = try tally(db, "SELECT event_type FROM api_activity WHERE time BETWEEN ? AND ?", [lo, hi], missing: ["—"])
        summary.rejectReasons = try grouped("""
            SELECT r.reason, count(*) FROM rejects r JOIN sources s ON s.id = r.source_id WHERE s.run_id = ?
            GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 50
            """, [.integer(result.runId)])
        summary.rejectSamples = try db.rows("""
            SELECT \(Schema.evidence("s", "r.line")), r.reason, r.excerpt FROM rejects r JOIN sources s ON s.id = r.source_id
            WHERE s.run_id = ? ORDER BY s.path, r.line LIMIT 100
            """, [.integer(result.runId)]).map { $0.map { $0.string ?? "" } }
        return summary
    }

    /// Rows of `sql` (symbol ids only) counted per distinct combination, named afterwards, in name order.
    static func tally(_ db: Database, _ sql: String, _ values: [SQLValue], missing: [String]) throws -> [Row] {
        let statement = try db.prepare(sql)
        try statement.bind(values)
        var counts: [[Int64]: Int64] = [:]
        let width = Int32(missing.count)
        var key = [Int64](repeating: 0, count: missing.count)
        while try statement.step() {
            for i in 0..<width { key[Int(i)] = statement.int(at: i) }
            counts[key, default: 0] += 1
        }
        let names = try SymbolNames(db: db)
        var rows: [[String]: Int64] = [:]
        for (ids, n) in counts {
            let cells = try ids.enumerated().map { i, id in try names.name(id) ?? missing[i] }
            rows[cells, default: 0] += n
        }
        return rows.map { Row(cells: $0.key, count: $0.value) }.sorted { $0.cells.lexicographicallyPrecedes($1.cells) }
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
