struct NewSourceIPRule: Rule {
    let id = "new-source-ip"
    let title = "Integration logs in from an unexpected network"
    let defaultSeverity = Severity.medium
    let rationale = """
        Server-to-server integrations run from a few known hosts. A JWT bearer or client credentials login from \
        outside the app's allowed networks (or, without a policy, from a network never seen for the app) is how a \
        stolen key or secret shows up. Compare with the integration's own hosts and rotate the credential if unknown.
        """
    let knobs = ["apps[].sourceCidrs"]

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        let facts = try c.facts.loginFacts()
        // Networks seen before, per app (or per user, for logins that name no app).
        struct Owner: Hashable { let app: Int64, user: Int64 }
        var known: [Owner: Set<String>] = [:]
        for use in facts.historyNetworks {
            if let ip = try c.names.name(use.ip) { known[Owner(app: use.app, user: use.user), default: []].insert(CIDR.network(of: ip)) }
        }
        var hits: [NetworkUse: String] = [:]
        var cidrsByApp: [Owner: [CIDR]] = [:]
        for use in facts.windowNetworks.keys {
            guard let ip = try c.names.name(use.ip) else { continue }
            let owner = Owner(app: use.app, user: use.user)
            // An app-less login is judged by the policy app whose subject or Run As user it is.
            let declared: Policy.App?
            if use.app != 0 {
                guard let app = try c.names.name(use.app) else { continue }
                declared = c.app(named: app)
            } else {
                let user = try c.facts.displayUser(username: 0, userId: use.user)?.lowercased() ?? ""
                declared = c.policy?.apps.first { app in
                    app.subjects.contains { $0.lowercased() == user } || app.runAsUser?.lowercased() == user
                }
            }
            if let cidrs = declared?.sourceCidrs, !cidrs.isEmpty {
                let parsed = cidrsByApp[owner] ?? cidrs.compactMap(CIDR.init)
                cidrsByApp[owner] = parsed
                if !parsed.contains(where: { $0.contains(ip) }) { hits[use] = "outside \(cidrs.joined(separator: ", "))" }
            } else if let networks = known[owner], !networks.contains(CIDR.network(of: ip)) {
                hits[use] = "a network never seen for this app"
            }
        }
        let contexts = try c.facts.contexts
        let sizes = Dictionary(uniqueKeysWithValues: hits.keys.map { ($0, facts.windowNetworks[$0]?.group.count ?? 0) })
        let evidence = try c.facts.loginEvidence(buckets: hits.count, sizes: sizes) { row -> NetworkUse? in
            let use = NetworkUse(row)
            return hits[use] != nil && contexts[row.context].isServerToServer ? use : nil
        }
        return try hits.map { use, why in
            let entry = facts.windowNetworks[use]!
            let app = try c.names.name(use.app) ?? "(no app in the export)", ip = try c.names.name(use.ip) ?? ""
            // A username, or an id named through the directory.
            let users = Set(try entry.users.map { try c.facts.displayUser(username: 0, userId: $0) ?? "?" }).sorted().joined(separator: ", ")
            return Finding(rule: id, severity: defaultSeverity, firstSeen: entry.group.first, lastSeen: entry.group.last,
                           app: use.app != 0 ? app : nil, user: users, sourceIp: ip,
                           message: "\(app) logged in from \(ip) (\(entry.group.count)×, as \(users)): \(why)",
                           count: entry.group.count, evidence: evidence[use] ?? [], identity: use.app != 0 ? [app, ip] : ["user", users, ip])
        }
    }

    var examples: [RuleExample] {
        let policy = #"{"apps":[{"name":"Acme ERP Sync","flows":["jwt_bearer"],"sourceCidrs":["198.51.100.0/24"]}]}"#
        return [
            .fires("outside the declared networks", policy: policy,
                   [.login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer, ip: "203.0.113.99")]),
            .fires("no policy: a new network", windowStart: "2026-11-20T00:00:00Z",
                   [.login("2026-11-10T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer, ip: "198.51.100.23"),
                    .login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer, ip: "203.0.113.99")]),
            .fires("one outside address, two users: one finding", policy: policy, findings: 1,
                   [.login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer, ip: "203.0.113.99"),
                    .login("2026-11-21T06:05:00Z", app: "Acme ERP Sync", user: "ops@acme.example", flow: .jwtBearer, ip: "203.0.113.99")]),
            .quiet("inside the declared networks", policy: policy,
                   [.login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer, ip: "198.51.100.24")]),
            .fires("an ELF login that names no app, as the app's declared subject, from outside its networks",
                   policy: #"{"apps":[{"name":"Acme ERP Sync","flows":["jwt_bearer"],"subjects":["erp@acme.example"],"sourceCidrs":["198.51.100.0/24"]}]}"#,
                   [.login("2026-11-21T06:00:00Z", app: nil, user: "erp@acme.example", flow: .jwtBearer, ip: "203.0.113.99", elf: true)]),
            .quiet("a phone on a new network is not an integration", windowStart: "2026-11-20T00:00:00Z",
                   [.login("2026-11-10T06:00:00Z", app: "Salesforce for iOS", user: "bob@acme.example", flow: .refreshToken, ip: "100.64.0.2"),
                    .login("2026-11-21T06:00:00Z", app: "Salesforce for iOS", user: "bob@acme.example", flow: .refreshToken, ip: "203.0.113.99")]),
        ]
    }
}
