struct LegacyFlowRule: Rule {
    let id = "legacy-flow"
    let title = "Legacy authentication: username-password OAuth, SOAP login(), old TLS"
    let defaultSeverity = Severity.low
    let cause = Cause.hygiene
    let remedy = "Move the client off the username-password flow (or SOAP login(), old TLS) to JWT bearer or client credentials."
    let rationale = """
        The OAuth username-password flow and SOAP login() send a password (often with its security token) instead of \
        a key or secret that can be scoped and rotated; TLS below 1.2 is being retired. Move these integrations to \
        JWT bearer or client credentials.
        """
    let knobs: [String] = []

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        let legacyTLS: Set<String> = ["TLS 1.0", "TLS 1.1", "TLSv1", "TLSv1.1", "SSLv3"]
        // One finding per app and reason, its users listed (what is migrated is the app's
        // integration); a login whose export names no app (SOAP, ELF rows) counts under its user.
        // (An app-less row of a user who did the same through one app joins that app's finding.)
        struct Key: Hashable { let app: Int64, user: String, why: String }
        func why(_ x: LoginContextInfo) -> String? {
            if x.flow == Flow.usernamePassword.rawValue { return "the username-password OAuth flow" }
            if x.flow == Flow.soapApi.rawValue { return "SOAP login()" }
            if let tls = x.tls, legacyTLS.contains(tls) { return tls }
            return nil
        }
        struct UserReason: Hashable { let user: String, why: String }
        var appsOf: [UserReason: Set<Int64>] = [:]
        _ = try c.facts.mergeLogins { g, x -> Int? in
            if g.app != 0, let why = why(x), let user = try c.facts.displayUser(username: g.username, userId: g.userId) {
                appsOf[UserReason(user: user, why: why), default: []].insert(g.app)
            }
            return nil
        }
        let groups = try c.facts.mergeLogins { g, x -> Key? in
            guard let why = why(x) else { return nil }
            if g.app != 0 { return Key(app: g.app, user: "", why: why) }
            let user = try c.facts.displayUser(username: g.username, userId: g.userId) ?? "?"
            if let apps = appsOf[UserReason(user: user, why: why)], apps.count == 1, let app = apps.first { return Key(app: app, user: "", why: why) }
            return Key(app: 0, user: user, why: why)
        }
        let evidence = c.facts.loginEvidence(for: groups)
        return try groups.map { key, m in
            let app = try c.names.name(key.app), users = try c.facts.users(of: m)
            return Finding(rule: id, severity: defaultSeverity, firstSeen: m.group.first, lastSeen: m.group.last, app: app,
                           message: "\(Finding.usersPhrase(users)) logged in with \(key.why)\(app.map { " via " + $0 } ?? "") (\(m.group.count)×)",
                           count: m.group.count, evidence: evidence[key] ?? [], identity: app.map { [$0, key.why] } ?? [key.user, key.why], users: users)
        }
    }

    var examples: [RuleExample] {
        [.fires("Data Loader with a password", [.login("2026-11-21T06:00:00Z", app: "Dataloader Partner", user: "admin@acme.example", flow: .usernamePassword)]),
         .fires("three users of one app with a password: one finding", findings: 1, users: 3,
                [.login("2026-11-21T06:00:00Z", app: "Dataloader Partner", user: "a@acme.example", flow: .usernamePassword),
                 .login("2026-11-21T06:01:00Z", app: "Dataloader Partner", user: "b@acme.example", flow: .usernamePassword),
                 .login("2026-11-21T06:02:00Z", app: "Dataloader Partner", user: "c@acme.example", flow: .usernamePassword)]),
         .fires("SOAP login()", [.login("2026-11-21T06:00:00Z", app: nil, user: "old-etl@acme.example", flow: .soapApi)]),
         .fires("TLS 1.1", [.login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer, tls: "TLS 1.1")]),
         .quiet("JWT bearer over TLS 1.2", [.login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer)])]
    }
}
