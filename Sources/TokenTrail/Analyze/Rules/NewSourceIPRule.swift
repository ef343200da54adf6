struct NewSourceIPRule: Rule {
    let id = "new-source-ip"
    let title = "Integration logs in from an unexpected network"
    let defaultSeverity = Severity.medium
    let cause = Cause.misuse
    let remedy = "Confirm the network is the integration's own; if not, rotate the app's key or secret, revoke its tokens, and restrict its IP ranges (Connected App IP Relaxation: enforce)."
    let verdict: String? = "{who} logged in from a network never seen for it"
    let rationale = """
        Integrations run from a few known hosts, whatever their flow: JWT bearer and client credentials apps, apps \
        the policy declares, and vendor apps on refresh tokens that have only ever had a few users on a few networks \
        (a stolen Drift or Gainsight token was an integration's key). A login from outside the app's allowed networks \
        (or, without a policy, from a network never seen for the app) is how a stolen key, secret or token shows up. \
        Compare with the integration's own hosts and rotate the credential or revoke the app's tokens if unknown.
        """
    let knobs = ["apps[].sourceCidrs", "apps[].integration", "integrationMaxUsers", "integrationMaxNetworks"]

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        let facts = try c.facts.loginFacts(), integrations = try c.integrations().apps
        // Networks seen before, per app (or per user, for logins that name no app).
        struct Owner: Hashable { let app: Int64, user: Int64 }
        // Only for the owners the window judges: the history holds every network people's apps
        // ever logged in from, and naming each is the cost.
        let judged = Set(facts.windowNetworks.keys.filter { $0.app == 0 || integrations.contains($0.app) }.map { Owner(app: $0.app, user: $0.user) })
        var known: [Owner: Set<String>] = [:]
        for use in facts.historyNetworks where judged.contains(Owner(app: use.app, user: use.user)) {
            if let network = try c.facts.network(ofAddress: use.ip) { known[Owner(app: use.app, user: use.user), default: []].insert(network) }
        }
        var hits: [NetworkUse: String] = [:]
        var cidrsByApp: [Owner: [CIDR]] = [:]
        // Integrations only, whatever their flow; an app-less login is a server-to-server one.
        for use in facts.windowNetworks.keys where use.app == 0 || integrations.contains(use.app) {
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
            let x = contexts[row.context]
            return hits[use] != nil && (x.isServerToServer || (use.app != 0 && x.flow == Flow.refreshToken.rawValue)) ? use : nil
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
            .quiet("people on phones on a new network are not an integration", windowStart: "2026-11-20T00:00:00Z",
                   ["bob", "ana", "kim", "lee"].enumerated().map { i, user in
                       .login("2026-11-1\(i)T06:00:00Z", app: "Salesforce for iOS", user: user + "@acme.example", flow: .refreshToken, ip: "100.64.\(i).2")
                   } + [.login("2026-11-21T06:00:00Z", app: "Salesforce for iOS", user: "bob@acme.example", flow: .refreshToken, ip: "203.0.113.99")]),
            .fires("a vendor's refresh-token app (one user, one network in history) from a new network", windowStart: "2026-11-20T00:00:00Z",
                   [.login("2026-11-10T06:00:00Z", app: "Drift", user: "drift-integration@acme.example", flow: .refreshToken, ip: "54.90.1.10"),
                    .login("2026-11-12T06:00:00Z", app: "Drift", user: "drift-integration@acme.example", flow: .refreshToken, ip: "54.90.1.11"),
                    .login("2026-11-21T06:00:00Z", app: "Drift", user: "drift-integration@acme.example", flow: .refreshToken, ip: "185.220.101.33")]),
            .fires("sourceCidrs hold for a refresh-token app too",
                   policy: #"{"apps":[{"name":"Gainsight","flows":["refresh_token"],"sourceCidrs":["34.120.0.0/16"]}]}"#,
                   [.login("2026-11-21T06:00:00Z", app: "Gainsight", user: "gs@acme.example", flow: .refreshToken, ip: "104.28.7.9")]),
            .quiet("a declared refresh-token integration inside its networks",
                   policy: #"{"apps":[{"name":"Gainsight","integration":true,"sourceCidrs":["34.120.0.0/16"]}]}"#,
                   [.login("2026-11-21T06:00:00Z", app: "Gainsight", user: "gs@acme.example", flow: .refreshToken, ip: "34.120.4.4")]),
        ]
    }
}
