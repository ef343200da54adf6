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
        var tally = ScanTally()
        for file in result.files where file.status == .ingested { tally.merge(file.tally) }
        let names = try SymbolNames(db: db)
        summary.logins = try table(tally.logins, missing: ["?", "(no app recorded)", "?", "?", "?"]) { key in
            try [key.origin, key.app, key.flow, key.basis, key.outcome].map { try names.name($0) }
        }
        if let first = summary.firstTime, let last = summary.lastTime {
            summary.pairedLogins = try db.scalar("SELECT count(*) FROM matches WHERE login_time BETWEEN ? AND ?", [.integer(first), .integer(last)]).int ?? 0
        }
        // User ids (the API export has no usernames) are named as the records of this scan
        // told, else through the user directory the rules use: one integration user is one
        // row whatever export named it.
        let directory = try SummaryUserNames(db: db, names: names, seen: tally.userNames)
        summary.integrationUsers = try table(tally.integrationUsers, missing: ["(no app recorded)", "?", "?", "?"]) { key in
            [try names.name(key.app), try directory.name(key.user), try names.name(key.flow), try names.name(key.outcome)]
        }
        summary.tokenRequests = try table(tally.tokenRequests, missing: ["?", "?", "?", "(no grant_type)", "—"]) { key in
            try [key.provider, key.integration, key.host, key.flow, key.outcome].map { try names.name($0) }
        }
        summary.idpEvents = try table(tally.idpEvents, missing: ["—", "—"]) { key in try [names.name(key.type), names.name(key.outcome)] }
        summary.apiActivity = try table(tally.apiActivity, missing: ["—"]) { key in [try names.name(key)] }
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

    /// A tally's rows named (cells merged when two ids name alike, as a user id and its name
    /// do), the `shownRows` largest in name order; the rest counted. A tally holds at most
    /// `ScanTally.Counts.limit` keys, so this names a bounded number of ids.
    static func table<Key>(_ counts: ScanTally.Counts<Key>, missing: [String], cells: (Key) throws -> [String?]) throws -> Table {
        var named: [[String]: Int64] = [:]
        for (key, n) in counts.counts {
            named[try cells(key).enumerated().map { i, cell in cell ?? missing[i] }, default: 0] += n
        }
        var rows = named.map { Row(cells: $0.key, count: $0.value) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.cells.lexicographicallyPrecedes($1.cells) }
        var table = Table(moreRows: counts.other > 0 ? 1 : 0, moreRecords: counts.other)
        if rows.count > shownRows {
            for row in rows[shownRows...] { table.moreRecords += row.count; table.moreRows += 1 }
            rows.removeSubrange(shownRows...)
        }
        table.rows = rows.sorted { $0.cells.lexicographicallyPrecedes($1.cells) }
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

/// A user symbol as a reviewer knows it: the username this scan's records paired with the id,
/// else the one the user directory holds (its 18- or 15-character form), else the symbol itself.
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
        if let name = seen[user] { return try names.name(name) }
        guard let value = try names.name(user) else { return nil }
        lookup.bind(value, at: 1)
        defer { lookup.reset() }
        return try lookup.step() ? lookup.text(at: 0) ?? value : value
    }
}
