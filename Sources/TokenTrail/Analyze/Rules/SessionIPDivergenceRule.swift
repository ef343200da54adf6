struct SessionIPDivergenceRule: Rule {
    let id = "session-ip-divergence"
    let title = "An integration's session used from another network than its login"
    let defaultSeverity = Severity.high
    let cause = Cause.misuse
    let remedy = "Treat the access token as stolen: revoke the app's tokens (Connected Apps OAuth Usage → Revoke), rotate its refresh token or secret, and restrict its IP ranges."
    let verdict: String? = "{who}'s access token used from another address"
    let rationale = """
        API activity carries the LOGIN_KEY of the login that opened its session. Calls under an integration's session \
        from a network other than the one the login came from mean the access token is used without a new login, \
        from somewhere else: a token replayed from a hosting or Tor address (the 2025 Salesloft Drift intrusions). \
        Salesforce's own addresses and the org's egress (trustedCidrs) are excepted; people's sessions, which move \
        between networks, are not judged. Revoke the app's tokens and check what the session read.
        """
    let knobs = ["trustedCidrs", "apps[].integration"]

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        // The sessions API activity used in the window, per address (few rows: one per session and address).
        typealias Use = AddressUse
        let internalAddress = try c.names.id("Salesforce.com IP")
        let sessions = try c.facts.apiFacts().window
        guard sessions.values.contains(where: \.hasLoginKey) else { return [] }
        // Their logins: a session starts at most a day before its calls. Symbols are compared
        // first; only a session called from another address than its login's is resolved.
        let integrations = try c.integrations().apps, contexts = try c.facts.contexts
        struct Login { var app: Int64, user: String?, ip: String, evidence: String }
        var logins: [String: Login] = [:]
        var uses: [String: [String: Use]] = [:]
        let statement = try c.facts.db.prepare("""
            SELECT login_key, app, context, username, user_id, source_ip, source_id, line
            FROM logins WHERE time BETWEEN ? AND ? AND login_key IS NOT NULL
            """)
        try statement.bind([.integer(c.windowStart - 86_400_000), .integer(c.windowEnd)])
        while try statement.step() {
            guard let key = statement.text(at: 0), let session = sessions[key], session.hasLoginKey else { continue }
            let loginIp = statement.int(at: 5)
            let elsewhere = session.byAddress.filter { $0.key != loginIp && $0.key != internalAddress }
            guard loginIp != 0, !elsewhere.isEmpty else { continue }
            let app = statement.int(at: 1), x = contexts[statement.int(at: 2)]
            // Integrations only: an integration app's login, or a token-flow login that names no app.
            guard x.isSuccess, app != 0 ? integrations.contains(app) : x.isServerToServer, let ip = try c.names.name(loginIp) else { continue }
            logins[key] = Login(app: app, user: try c.facts.displayUser(username: statement.int(at: 3), userId: statement.int(at: 4)),
                                ip: ip, evidence: try c.facts.evidence(source: statement.int(at: 6), line: statement.int(at: 7)))
            for (address, use) in elsewhere { if let name = try c.names.name(address) { uses[key, default: [:]][name] = use } }
        }
        let trusted = (c.policy?.trustedCidrs ?? []).compactMap(CIDR.init)
        // One finding per app (or user) and foreign network.
        struct Key: Hashable { let owner: String, isApp: Bool, network: String }
        struct Hit {
            var sessions: Set<String> = [], calls: Int64 = 0, first = Int64.max, last = Int64.min, ips: [String: Int] = [:]
            var loginIps: Set<String> = [], users: [String: Int] = [:], evidence: [String] = []
            mutating func add(session: String, ip: String, _ use: Use, _ login: Login) {
                sessions.insert(session)
                calls += use.calls
                first = min(first, use.first)
                last = max(last, use.last)
                ips[ip, default: 0] += Int(use.calls)
                loginIps.insert(login.ip)
                if let user = login.user { users[user, default: 0] += Int(use.calls) }
                if evidence.count < 10 && !evidence.contains(login.evidence) { evidence.append(login.evidence) }
            }
        }
        var hits: [Key: Hit] = [:]
        for (key, login) in logins {
            for (ip, use) in uses[key] ?? [:] where CIDR.network(of: ip) != CIDR.network(of: login.ip) && !trusted.contains(where: { $0.contains(ip) }) {
                let owner = try c.names.name(login.app) ?? login.user ?? "?"
                let k = Key(owner: owner, isApp: login.app != 0, network: CIDR.network(of: ip))
                hits[k, default: Hit()].add(session: key, ip: ip, use, login)
            }
        }
        return try hits.map { key, hit in
            // The calls themselves, after the logins that opened their sessions.
            var evidence = hit.evidence
            // The calls of these sessions from the other network, not the address's other sessions.
            let sessions = Array(hit.sessions.sorted().prefix(500))   // evidence is capped anyway; SQLite caps parameters
            for ip in hit.ips.keys.sorted() {
                evidence += try c.facts.evidence("""
                    SELECT \(Schema.evidence("s", "a.line")) FROM api_activity a JOIN sources s ON s.id = a.source_id
                    WHERE a.time BETWEEN ? AND ? AND a.client_ip = (SELECT id FROM strings WHERE value = ?)
                      AND a.login_key IN (\(sessions.map { _ in "?" }.joined(separator: ","))) ORDER BY a.time
                    """, c.window + [.text(ip)] + sessions.map { .text($0) }).prefix(Finding.maxEvidence - evidence.count)
            }
            let from = Finding.counted(hit.ips, noun: "addresses", none: "?")
            return Finding(rule: id, severity: defaultSeverity, firstSeen: hit.first, lastSeen: hit.last,
                           app: key.isApp ? key.owner : nil,
                           sourceIp: hit.ips.count == 1 ? hit.ips.keys.first : nil,
                           message: "\(hit.sessions.count) session(s) of \(key.owner) logged in from \(hit.loginIps.sorted().joined(separator: ", ")) "
                               + "made \(hit.calls) API call(s) from \(from): the access token is used from another network without a new login",
                           count: Int(hit.calls), evidence: evidence, identity: [key.owner, key.network], users: hit.users)
        }
    }

    var examples: [RuleExample] {
        let login = ExampleEvent.login("2026-11-24T02:00:00Z", app: nil, user: "drift@acme.example", flow: .jwtBearer, ip: "54.90.1.10",
                                       elf: true, loginKey: "Kf3Jq8sLm2Nv5RtW")
        return [
            .fires("a session's calls from a Tor exit", findings: 1,
                   [login, .api("2026-11-24T02:01:00Z", user: "drift@acme.example", loginKey: "Kf3Jq8sLm2Nv5RtW", ip: "54.90.1.10"),
                    .api("2026-11-24T02:10:00Z", user: "drift@acme.example", loginKey: "Kf3Jq8sLm2Nv5RtW", ip: "185.220.101.33"),
                    .api("2026-11-24T02:11:00Z", user: "drift@acme.example", loginKey: "Kf3Jq8sLm2Nv5RtW", ip: "185.220.101.34")]),
            .quiet("calls from the login's own network", [login, .api("2026-11-24T02:01:00Z", loginKey: "Kf3Jq8sLm2Nv5RtW", ip: "54.90.1.77")]),
            .quiet("Salesforce's own address", [login, .api("2026-11-24T02:01:00Z", loginKey: "Kf3Jq8sLm2Nv5RtW", ip: "Salesforce.com IP")]),
            .quiet("the org's egress", policy: #"{"trustedCidrs":["203.0.113.0/24"]}"#,
                   [login, .api("2026-11-24T02:01:00Z", loginKey: "Kf3Jq8sLm2Nv5RtW", ip: "203.0.113.9")]),
            .quiet("a person's session moving between networks",
                   [.login("2026-11-24T02:00:00Z", app: nil, user: "bob@acme.example", flow: .ui, ip: "100.64.0.2", elf: true, loginKey: "Pp1Qq2Rr3Ss4Tt5U"),
                    .api("2026-11-24T02:30:00Z", user: "bob@acme.example", loginKey: "Pp1Qq2Rr3Ss4Tt5U", ip: "172.58.9.1")]),
        ]
    }
}
