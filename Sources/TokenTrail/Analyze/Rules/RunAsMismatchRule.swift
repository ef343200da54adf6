struct RunAsMismatchRule: Rule {
    let id = "run-as-mismatch"
    let title = "Client credentials login as a user other than the Run As user"
    let defaultSeverity = Severity.high
    let cause = Cause.misuse
    let remedy = "Check the app's Run As user in Setup (Client Credentials Flow); if it changed without a change request, set it back and rotate the consumer secret."
    let verdict: String? = "{who} ran as an unexpected user, {user}"
    let rationale = """
        A client credentials token runs as the app's configured Run As (execution) user. A login as anyone else \
        means the Run As user was changed in the app's policies: check who changed it and whether the new user has \
        more access than the integration needs.
        """
    let knobs = ["apps[].runAsUser"]

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        let cc = Flow.clientCredentials.rawValue
        // The user each app has always used (most logins before the window).
        struct Use: Hashable { let app: String, user: String }
        var usual: [String: (user: String, count: Int)] = [:]
        for (use, m) in try c.facts.mergeLogins(history: true, { g, x -> Use? in
            guard x.flow == cc, g.app != 0, let user = try c.facts.displayUser(username: g.username, userId: g.userId) else { return nil }
            return Use(app: try c.names.name(g.app) ?? "", user: user)
        }) where m.group.count > usual[use.app]?.count ?? 0 || (m.group.count == usual[use.app]?.count && use.user < usual[use.app]!.user) {
            usual[use.app] = (use.user, m.group.count)
        }
        struct Key: Hashable { let app: String, user: String, named: Bool }
        let window = try c.facts.mergeLogins { g, x -> Key? in
            guard x.flow == cc, g.app != 0, let user = try c.facts.displayUser(username: g.username, userId: g.userId) else { return nil }
            return Key(app: try c.names.name(g.app) ?? "", user: user, named: g.username != 0)
        }
        var hits: [Key: String] = [:]
        for key in window.keys {
            if let runAs = c.app(named: key.app)?.runAsUser {
                if key.user == runAs || (!key.named && key.user.hasPrefix("005")) { continue }
                hits[key] = "the policy's Run As user is \(runAs)"
            } else if let previous = usual[key.app]?.user, key.user != previous {
                hits[key] = "it has always run as \(previous)"
            }
        }
        let wanted = window.filter { hits[$0.key] != nil }
        let evidence = c.facts.loginEvidence(for: wanted)
        return wanted.map { key, m in
            Finding(rule: id, severity: defaultSeverity, firstSeen: m.group.first, lastSeen: m.group.last, app: key.app, user: key.user,
                    message: "\(key.app) ran client credentials as \(key.user) (\(m.group.count)×), but \(hits[key]!)",
                    count: m.group.count, evidence: evidence[key] ?? [], identity: [key.app, key.user])
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
