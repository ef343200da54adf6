struct ClientFingerprintDriftRule: Rule {
    let id = "client-fingerprint-drift"
    let title = "An integration logs in or calls the API with a client never seen for it"
    let defaultSeverity = Severity.medium
    let cause = Cause.misuse
    let remedy = "Confirm the vendor changed its client; if not, revoke the app's tokens and rotate its credentials."
    let verdict: String? = "{who} called with a client never seen for it"
    let rationale = """
        An integration always runs the same software: its logins show one browser or agent (ELF Login BROWSER_TYPE, \
        Login History Browser) and its API calls one client (RestApi USER_AGENT, API CLIENT_NAME). A new one, \
        typically a generic HTTP library (python-requests, aiohttp, Go-http-client) where the vendor's own agent was, \
        is someone else using the integration's token: the 2025 Drift and Gainsight token thefts. High when the new \
        client also comes from a network the integration never used.
        """
    let knobs = ["apps[].integration", "integrationMaxUsers", "integrationMaxNetworks"]

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        let integrations = try c.integrations().apps, facts = try c.facts.loginFacts(), contexts = try c.facts.contexts
        let machine = Set(contexts.ids { $0.isServerToServer || $0.flow == Flow.refreshToken.rawValue })
        guard !machine.isEmpty else { return [] }
        struct Seen { var before = 0, now = 0, first = Int64.max, last = Int64.min }
        // A client is compared only with clients of the same export: Login History's Browser,
        // ELF Login's BROWSER_TYPE and each API event type name clients differently.
        struct Client: Hashable { let export: String, name: String }
        func add(_ into: inout [String: [Client: Seen]], _ owner: String, _ client: Client, _ use: Seen) {
            // Login History's Browser is Salesforce's own parse, where 'Unknown' means it could not
            // tell; elsewhere the value is the client's own header, and a thief may send 'Unknown'.
            guard client.export != "login_history" || !Placeholder.isBlank(client.name) else { return }
            var s = into[owner, default: [:]][client] ?? Seen()
            s.before += use.before; s.now += use.now
            s.first = min(s.first, use.first); s.last = max(s.last, use.last)
            into[owner, default: [:]][client] = s
        }
        var seen: [String: [Client: Seen]] = [:]   // owner → client → counts
        var loginOwners: [String: Int64] = [:]     // app name → symbol
        // Logins of integration apps by their token flows, per browser/agent and export.
        var clientOfContext: [Int64: (browser: String, export: String)] = [:]
        for r in try c.facts.rows("SELECT id, (SELECT value FROM strings WHERE id = browser), (SELECT value FROM strings WHERE id = origin) FROM login_contexts WHERE browser IS NOT NULL") {
            if let id = r[0].int, let browser = r[1].string { clientOfContext[id] = (browser, r[2].string ?? "") }
        }
        for (key, tally) in facts.appClients where integrations.contains(key.app) {
            guard let client = clientOfContext[key.context], let name = try c.names.name(key.app) else { continue }
            loginOwners[name] = key.app
            add(&seen, "app " + name, Client(export: client.export, name: client.browser),
                Seen(before: tally.before, now: tally.now, first: tally.first, last: tally.last))
        }
        // API calls of integration users (the users integration apps log in as), per client.
        var users: Set<Int64> = []
        for groups in [facts.history, facts.window] {
            for g in groups.keys where g.app != 0 && integrations.contains(g.app) && machine.contains(g.context) {
                if g.userId != 0 { users.insert(g.userId) }
                if g.username != 0 { users.insert(g.username) }
            }
        }
        var userSymbols: [String: Set<Int64>] = [:]   // owner → its user symbols (username, user id)
        let api = try c.facts.apiFacts()
        for (key, use) in api.clients where users.contains(key.user) {
            guard let client = try c.names.name(key.client),
                  let name = try c.facts.displayUser(username: 0, userId: key.user) ?? c.names.name(key.user) else { continue }
            userSymbols["user " + name, default: []].insert(key.user)
            add(&seen, "user " + name, Client(export: try c.names.name(key.eventType) ?? "", name: client),
                Seen(before: use.before, now: use.now, first: use.first, last: use.last))
        }
        var findings: [Finding] = []
        for (owner, clients) in seen.sorted(by: { $0.key < $1.key }) {
            let isApp = owner.hasPrefix("app ")
            let name = String(owner.dropFirst(isApp ? 4 : 5))
            // New clients of an export that has history for this owner (nothing to compare with otherwise).
            let exports = Set(clients.filter { $0.value.before > 0 }.keys.map(\.export))
            let fresh = clients.filter { exports.contains($0.key.export) && $0.value.before == 0 && $0.value.now > 0 }
                .sorted { ($0.value.first, $0.key.name) < ($1.value.first, $1.key.name) }
            guard !fresh.isEmpty else { continue }
            let known = Set(clients.filter { $0.value.before > 0 && exports.contains($0.key.export) }.keys.map(\.name)).sorted()
            var evidence: [String] = [], ips: Set<String> = []
            for (client, _) in fresh {
                let (lines, from) = try isApp ? loginEvidence(c, app: loginOwners[name] ?? 0, client: client.name) : apiEvidence(c, users: userSymbols[owner] ?? [], client: client.name)
                evidence += lines.filter { !evidence.contains($0) }.prefix(max(0, Finding.maxEvidence - evidence.count))
                ips.formUnion(from)
            }
            // High when a new client also comes from a network the integration never used.
            var newNetwork = false
            var used: Set<String>?
            if isApp, let app = loginOwners[name] {
                used = Set(try facts.historyNetworks.filter { $0.app == app }.compactMap { try c.facts.network(ofAddress: $0.ip) })
            } else if let users = userSymbols[owner] {
                used = Set(try api.historyAddresses.filter { users.contains($0.user) }.compactMap { try c.facts.network(ofAddress: $0.ip) })
            }
            if let used, !used.isEmpty { newNetwork = ips.contains { $0 != "Salesforce.com IP" && !used.contains(CIDR.network(of: $0)) } }
            let uses = fresh.map(\.value.now).reduce(0, +)
            let named = fresh.map { "'\($0.key.name)' (\($0.value.now)×)" }.joined(separator: ", ")
            findings.append(Finding(rule: id, severity: newNetwork ? .high : defaultSeverity,
                                    firstSeen: fresh.map(\.value.first).min() ?? 0, lastSeen: fresh.map(\.value.last).max() ?? 0,
                                    app: isApp ? name : nil, user: isApp ? nil : name, sourceIp: ips.count == 1 ? ips.first : nil,
                                    message: "\(isApp ? name + "'s logins" : name + "'s API calls") came from \(fresh.count == 1 ? "a client" : "\(fresh.count) clients") never seen before: \(named) "
                                        + "(it used \(known.prefix(3).map { "'\($0)'" }.joined(separator: ", ")))\(newNetwork ? ", from a network it never used" : "")",
                                    count: uses, evidence: evidence, identity: [owner]))
        }
        return findings
    }

    /// Values Login History writes where Salesforce could not tell the browser.

    private func loginEvidence(_ c: AnalysisContext, app: Int64, client: String) throws -> ([String], [String]) {
        let rows = try c.facts.rows("""
            SELECT \(Schema.evidence("s", "l.line")), (SELECT value FROM strings WHERE id = l.source_ip) FROM logins l
            JOIN login_contexts c ON c.id = l.context JOIN sources s ON s.id = l.source_id
            WHERE l.time BETWEEN ? AND ? AND l.app = ? AND c.browser = (SELECT id FROM strings WHERE value = ?) ORDER BY l.time LIMIT \(Finding.maxEvidence)
            """, c.window + [.integer(app), .text(client)])
        return (rows.compactMap { $0[0].string }, Array(Set(rows.compactMap { $0[1].string })).sorted())
    }

    private func apiEvidence(_ c: AnalysisContext, users: Set<Int64>, client: String) throws -> ([String], [String]) {
        let rows = try c.facts.rows("""
            SELECT \(Schema.evidence("s", "a.line")), (SELECT value FROM strings WHERE id = a.client_ip) FROM api_activity a JOIN sources s ON s.id = a.source_id
            WHERE a.time BETWEEN ?1 AND ?2 AND (a.user_agent = (SELECT id FROM strings WHERE value = ?3) OR a.client_name = (SELECT id FROM strings WHERE value = ?3))
              AND coalesce(a.username, a.user_id) IN (\(users.map(String.init).joined(separator: ",")))
            ORDER BY a.time LIMIT \(Finding.maxEvidence)
            """, c.window + [.text(client)])
        return (rows.compactMap { $0[0].string }, Array(Set(rows.compactMap { $0[1].string })).sorted())
    }

    var examples: [RuleExample] {
        let vendor = "Drift/2.1 (+https://drift.com)"
        func login(_ at: String, _ agent: String, ip: String = "54.90.1.10") -> ExampleEvent {
            .login(at, app: "Drift", user: "drift@acme.example", flow: .refreshToken, ip: ip, browser: agent)
        }
        func call(_ at: String, _ agent: String, ip: String = "54.90.1.10") -> ExampleEvent {
            .api(at, user: "drift@acme.example", ip: ip, agent: agent)
        }
        return [
            .fires("the vendor's API calls now from python-requests", windowStart: "2026-11-20T00:00:00Z", findings: 1,
                   [login("2026-11-10T06:00:00Z", vendor), call("2026-11-10T06:01:00Z", vendor), login("2026-11-21T06:00:00Z", vendor),
                    call("2026-11-21T06:01:00Z", "python-requests/2.32.4"), call("2026-11-21T06:02:00Z", "python-requests/2.32.4")]),
            .fires("a new agent on the vendor's logins, from a new network", windowStart: "2026-11-20T00:00:00Z",
                   [login("2026-11-10T06:00:00Z", vendor), login("2026-11-21T06:00:00Z", "Python/3.11 aiohttp/3.12.15", ip: "185.220.101.33")]),
            .quiet("the same client as always", windowStart: "2026-11-20T00:00:00Z",
                   [login("2026-11-10T06:00:00Z", vendor), call("2026-11-10T06:01:00Z", vendor), login("2026-11-21T06:00:00Z", vendor), call("2026-11-21T06:01:00Z", vendor)]),
            .fires("two new clients on the vendor's API calls: one finding", windowStart: "2026-11-20T00:00:00Z", findings: 1,
                   [login("2026-11-10T06:00:00Z", vendor), call("2026-11-10T06:01:00Z", vendor), call("2026-11-21T06:01:00Z", "python-requests/2.32.4"),
                    call("2026-11-21T06:02:00Z", "Python/3.11 aiohttp/3.12.15")]),
            .quiet("Login History knew no browser ('Unknown'); ELF Login names the vendor's agent", windowStart: "2026-11-20T00:00:00Z",
                   [login("2026-11-10T06:00:00Z", "Unknown"),
                    .login("2026-11-21T06:00:00Z", app: nil, user: "drift@acme.example", flow: .refreshToken, ip: "54.90.1.10", elf: true, browser: vendor),
                    .api("2026-11-21T06:00:30Z", type: "ApiTotalUsage", user: "drift@acme.example", ip: "54.90.1.10", app: "Drift")]),
            .fires("a stolen token's calls sending 'Unknown' as their agent", windowStart: "2026-11-20T00:00:00Z", findings: 1,
                   [login("2026-11-10T06:00:00Z", vendor), call("2026-11-10T06:01:00Z", vendor), call("2026-11-21T06:01:00Z", "Unknown")]),
            .quiet("no history: a first scan judges nothing", [login("2026-11-21T06:00:00Z", vendor), call("2026-11-21T06:01:00Z", "python-requests/2.32.4")]),
            .quiet("a person's new browser is not an integration's", windowStart: "2026-11-20T00:00:00Z",
                   ["a", "b", "c", "d"].map { .login("2026-11-10T06:00:00Z", app: "Salesforce for iOS", user: "\($0)@acme.example", flow: .refreshToken, ip: "100.64.0.\($0.count)", browser: "iOS 17") }
                   + [.login("2026-11-21T06:00:00Z", app: "Salesforce for iOS", user: "a@acme.example", flow: .refreshToken, browser: "iOS 18")]),
        ]
    }
}
