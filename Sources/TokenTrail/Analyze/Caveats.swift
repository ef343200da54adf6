/// What an analysis could not judge, and why: "Findings: none" is never said bare
/// (DESIGN.md, History, point 5). The terminal summary and the report list these.
public enum Caveats {
    public static func of(db: Database, policy: Policy?, windowStart: Int64, windowEnd: Int64) throws -> [String] {
        var out: [String] = []
        if policy == nil {
            out.append("no policy was given: subjects, Run As users, networks and flows are judged against what the database saw before, not against what you declared (--policy FILE; `tokentrail policy suggest` writes a starting one)")
        }
        let weekStart = AnalysisWeeks.weekStart(containing: windowStart)
        let history = try db.scalar("SELECT EXISTS(SELECT 1 FROM sources WHERE last_time < ? AND last_time >= ?)",
                                    [.integer(weekStart), .integer(weekStart - 30 * 86_400_000)]).int ?? 0
        if history == 0 {
            out.append("the database has no records in the 30 days before \(String(UTCTime.iso(weekStart).prefix(10))): the first-seen rules (new-source-ip, unknown-app, flow-drift, client-fingerprint-drift, dormant-app) have no history to compare the first week with")
        }
        // The contexts first (tens of thousands of rows), the window's logins only when some
        // context has the basis: two passes over a million logins cost 0.6 s of every scan.
        func contexts(basis: String) throws -> [Int64: String] {
            var out: [Int64: String] = [:]
            for row in try db.rows("""
                SELECT id, (SELECT value FROM strings WHERE id = subtype) FROM login_contexts WHERE flow_basis = (SELECT id FROM strings WHERE value = ?)
                """, [.text(basis)]) {
                if let id = row[0].int { out[id] = row[1].string ?? "" }
            }
            return out
        }
        func loginsIn(_ contexts: [Int64: String]) throws -> [(context: Int64, logins: Int64)] {
            guard !contexts.isEmpty else { return [] }
            // Integer ids from the database itself, so they are written into the statement.
            return try db.rows("""
                SELECT context, count(*) FROM logins WHERE time BETWEEN ? AND ? AND context IN (\(contexts.keys.sorted().map(String.init).joined(separator: ","))) GROUP BY context
                """, [.integer(windowStart), .integer(windowEnd)]).compactMap { row in row[0].int.map { ($0, row[1].int ?? 0) } }
        }
        let unexported = try loginsIn(try contexts(basis: "not_exported")).reduce(0) { $0 + $1.logins }
        let unknown = try contexts(basis: "unknown_subtype")
        let unknownLabels = Array(Set(try loginsIn(unknown).compactMap { unknown[$0.context] }.filter { !$0.isEmpty }).sorted().prefix(5))
        if !unknownLabels.isEmpty {
            out.append("token-endpoint logins carry login subtypes TokenTrail does not know (\(unknownLabels.map { "'\(Redactor.scrub(String($0.prefix(60))))'" }.joined(separator: ", "))): they are oauth_unknown, judged as token logins by the integration rules but not by flow-drift or jwt-on-client-credentials-app")
        }
        if unexported > 0 {
            out.append("\(unexported) login(s) come from exports without the login subtype column (Login History without LoginSubType, ELF Login without LOGIN_TYPE/LOGIN_SUB_TYPE): their flow could not be told, so flow-drift and jwt-on-client-credentials-app do not judge them; export those columns")
        }
        return out
    }
}
