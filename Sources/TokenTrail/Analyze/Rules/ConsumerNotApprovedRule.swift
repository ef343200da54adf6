struct ConsumerNotApprovedRule: Rule {
    let id = "consumer-not-approved"
    let title = "User not approved for the connected app"
    let defaultSeverity = Severity.medium
    let cause = Cause.breakage
    let remedy = "Pre-authorize the user for the app (Admin approved users: profile or permission set), or correct the subject."
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
        // One finding per app (server side) and per client workload (HostWorkload) and client id (client side):
        // the cause is the app's approvals, whoever the users are, and they are listed.
        let servers = try c.facts.mergeLogins { g, x -> Int64? in x.failureClass == notApproved && x.isServerToServer ? g.app : nil }
        let serverEvidence = c.facts.loginEvidence(for: servers)
        let logins = try c.facts.loginsPerApp()
        var findings = try servers.map { app, m in
            let name = try c.names.name(app), users = try c.facts.users(of: m)
            return Finding(rule: id, severity: Impact.severity(defaultSeverity, records: m.group.count, users: users.count, attempts: logins[app] ?? 0),
                           firstSeen: m.group.first, lastSeen: m.group.last, app: name,
                           message: "\(Finding.usersPhrase(users)) \(users.count == 1 ? "is" : "are") not approved for \(name ?? "the app") (\(m.group.count) failed login(s))",
                           count: m.group.count, evidence: serverEvidence[app] ?? [], identity: ["server", name ?? ""], users: users)
        }
        let notApprovedId = try c.names.id(notApproved)
        struct ClientKey: Hashable { let host: String?, client: Int64 }
        let clients = try c.facts.mergeRequests { g, _ -> ClientKey? in
            notApprovedId != 0 && g.failureClass == notApprovedId ? ClientKey(host: try c.hostGroup(g.host), client: g.clientId) : nil
        }
        let clientEvidence = c.facts.requestEvidence(for: clients)
        let requests = try c.facts.requestsPerClient()
        findings += try clients.map { key, m in
            let host = key.host, client = try c.names.name(key.client), users = try c.facts.subjects(of: m)
            return Finding(rule: id, severity: Impact.severity(defaultSeverity, records: m.group.count, users: users.count,
                                                               attempts: c.attempts(of: m.members, in: requests)),
                           firstSeen: m.group.first, lastSeen: m.group.last, app: c.app(forClientId: client)?.name ?? client, host: host,
                           message: "\(host ?? "a client") asked for \(Finding.usersPhrase(users)) but \(users.count == 1 ? "it is" : "they are") not approved for the app (\(m.group.count)×)",
                           count: m.group.count, evidence: clientEvidence[key] ?? [], identity: ["client", host ?? "", client ?? ""], users: users)
        }
        return findings
    }

    var examples: [RuleExample] {
        [.fires("server: Not approved for access on an integration flow",
                [.login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "qa-bot@acme.example", flow: .jwtBearer, status: "Failed: Not approved for access")]),
         .fires("three subjects of one app: one finding listing them", findings: 1, users: 3,
                [.login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "a@acme.example", flow: .jwtBearer, status: "Failed: Not approved for access"),
                 .login("2026-11-21T06:01:00Z", app: "Acme ERP Sync", user: "b@acme.example", flow: .jwtBearer, status: "Failed: Not approved for access"),
                 .login("2026-11-21T06:02:00Z", app: "Acme ERP Sync", user: "c@acme.example", flow: .clientCredentials, status: "Failed: Not approved for access")]),
         .fires("one host asking for two subjects: one finding", findings: 1, users: 2,
                [.token("2026-11-21T06:00:00Z", sub: "a@acme.example", status: 400, error: "invalid_grant", description: "user hasn't approved this consumer"),
                 .token("2026-11-21T06:05:00Z", sub: "b@acme.example", status: 400, error: "invalid_grant", description: "user hasn't approved this consumer")]),
         .quiet("a person not assigned to an app they tried in the browser",
                [.login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "bob@acme.example", flow: .webServer, status: "Failed: Not approved for access")]),
         .fires("client: user hasn't approved this consumer",
                [.token("2026-11-21T06:00:00Z", sub: "bob@acme.example", status: 400, error: "invalid_grant", description: "user hasn't approved this consumer")]),
         .quiet("a mistyped password", [.login("2026-11-21T06:00:00Z", app: "Browser", user: "bob@acme.example", flow: .ui, status: "Invalid Password")])]
    }
}
