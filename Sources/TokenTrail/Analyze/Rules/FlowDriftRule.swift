struct FlowDriftRule: Rule {
    let id = "flow-drift"
    let title = "App logs in with a flow it does not use"
    let defaultSeverity = Severity.high
    let cause = Cause.misuse
    let remedy = "Confirm the new flow was a planned change; otherwise disable it on the connected app and rotate the credentials it used."
    let verdict: String? = "{who} logged in with a flow it does not use"
    let rationale = """
        An integration uses one flow. A JWT bearer app suddenly logging in by username-password, or a client \
        credentials app by JWT bearer, means someone enabled another flow on it or uses its credentials in a way it \
        was not meant for. Check the app's OAuth policies and who logged in.
        """
    let knobs = ["apps[].flows"]

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        struct Key: Hashable { let app: String, flow: String }
        // The history of the window's apps only (one symbol per name): naming every group of
        // all history is the cost otherwise.
        let windowApps = Set(try c.facts.loginFacts().window.keys.map(\.app))
        func successes(history: Bool) throws -> [Key: Merged<LoginGroup>] {
            try c.facts.mergeLogins(history: history) { g, x -> Key? in
                guard windowApps.contains(g.app), x.isOAuth, x.flowIsKnown, x.isSuccess, let app = try c.names.name(g.app) else { return nil }
                return Key(app: app, flow: x.flow)
            }
        }
        var history: [String: Set<String>] = [:]
        for key in try successes(history: true).keys { history[key.app, default: []].insert(key.flow) }
        let window = try successes(history: false)
        var hits: [Key: String] = [:]
        for key in window.keys {
            if let declared = c.app(named: key.app)?.flows, !declared.isEmpty {
                if !declared.map(\.rawValue).contains(key.flow) { hits[key] = "the policy declares \(declared.map(\.rawValue).joined(separator: ", "))" }
            } else if let used = history[key.app], !used.contains(key.flow) {
                hits[key] = "before, it used \(used.sorted().joined(separator: ", "))"
            }
        }
        let wanted = window.filter { hits[$0.key] != nil }
        let evidence = c.facts.loginEvidence(for: wanted)
        return try wanted.map { key, m in
            let users = try c.facts.users(of: m)
            return Finding(rule: id, severity: defaultSeverity, firstSeen: m.group.first, lastSeen: m.group.last, app: key.app,
                           message: "\(key.app) logged in by \(key.flow) as \(Finding.usersPhrase(users)) (\(m.group.count)×): \(hits[key] ?? "")",
                           count: m.group.count, evidence: evidence[key] ?? [], identity: [key.app, key.flow], users: users)
        }
    }

    var examples: [RuleExample] {
        let policy = #"{"apps":[{"name":"Acme ERP Sync","flows":["jwt_bearer"]}]}"#
        return [
            .fires("a flow the policy does not declare", policy: policy,
                   [.login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .usernamePassword)]),
            .fires("no policy: a flow never used before", windowStart: "2026-11-20T00:00:00Z",
                   [.login("2026-11-10T06:00:00Z", app: "Acme Reporting", user: "bot@acme.example", flow: .clientCredentials),
                    .login("2026-11-21T06:00:00Z", app: "Acme Reporting", user: "bot@acme.example", flow: .jwtBearer)]),
            .fires("an undeclared flow by two users: one finding", policy: policy, findings: 1, users: 2,
                   [.login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "a@acme.example", flow: .usernamePassword),
                    .login("2026-11-21T06:05:00Z", app: "Acme ERP Sync", user: "b@acme.example", flow: .usernamePassword)]),
            .quiet("the declared flow", policy: policy, [.login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer)]),
            .quiet("no policy, no history", [.login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .usernamePassword)]),
            .quiet("a person's failed attempt with another flow", policy: policy,
                   [.login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "bob@acme.example", flow: .webServer, status: "Failed: Not approved for access")]),
        ]
    }
}
