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
        let directory = try c.usernames()
        let condition = "event_type = 'LoginAs' AND time_ms BETWEEN ? AND ?"
        let rows = try c.rows("SELECT delegated_user, username, user_id, count(*), min(time_ms), max(time_ms) FROM v_api_activity WHERE \(condition) GROUP BY 1, 2, 3", c.window)
        let evidence = try c.evidence(groups: Set(rows.map { AnalysisContext.groupKey($0, 0..<3) }), key: ["delegated_user", "username", "user_id"],
                                      from: "v_api_activity", where: condition, c.window)
        return rows.map { row in
            let user = c.displayUser(username: row[1].string, userId: row[2].string, directory: directory)
            return Finding(rule: id, severity: defaultSeverity, firstSeen: row[4].int ?? 0, lastSeen: row[5].int ?? 0, user: user,
                           message: "\(row[0].string ?? "an administrator") logged in as \(user ?? "a user") (\(row[3].int ?? 0)×)",
                           count: Int(row[3].int ?? 0), evidence: evidence[AnalysisContext.groupKey(row, 0..<3)] ?? [],
                           identity: [row[0].string ?? "", user ?? ""])
        }
    }

    var examples: [RuleExample] {
        [.fires("an admin as a user", [.loginAs("2026-11-21T06:00:00Z", admin: "admin@acme.example", user: "bob@acme.example")]),
         .quiet("ordinary logins", [.login("2026-11-21T06:00:00Z", app: "Browser", user: "admin@acme.example", flow: .ui)])]
    }
}
