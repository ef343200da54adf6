/// Per-day rollups of logins and token requests (`v_login_daily`, `v_request_daily`), so the
/// report's panels read thousands of rows, not millions. Rebuilt for the days a period
/// touches, by the analyzer and by `report`; grouped on raw ids in one pass each.
public enum DailyRollup {
    public static func refresh(db: Database, since: Int64, until: Int64) throws {
        let day: Int64 = 86_400_000
        let first = since.dividedFloor(by: day), last = until.dividedFloor(by: day)
        let range: [SQLValue] = [.integer(first * day), .integer(last * day + day - 1)]
        // JWT bearer contexts whose basis a client-log pair upgrades (see Schema.basis).
        let inferredJWT = try db.rows("""
            SELECT id FROM login_contexts WHERE flow = (SELECT id FROM strings WHERE value = 'jwt_bearer')
              AND flow_basis IN (SELECT id FROM strings WHERE value IN ('inferred', 'policy'))
            """).compactMap { $0[0].int }.map(String.init).joined(separator: ",")
        let serverToServer = try db.rows("""
            SELECT id FROM login_contexts WHERE flow IN (SELECT id FROM strings WHERE value IN ('jwt_bearer', 'client_credentials'))
            """).compactMap { $0[0].int }.map(String.init).joined(separator: ",")
        try db.transaction {
            _ = try db.execute("INSERT OR IGNORE INTO strings(value) VALUES('client_log')")
            _ = try db.rows("DELETE FROM login_daily WHERE day BETWEEN ? AND ?", [.integer(first), .integer(last)])
            _ = try db.rows("DELETE FROM request_daily WHERE day BETWEEN ? AND ?", [.integer(first), .integer(last)])
            // Grouped on the context's meaningful attributes, not its id (browsers and ciphers
            // would multiply the rows); the user only for server-to-server flows, whose few
            // integration users are what a reviewer asks about.
            _ = try db.rows("""
                WITH g AS (SELECT l.time / 86400000 AS day, l.context, l.app,
                                  CASE WHEN l.context IN (\(serverToServer)) THEN coalesce(l.username, l.user_id) END AS user,
                                  CASE WHEN l.context IN (\(inferredJWT)) THEN EXISTS (SELECT 1 FROM matches m
                                       WHERE m.login_time = l.time AND m.login_key = l.key) ELSE 0 END AS paired,
                                  count(*) AS n, min(l.time) AS first, max(l.time) AS last
                           FROM logins l WHERE l.time BETWEEN ? AND ? GROUP BY 1, 2, 3, 4, 5)
                INSERT INTO login_daily
                SELECT g.day, c.origin, g.app, g.user, c.flow,
                       CASE WHEN g.paired THEN (SELECT id FROM strings WHERE value = 'client_log') ELSE c.flow_basis END,
                       c.outcome, c.failure_class, c.status, sum(g.n), min(g.first), max(g.last)
                FROM g JOIN login_contexts c ON c.id = g.context GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
                """, range)
            _ = try db.rows("""
                INSERT INTO request_daily
                SELECT time / 86400000, host, integration, client_id, flow, outcome, failure_class, error, error_description,
                       error_code, count(*), min(time), max(time)
                FROM token_requests WHERE time BETWEEN ? AND ? GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
                """, range)
        }
    }
}

extension Int64 {
    /// Division rounding toward minus infinity (days before 1970 stay in their day).
    func dividedFloor(by d: Int64) -> Int64 { self >= 0 ? self / d : (self - d + 1) / d }
}
