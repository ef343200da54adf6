struct LoginAsRule: Rule {
    let id = "login-as"
    let title = "Administrator logged in as another user"
    let defaultSeverity = Severity.info
    let rationale = """
        Login As is a normal support tool, but everything done in that session is attributed to the impersonated \
        user. Listed so a reviewer can match it to a support ticket; the policy can disable the rule.
        """
    let knobs = ["rules.login-as.enabled"]

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        let directory = try c.facts.usernames()
        // Raw columns: a LoginAs is rare among millions of API events; only its rows are resolved.
        let condition = "event_type = (SELECT id FROM strings WHERE value = 'LoginAs') AND time BETWEEN ? AND ?"
        let rows = try c.facts.rows("""
            SELECT (SELECT value FROM strings WHERE id = delegated_user), (SELECT value FROM strings WHERE id = username),
                   (SELECT value FROM strings WHERE id = user_id), count(*), min(time), max(time)
            FROM api_activity WHERE \(condition) GROUP BY delegated_user, username, user_id
            """, c.window)
        return try rows.map { row in
            let user = c.facts.displayUser(username: row[1].string, userId: row[2].string, directory: directory)
            let evidence = try c.facts.evidence("""
                SELECT \(Schema.evidence("s", "a.line")) FROM api_activity a JOIN sources s ON s.id = a.source_id WHERE \(condition)
                  AND a.delegated_user IS (SELECT id FROM strings WHERE value = ?) AND a.username IS (SELECT id FROM strings WHERE value = ?)
                  AND a.user_id IS (SELECT id FROM strings WHERE value = ?) ORDER BY a.time
                """, c.window + [row[0], row[1], row[2]])
            return Finding(rule: id, severity: defaultSeverity, firstSeen: row[4].int ?? 0, lastSeen: row[5].int ?? 0, user: user,
                           message: "\(row[0].string ?? "an administrator") logged in as \(user ?? "a user") (\(row[3].int ?? 0)×)",
                           count: Int(row[3].int ?? 0), evidence: evidence,
                           identity: [row[0].string ?? "", user ?? ""])
        }
    }

    var examples: [RuleExample] {
        [.fires("an admin as a user", [.loginAs("2026-11-21T06:00:00Z", admin: "admin@acme.example", user: "bob@acme.example")]),
         .quiet("ordinary logins", [.login("2026-11-21T06:00:00Z", app: "Browser", user: "admin@acme.example", flow: .ui)])]
    }
}
