struct IntegrationIPBlockedRule: Rule {
    let id = "integration-ip-blocked"
    let title = "Integration login refused by IP restrictions from a new network"
    let defaultSeverity = Severity.medium
    let cause = Cause.misuse
    let remedy = "The IP restriction held, but the key or token is in someone else's hands: rotate it and revoke the app's tokens."
    let verdict: String? = "{who}'s key tried from a blocked network"
    let rationale = """
        Login IP ranges or a connected app's IP relaxation refused an integration's login from a network it never \
        used. The control held, but the key, secret or refresh token is in someone else's hands, and they will try \
        again from elsewhere. Rotate the credential and find where it leaked.
        """
    let knobs = ["apps[].integration", "integrationMaxUsers", "integrationMaxNetworks"]

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        let facts = try c.facts.loginFacts(), integrations = try c.integrations().apps
        let refusedRows = facts.windowRefusedMachine
        let owners = Set(refusedRows.map { NetworkUse(app: $0.app, ip: 0, user: NetworkUse($0).user) })
        guard !owners.isEmpty else { return [] }
        // Networks each integration (or app-less user) logged in from before the window.
        var known: [NetworkUse: Set<String>] = [:]
        for use in facts.historyNetworks where owners.contains(NetworkUse(app: use.app, ip: 0, user: use.user)) {
            if let network = try c.facts.network(ofAddress: use.ip) { known[NetworkUse(app: use.app, ip: 0, user: use.user), default: []].insert(network) }
        }
        // One finding per integration (the leaked credential), its refused networks counted.
        typealias Key = NetworkUse
        // Without history, only an app that declares its networks (sourceCidrs) can be judged.
        var declared: [Int64: [CIDR]] = [:]
        for app in c.policy?.apps ?? [] where !app.sourceCidrs.isEmpty {
            let symbol = try c.names.id(app.name)
            if symbol != 0 { declared[symbol] = app.sourceCidrs.compactMap(CIDR.init) }
        }
        guard !known.isEmpty || !declared.isEmpty else { return [] }
        struct Hit { var group = Group(), declaredOnly = false, ips: [String: Int] = [:], networks: Set<String> = [], users: [String: Int] = [:], evidence: [String] = [] }
        var hits: [Key: Hit] = [:]
        for row in refusedRows {
            guard row.app == 0 || integrations.contains(row.app), let ip = try c.names.name(row.sourceIp) else { continue }
            let use = NetworkUse(row), owner = NetworkUse(app: use.app, ip: 0, user: use.user)
            // Judged against where it logged in before: without history nothing is "never used".
            if let networks = known[owner] {
                guard !networks.contains(CIDR.network(of: ip)) else { continue }
            } else {
                guard let cidrs = declared[owner.app], !cidrs.contains(where: { $0.contains(ip) }) else { continue }
            }
            let key = owner
            var hit = hits[key] ?? Hit()
            hit.networks.insert(CIDR.network(of: ip))
            hit.declaredOnly = known[owner] == nil
            hit.group.add(row.time)
            hit.ips[ip, default: 0] += 1
            if let user = try c.facts.displayUser(username: row.username, userId: row.userId) { hit.users[user, default: 0] += 1 }
            if hit.evidence.count < Finding.maxEvidence { hit.evidence.append(try c.facts.evidence(source: row.sourceId, line: row.line)) }
            hits[key] = hit
        }
        return try hits.map { key, hit in
            let app = try c.names.name(key.app)
            let owner = try app ?? "user " + (c.facts.displayUser(username: 0, userId: key.user) ?? c.names.name(key.user) ?? "?")
            let networks = (hit.networks.count == 1 ? "a network" : "\(hit.networks.count) networks") + (hit.declaredOnly ? " outside those the policy declares," : " it never used:")
            return Finding(rule: id, severity: defaultSeverity, firstSeen: hit.group.first, lastSeen: hit.group.last, app: app,
                           sourceIp: hit.ips.count == 1 ? hit.ips.keys.first : nil,
                           message: "\(hit.group.count) login(s) of \(app ?? "an integration user") as \(Finding.usersPhrase(hit.users)) from "
                               + "\(Finding.counted(hit.ips, noun: "addresses", none: "?")) were refused by IP restrictions, \(networks) the credential is in someone else's hands",
                           count: hit.group.count, evidence: hit.evidence, identity: [owner], users: hit.users)
        }
    }

    var examples: [RuleExample] {
        let usual = ExampleEvent.login("2026-11-10T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer, ip: "198.51.100.23")
        return [
            .fires("the integration refused from a hosting network", windowStart: "2026-11-20T00:00:00Z", findings: 1,
                   [usual, .login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer,
                                  status: "Failed: IP Address Not Allowed", ip: "45.76.10.2"),
                    .login("2026-11-21T06:01:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer,
                           status: "Failed: IP Address Not Allowed", ip: "45.76.10.9")]),
            .fires("refused from two hosting networks: one finding", windowStart: "2026-11-20T00:00:00Z", findings: 1,
                   [usual, .login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer,
                                  status: "Failed: IP Address Not Allowed", ip: "45.76.10.2"),
                    .login("2026-11-21T07:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer,
                           status: "Failed: IP Address Not Allowed", ip: "104.28.7.9")]),
            .fires("no history, but outside the networks the policy declares",
                   policy: #"{"apps":[{"name":"Acme ERP Sync","flows":["jwt_bearer"],"sourceCidrs":["198.51.100.0/24"]}]}"#, findings: 1,
                   [.login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer,
                           status: "Failed: IP Address Not Allowed", ip: "45.76.10.2")]),
            .quiet("no history: nothing to call never used",
                   [.login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer,
                           status: "Failed: IP Address Not Allowed", ip: "45.76.10.2")]),
            .quiet("refused from its own network (a misconfigured range)", windowStart: "2026-11-20T00:00:00Z",
                   [usual, .login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer,
                                  status: "Failed: IP Address Not Allowed", ip: "198.51.100.77")]),
            .quiet("a person refused in the browser", windowStart: "2026-11-20T00:00:00Z",
                   [usual, .login("2026-11-21T06:00:00Z", app: "Browser", user: "bob@acme.example", flow: .ui, status: "Failed: IP Address Not Allowed", ip: "45.76.10.2")]),
        ]
    }
}
