struct JWTOnClientCredentialsAppRule: Rule {
    let id = "jwt-on-client-credentials-app"
    let title = "Client credentials app also used by JWT bearer as another user"
    let defaultSeverity = Severity.medium
    let cause = Cause.hygiene
    let remedy = "Decide which flow the app needs and disable the other; with both on, the key can act as any pre-authorized user."
    let rationale = """
        An app with both flows enabled can be used by JWT bearer to act as any pre-authorized user, not only its Run \
        As user. If the app is meant for client credentials, disable JWT bearer on it (or remove its certificate) and \
        check who the JWT logins acted as.
        """
    let knobs = ["apps[].runAsUser"]

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        let jwt = Flow.jwtBearer.rawValue, cc = Flow.clientCredentials.rawValue
        // Run As users of each app: the policy's, else every user it ran client credentials as (up to the window's end).
        var runAs: [String: Set<String>] = [:]
        for history in [true, false] {
            for key in try c.facts.mergeLogins(history: history, { g, x -> [String]? in
                guard x.flow == cc, g.app != 0, let user = try c.facts.displayUser(username: g.username, userId: g.userId) else { return nil }
                return [try c.names.name(g.app) ?? "", user]
            }).keys { runAs[key[0], default: []].insert(key[1]) }
        }
        for app in c.policy?.apps ?? [] { if let user = app.runAsUser { runAs[app.name] = [user] } }
        // One finding per app (the cause: both flows enabled), the JWT users listed.
        let window = try c.facts.mergeLogins { g, x -> String? in
            guard x.flow == jwt, g.app != 0, let app = try c.names.name(g.app), let users = runAs[app],
                  let user = try c.facts.displayUser(username: g.username, userId: g.userId), !users.contains(user) else { return nil }
            return app
        }
        let evidence = c.facts.loginEvidence(for: window)
        var described: [String: String] = [:]   // once per app, not per finding
        func describe(_ app: String) -> String {
            if let text = described[app] { return text }
            let sorted = (runAs[app] ?? []).sorted()
            let text = sorted.prefix(3).joined(separator: ", ") + (sorted.count > 3 ? " and \(sorted.count - 3) more" : "")
            described[app] = text
            return text
        }
        return try window.map { app, m in
            let users = try c.facts.users(of: m)
            return Finding(rule: id, severity: defaultSeverity, firstSeen: m.group.first, lastSeen: m.group.last, app: app,
                           message: "\(app) runs client credentials as \(describe(app)) but also logged in by JWT bearer as \(Finding.usersPhrase(users)) (\(m.group.count)×)",
                           count: m.group.count, evidence: evidence[app] ?? [], identity: [app], users: users)
        }
    }

    var examples: [RuleExample] {
        [.fires("JWT bearer as another user on a client credentials app",
                [.login("2026-11-21T05:00:00Z", app: "Acme Reporting", user: "reporting-bot@acme.example", flow: .clientCredentials),
                 .login("2026-11-21T06:00:00Z", app: "Acme Reporting", user: "ceo@acme.example", flow: .jwtBearer)]),
         .fires("JWT bearer as two other users: one finding for the app", findings: 1, users: 2,
                [.login("2026-11-21T05:00:00Z", app: "Acme Reporting", user: "reporting-bot@acme.example", flow: .clientCredentials),
                 .login("2026-11-21T06:00:00Z", app: "Acme Reporting", user: "ceo@acme.example", flow: .jwtBearer),
                 .login("2026-11-21T06:10:00Z", app: "Acme Reporting", user: "cfo@acme.example", flow: .jwtBearer)]),
         .quiet("JWT bearer as the Run As user itself",
                [.login("2026-11-21T05:00:00Z", app: "Acme Reporting", user: "reporting-bot@acme.example", flow: .clientCredentials),
                 .login("2026-11-21T06:00:00Z", app: "Acme Reporting", user: "reporting-bot@acme.example", flow: .jwtBearer)]),
         .quiet("a JWT-only app", [.login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer)])]
    }
}
