struct UnknownAppRule: Rule {
    let id = "unknown-app"
    let title = "OAuth login by an app nobody declared"
    let defaultSeverity = Severity.medium
    let cause = Cause.misuse
    let remedy = "Find who authorized the app and why; block it (Connected Apps OAuth Usage → Block) unless it is expected, then add it to the policy."
    let verdict: String? = "An unknown app logged in: {who}"
    let rationale = """
        Every connected app that obtains tokens is a way into the org. An app missing from the policy (or, without a \
        policy, one never seen before) deserves a look: who installed it, which users it acts as, which flows it uses.
        """
    let knobs = ["apps[].name"]

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        let declared = Set((c.policy?.apps ?? []).map(\.name))
        let usePolicy = !declared.isEmpty
        guard try usePolicy || c.facts.hasHistory else { return [] }
        let known = usePolicy ? declared : Set(try c.facts.mergeLogins(history: true) { g, _ in try c.names.name(g.app) }.keys)
        var flows: [String: Set<String>] = [:]
        let apps = try c.facts.mergeLogins { g, x -> String? in
            guard x.isOAuth, let app = try c.names.name(g.app), !known.contains(app) else { return nil }
            flows[app, default: []].insert(x.flow)
            return app
        }
        let evidence = c.facts.loginEvidence(for: apps)
        let why = usePolicy ? "not in the policy" : "first seen"
        return try apps.map { app, m in
            let covered = try c.facts.users(of: m)
            return Finding(rule: id, severity: defaultSeverity, firstSeen: m.group.first, lastSeen: m.group.last, app: app,
                           message: "\(app) (\(why)) logged in \(m.group.count)× as \(Finding.usersPhrase(covered)) by \((flows[app] ?? []).sorted().joined(separator: ","))",
                           count: m.group.count, evidence: evidence[app] ?? [], identity: [app], users: covered)
        }
    }

    var examples: [RuleExample] {
        let policy = #"{"apps":[{"name":"Acme ERP Sync","flows":["jwt_bearer"]}]}"#
        return [
            .fires("an app the policy does not list", policy: policy,
                   [.login("2026-11-21T06:00:00Z", app: "Shady Sync", user: "erp@acme.example", flow: .jwtBearer)]),
            .fires("no policy: first seen", windowStart: "2026-11-20T00:00:00Z",
                   [.login("2026-11-10T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer),
                    .login("2026-11-21T06:00:00Z", app: "Shady Sync", user: "erp@acme.example", flow: .refreshToken)]),
            .fires("one unknown app, three users: one finding", policy: policy, findings: 1, users: 3,
                   [.login("2026-11-21T06:00:00Z", app: "Shady Sync", user: "a@acme.example", flow: .refreshToken),
                    .login("2026-11-21T06:01:00Z", app: "Shady Sync", user: "b@acme.example", flow: .refreshToken),
                    .login("2026-11-21T06:02:00Z", app: "Shady Sync", user: "c@acme.example", flow: .webServer)]),
            .quiet("a declared app", policy: policy, [.login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer)]),
            .quiet("UI logins are not OAuth apps", policy: policy, [.login("2026-11-21T06:00:00Z", app: "Browser", user: "bob@acme.example", flow: .ui)]),
            .quiet("no policy, first scan", [.login("2026-11-21T06:00:00Z", app: "Shady Sync", user: "erp@acme.example", flow: .jwtBearer)]),
        ]
    }
}
