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
        let unexported = try db.scalar("""
            SELECT count(*) FROM logins l JOIN login_contexts c ON c.id = l.context
            WHERE l.time BETWEEN ? AND ? AND c.flow_basis = (SELECT id FROM strings WHERE value = 'not_exported')
            """, [.integer(windowStart), .integer(windowEnd)]).int ?? 0
        let unknownLabels = try db.rows("""
            SELECT DISTINCT (SELECT value FROM strings WHERE id = c.subtype) FROM logins l JOIN login_contexts c ON c.id = l.context
            WHERE l.time BETWEEN ? AND ? AND c.flow_basis = (SELECT id FROM strings WHERE value = 'unknown_subtype') LIMIT 5
            """, [.integer(windowStart), .integer(windowEnd)]).compactMap { $0[0].string }
        if !unknownLabels.isEmpty {
            out.append("token-endpoint logins carry login subtypes TokenTrail does not know (\(unknownLabels.map { "'\(Redactor.scrub(String($0.prefix(60))))'" }.joined(separator: ", "))): they are oauth_unknown, judged as token logins by the integration rules but not by flow-drift or jwt-on-client-credentials-app")
        }
        if unexported > 0 {
            out.append("\(unexported) login(s) come from exports without the login subtype column (Login History without LoginSubType, ELF Login without LOGIN_TYPE/LOGIN_SUB_TYPE): their flow could not be told, so flow-drift and jwt-on-client-credentials-app do not judge them; export those columns")
        }
        return out
    }
}
