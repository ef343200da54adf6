struct RunAsMismatchRule: Rule {
    let id = "run-as-mismatch"
    let title = "Client credentials login as a user other than the Run As user"
    let defaultSeverity = Severity.high
    let rationale = """
        A client credentials token runs as the app's configured Run As (execution) user. A login as anyone else \
        means the Run As user was changed in the app's policies: check who changed it and whether the new user has \
        more access than the integration needs.
        """
    let knobs = ["apps[].runAsUser"]

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        let directory = try c.usernames()
        // The user each app has always used (most logins before the window).
        var usual: [String: String] = [:]
        for row in try c.rows("""
            SELECT app, username, user_id, count(*) AS n FROM v_logins WHERE flow = 'client_credentials' AND time_ms < ?
              AND app IS NOT NULL GROUP BY 1, 2, 3 ORDER BY n
            """, [.integer(c.windowStart)]) {
            if let app = row[0].string, let user = c.displayUser(username: row[1].string, userId: row[2].string, directory: directory) { usual[app] = user }
        }
        var hits: [([SQLValue], String, String)] = []
        for row in try c.rows("""
            SELECT app, username, user_id, count(*), min(time_ms), max(time_ms) FROM v_logins
            WHERE flow = 'client_credentials' AND time_ms BETWEEN ? AND ? AND app IS NOT NULL GROUP BY 1, 2, 3
            """, c.window) {
            let app = row[0].string ?? ""
            guard let user = c.displayUser(username: row[1].string, userId: row[2].string, directory: directory) else { continue }
            if let runAs = c.app(named: app)?.runAsUser {
                if user == runAs || (row[1].string == nil && user.hasPrefix("005")) { continue }
                hits.append((row, user, "the policy's Run As user is \(runAs)"))
            } else if let previous = usual[app], user != previous {
                hits.append((row, user, "it has always run as \(previous)"))
            }
        }
        let evidence = try c.evidence(groups: Set(hits.map { AnalysisContext.groupKey($0.0, 0..<3) }), key: ["app", "username", "user_id"],
                                      from: "v_logins", where: "flow = 'client_credentials' AND time_ms BETWEEN ? AND ?", c.window)
        return hits.map { row, user, expected in
            let app = row[0].string ?? ""
            return Finding(rule: id, severity: defaultSeverity, firstSeen: row[4].int ?? 0, lastSeen: row[5].int ?? 0, app: app, user: user,
                           message: "\(app) ran client credentials as \(user) (\(row[3].int ?? 0)×), but \(expected)",
                           count: Int(row[3].int ?? 0), evidence: evidence[AnalysisContext.groupKey(row, 0..<3)] ?? [], identity: [app, user])
        }
    }

    var examples: [RuleExample] {
        let policy = #"{"apps":[{"name":"Acme Reporting","flows":["client_credentials"],"runAsUser":"reporting-bot@acme.example"}]}"#
        return [
            .fires("policy names another Run As user", policy: policy,
                   [.login("2026-11-21T06:00:00Z", app: "Acme Reporting", user: "admin@acme.example", flow: .clientCredentials)]),
            .fires("no policy: the Run As user changed", windowStart: "2026-11-20T00:00:00Z",
                   [.login("2026-11-10T06:00:00Z", app: "Acme Reporting", user: "reporting-bot@acme.example", flow: .clientCredentials),
                    .login("2026-11-21T06:00:00Z", app: "Acme Reporting", user: "admin@acme.example", flow: .clientCredentials)]),
            .quiet("the declared Run As user", policy: policy,
                   [.login("2026-11-21T06:00:00Z", app: "Acme Reporting", user: "reporting-bot@acme.example", flow: .clientCredentials)]),
            .quiet("no policy, no history", [.login("2026-11-21T06:00:00Z", app: "Acme Reporting", user: "admin@acme.example", flow: .clientCredentials)]),
        ]
    }
}
