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

    /// The /24 (IPv4) or /48 (IPv6) an address belongs to: "the same network" for first-seen.
    static func network(_ ip: String) -> String {
        if ip.contains(":") { return ip.split(separator: ":").prefix(3).joined(separator: ":") + "::/48" }
        return ip.split(separator: ".").prefix(3).joined(separator: ".") + ".0/24"
    }

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        let directory = try c.usernames()
        var known: [String: Set<String>] = [:]
        for row in try c.rows("""
            SELECT DISTINCT app, source_ip FROM v_logins WHERE app IS NOT NULL AND source_ip IS NOT NULL
              AND flow IN ('jwt_bearer', 'client_credentials') AND time_ms < ?
            """, [.integer(c.windowStart)]) {
            if let app = row[0].string, let ip = row[1].string { known[app, default: []].insert(Self.network(ip)) }
        }
        let condition = "app IS NOT NULL AND source_ip IS NOT NULL AND flow IN ('jwt_bearer', 'client_credentials') AND time_ms BETWEEN ? AND ?"
        var hits: [([SQLValue], String)] = []
        for row in try c.rows("""
            SELECT app, source_ip, group_concat(DISTINCT coalesce(username, user_id)), count(*), min(time_ms), max(time_ms) FROM v_logins
            WHERE \(condition) GROUP BY 1, 2
            """, c.window) {
            guard let app = row[0].string, let ip = row[1].string else { continue }
            if let cidrs = c.app(named: app)?.sourceCidrs, !cidrs.isEmpty {
                if !cidrs.compactMap(CIDR.init).contains(where: { $0.contains(ip) }) { hits.append((row, "outside \(cidrs.joined(separator: ", "))")) }
            } else if let networks = known[app], !networks.contains(Self.network(ip)) {
                hits.append((row, "a network never seen for this app"))
            }
        }
        let evidence = try c.evidence(groups: Set(hits.map { AnalysisContext.groupKey($0.0, 0..<2) }), key: ["app", "source_ip"],
                                      from: "v_logins", where: condition, c.window)
        return hits.map { row, why in
            let app = row[0].string ?? "", ip = row[1].string ?? ""
            let users = Set((row[2].string ?? "").split(separator: ",").map { directory[String($0)] ?? String($0) }).sorted().joined(separator: ", ")
            return Finding(rule: id, severity: defaultSeverity, firstSeen: row[4].int ?? 0, lastSeen: row[5].int ?? 0,
                           app: app, user: users, sourceIp: ip,
                           message: "\(app) logged in from \(ip) (\(row[3].int ?? 0)×, as \(users)): \(why)",
                           count: Int(row[3].int ?? 0), evidence: evidence[AnalysisContext.groupKey(row, 0..<2)] ?? [], identity: [app, ip])
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
            .quiet("inside the declared networks", policy: policy,
                   [.login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer, ip: "198.51.100.24")]),
            .quiet("a phone on a new network is not an integration", windowStart: "2026-11-20T00:00:00Z",
                   [.login("2026-11-10T06:00:00Z", app: "Salesforce for iOS", user: "bob@acme.example", flow: .refreshToken, ip: "100.64.0.2"),
                    .login("2026-11-21T06:00:00Z", app: "Salesforce for iOS", user: "bob@acme.example", flow: .refreshToken, ip: "203.0.113.99")]),
        ]
    }
}
