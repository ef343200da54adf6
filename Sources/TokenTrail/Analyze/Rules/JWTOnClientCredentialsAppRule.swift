struct JWTOnClientCredentialsAppRule: Rule {
    let id = "jwt-on-client-credentials-app"
    let title = "Client credentials app also used by JWT bearer as another user"
    let defaultSeverity = Severity.medium
    let rationale = """
        An app with both flows enabled can be used by JWT bearer to act as any pre-authorized user, not only its Run \
        As user. If the app is meant for client credentials, disable JWT bearer on it (or remove its certificate) and \
        check who the JWT logins acted as.
        """
    let knobs = ["apps[].runAsUser"]

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        let directory = try c.usernames()
        var runAs: [String: Set<String>] = [:]
        for row in try c.rows("SELECT DISTINCT app, username, user_id FROM v_logins WHERE flow = 'client_credentials' AND app IS NOT NULL AND time_ms <= ?",
                              [.integer(c.windowEnd)]) {
            if let app = row[0].string, let user = c.displayUser(username: row[1].string, userId: row[2].string, directory: directory) {
                runAs[app, default: []].insert(user)
            }
        }
        for app in c.policy?.apps ?? [] { if let user = app.runAsUser { runAs[app.name] = [user] } }
        var hits: [([SQLValue], String, Set<String>)] = []
        for row in try c.rows("""
            SELECT app, username, user_id, count(*), min(time_ms), max(time_ms) FROM v_logins
            WHERE flow = 'jwt_bearer' AND time_ms BETWEEN ? AND ? AND app IS NOT NULL GROUP BY 1, 2, 3
            """, c.window) {
            guard let app = row[0].string, let users = runAs[app],
                  let user = c.displayUser(username: row[1].string, userId: row[2].string, directory: directory),
                  !users.contains(user) else { continue }
            hits.append((row, user, users))
        }
        let evidence = try c.evidence(groups: Set(hits.map { AnalysisContext.groupKey($0.0, 0..<3) }), key: ["app", "username", "user_id"],
                                      from: "v_logins", where: "flow = 'jwt_bearer' AND time_ms BETWEEN ? AND ?", c.window)
        var described: [String: String] = [:]   // once per app, not per finding
        func describe(_ app: String, _ users: Set<String>) -> String {
            if let text = described[app] { return text }
            let sorted = users.sorted()
            let text = sorted.prefix(3).joined(separator: ", ") + (sorted.count > 3 ? " and \(sorted.count - 3) more" : "")
            described[app] = text
            return text
        }
        return hits.map { row, user, users in
            let app = row[0].string ?? ""
            return Finding(rule: id, severity: defaultSeverity, firstSeen: row[4].int ?? 0, lastSeen: row[5].int ?? 0, app: app, user: user,
                           message: "\(app) runs client credentials as \(describe(app, users)) but also logged in by JWT bearer as \(user) (\(row[3].int ?? 0)×)",
                           count: Int(row[3].int ?? 0), evidence: evidence[AnalysisContext.groupKey(row, 0..<3)] ?? [], identity: [app, user])
        }
    }

    var examples: [RuleExample] {
        [.fires("JWT bearer as another user on a client credentials app",
                [.login("2026-11-21T05:00:00Z", app: "Acme Reporting", user: "reporting-bot@acme.example", flow: .clientCredentials),
                 .login("2026-11-21T06:00:00Z", app: "Acme Reporting", user: "ceo@acme.example", flow: .jwtBearer)]),
         .quiet("JWT bearer as the Run As user itself",
                [.login("2026-11-21T05:00:00Z", app: "Acme Reporting", user: "reporting-bot@acme.example", flow: .clientCredentials),
                 .login("2026-11-21T06:00:00Z", app: "Acme Reporting", user: "reporting-bot@acme.example", flow: .jwtBearer)]),
         .quiet("a JWT-only app", [.login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer)])]
    }
}
