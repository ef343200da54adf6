struct ConsumerNotApprovedRule: Rule {
    let id = "consumer-not-approved"
    let title = "User not approved for the connected app"
    let defaultSeverity = Severity.medium
    let rationale = """
        "user hasn't approved this consumer", "Not approved for access" and invalid_app_access mean the subject is \
        not pre-authorized for the app (profile or permission set not assigned, or admin approval required). For an \
        integration it is a broken deployment; for a subject that was never meant to use the app, someone is trying.
        """
    let knobs: [String] = []

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        // Server side: integration flows only; a person trying an app they are not assigned
        // to is not what this rule is for.
        let notApproved = FailureClass.notApproved.rawValue
        struct ServerKey: Hashable { let app: String?, user: String? }
        let servers = try c.facts.mergeLogins { g, x -> ServerKey? in
            guard x.failureClass == notApproved, x.isServerToServer else { return nil }
            return ServerKey(app: try c.names.name(g.app), user: try c.facts.displayUser(username: g.username, userId: g.userId))
        }
        let serverEvidence = try c.facts.loginEvidence(for: servers)
        var findings = servers.map { key, m in
            Finding(rule: id, severity: defaultSeverity, firstSeen: m.group.first, lastSeen: m.group.last, app: key.app, user: key.user,
                    message: "\(key.user ?? "a user") is not approved for \(key.app ?? "the app") (\(m.group.count) failed login(s))",
                    count: m.group.count, evidence: serverEvidence[key] ?? [], identity: ["server", key.app ?? "", key.user ?? ""])
        }
        let notApprovedId = try c.names.id(notApproved)
        struct ClientKey: Hashable { let host: String?, client: String?, sub: String? }
        let clients = try c.facts.mergeRequests { g, _ -> ClientKey? in
            guard notApprovedId != 0, g.failureClass == notApprovedId else { return nil }
            return ClientKey(host: try c.names.name(g.host), client: try c.names.name(g.clientId), sub: try c.names.name(g.sub))
        }
        let clientEvidence = try c.facts.requestEvidence(for: clients)
        findings += clients.map { key, m in
            Finding(rule: id, severity: defaultSeverity, firstSeen: m.group.first, lastSeen: m.group.last,
                    app: c.app(forClientId: key.client)?.name ?? key.client, user: key.sub, host: key.host,
                    message: "\(key.host ?? "a client") asked for \(key.sub ?? "a subject") but it is not approved for the app (\(m.group.count)×)",
                    count: m.group.count, evidence: clientEvidence[key] ?? [], identity: ["client", key.host ?? "", key.client ?? "", key.sub ?? ""])
        }
        return findings
    }

    var examples: [RuleExample] {
        [.fires("server: Not approved for access on an integration flow",
                [.login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "qa-bot@acme.example", flow: .jwtBearer, status: "Failed: Not approved for access")]),
         .quiet("a person not assigned to an app they tried in the browser",
                [.login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "bob@acme.example", flow: .webServer, status: "Failed: Not approved for access")]),
         .fires("client: user hasn't approved this consumer",
                [.token("2026-11-21T06:00:00Z", sub: "bob@acme.example", status: 400, error: "invalid_grant", description: "user hasn't approved this consumer")]),
         .quiet("a mistyped password", [.login("2026-11-21T06:00:00Z", app: "Browser", user: "bob@acme.example", flow: .ui, status: "Invalid Password")])]
    }
}
