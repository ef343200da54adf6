struct ExpiredAssertionRule: Rule {
    let id = "expired-assertion"
    let title = "Assertions already expired on arrival"
    let defaultSeverity = Severity.high
    let cause = Cause.breakage
    let remedy = "Fix time sync (NTP/chrony) on the client host, or set `exp` a little further ahead (at most 3 minutes)."
    let rationale = """
        "expired authorization code" (JWT bearer), LOGIN_OAUTH_INVALID_TIMESTAMP or an expired SAML assertion means \
        the assertion's exp had passed when Salesforce checked it: almost always a client clock running behind, or a \
        time-zone bug building exp. The host's measured clock offset is given as evidence; fix NTP on that host.
        """
    let knobs: [String] = []

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        let expired = try c.names.id(FailureClass.expiredAssertion.rawValue)
        guard expired != 0 else { return [] }
        // One finding per client host and client id (the clock at fault is the host's), and one
        // per app on the server side (whose users are listed, not a finding each).
        struct ClientKey: Hashable { let host: Int64, client: Int64 }
        let clients = try c.facts.mergeRequests { g, _ -> ClientKey? in g.failureClass == expired ? ClientKey(host: g.host, client: g.clientId) : nil }
        let clientEvidence = c.facts.requestEvidence(for: clients)
        let requests = try c.facts.requestsPerClient()
        var findings: [Finding] = try clients.map { key, m in
            let host = try c.names.name(key.host), client = try c.names.name(key.client)
            // The host's clock over the failing period, not over the whole window.
            let offset = try host.flatMap { try c.facts.clockOffsets(from: m.group.first, to: m.group.last)[$0] }
            let clock = offset.map { "; " + $0.description } ?? ""
            let users = try c.facts.subjects(of: m)
            let covered = users.isEmpty ? "" : " for " + Finding.usersPhrase(users)
            return Finding(rule: id, severity: Impact.severity(defaultSeverity, records: m.group.count, users: users.count,
                                                               attempts: requests[SymbolPair(first: key.host, second: key.client)] ?? 0),
                           firstSeen: m.group.first, lastSeen: m.group.last,
                           app: c.app(forClientId: client)?.name ?? client, host: host,
                           message: "\(m.group.count) token request(s) from \(host ?? "an unnamed host")\(covered) failed as expired on arrival\(clock)",
                           count: m.group.count, evidence: clientEvidence[key] ?? [], identity: ["client", host ?? "", client ?? ""], users: users)
        }
        let servers = try c.facts.mergeLogins { g, x -> Int64? in x.failureClass == FailureClass.expiredAssertion.rawValue ? g.app : nil }
        let serverEvidence = c.facts.loginEvidence(for: servers)
        let logins = try c.facts.loginsPerApp()
        findings += try servers.map { app, m in
            let name = try c.names.name(app), users = try c.facts.users(of: m)
            return Finding(rule: id, severity: Impact.severity(defaultSeverity, records: m.group.count, users: users.count, attempts: logins[app] ?? 0),
                           firstSeen: m.group.first, lastSeen: m.group.last, app: name,
                           message: "\(m.group.count) login(s) of \(name ?? "an unrecorded app") as \(Finding.usersPhrase(users)) failed with an expired assertion (Invalid Timestamp)",
                           count: m.group.count, evidence: serverEvidence[app] ?? [], identity: ["server", name ?? ""], users: users)
        }
        return findings
    }

    var examples: [RuleExample] {
        [.fires("client log: expired authorization code, host 215 s slow",
                [.token("2026-11-21T06:00:00Z", host: "etl-02", status: 400, error: "invalid_grant", description: "expired authorization code",
                        serverDate: "2026-11-21T06:03:35Z")]),
         .fires("server log: Failed: Invalid Timestamp",
                [.login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer, status: "Failed: Invalid Timestamp")]),
         .fires("one app, three users: one finding listing them", findings: 1, users: 3,
                [.login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "a@acme.example", flow: .jwtBearer, status: "Failed: Invalid Timestamp"),
                 .login("2026-11-21T06:01:00Z", app: "Acme ERP Sync", user: "b@acme.example", flow: .jwtBearer, status: "Failed: Invalid Timestamp"),
                 .login("2026-11-21T06:02:00Z", app: "Acme ERP Sync", user: "c@acme.example", flow: .jwtBearer, status: "Failed: Invalid Timestamp")]),
         .fires("one host, two subjects: one finding", findings: 1, users: 2,
                [.token("2026-11-21T06:00:00Z", host: "etl-02", sub: "a@acme.example", status: 400, error: "invalid_grant", description: "expired authorization code"),
                 .token("2026-11-21T06:01:00Z", host: "etl-02", sub: "b@acme.example", status: 400, error: "invalid_grant", description: "expired authorization code")]),
         .quiet("other failures", [.token("2026-11-21T06:00:00Z", status: 400, error: "invalid_grant", description: "audience is invalid")]),
         .quiet("successful logins", [.token("2026-11-21T06:00:00Z", serverDate: "2026-11-21T06:00:00Z")])]
    }
}
