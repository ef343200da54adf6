struct ExpiredAssertionRule: Rule {
    let id = "expired-assertion"
    let title = "Assertions already expired on arrival"
    let defaultSeverity = Severity.high
    let rationale = """
        "expired authorization code" (JWT bearer), LOGIN_OAUTH_INVALID_TIMESTAMP or an expired SAML assertion means \
        the assertion's exp had passed when Salesforce checked it: almost always a client clock running behind, or a \
        time-zone bug building exp. The host's measured clock offset is given as evidence; fix NTP on that host.
        """
    let knobs: [String] = []

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        let expired = try c.names.id(FailureClass.expiredAssertion.rawValue)
        guard expired != 0 else { return [] }
        struct ClientKey: Hashable { let host: String?, client: String? }
        let clients = try c.facts.mergeRequests { g, _ -> ClientKey? in
            g.failureClass == expired ? ClientKey(host: try c.names.name(g.host), client: try c.names.name(g.clientId)) : nil
        }
        let clientEvidence = try c.facts.requestEvidence(for: clients)
        var findings: [Finding] = try clients.map { key, m in
            // The host's clock over the failing period, not over the whole window.
            let offset = try key.host.flatMap { try c.facts.clockOffsets(from: m.group.first, to: m.group.last)[$0] }
            let clock = offset.map { "; " + $0.description } ?? ""
            return Finding(rule: id, severity: defaultSeverity, firstSeen: m.group.first, lastSeen: m.group.last,
                           app: c.app(forClientId: key.client)?.name ?? key.client, host: key.host,
                           message: "\(m.group.count) token request(s) from \(key.host ?? "an unnamed host") failed as expired on arrival\(clock)",
                           count: m.group.count, evidence: clientEvidence[key] ?? [], identity: ["client", key.host ?? "", key.client ?? ""])
        }
        struct ServerKey: Hashable { let app: String?, user: String? }
        let servers = try c.facts.mergeLogins { g, x -> ServerKey? in
            x.failureClass == FailureClass.expiredAssertion.rawValue
                ? ServerKey(app: try c.names.name(g.app), user: try c.names.name(g.username) ?? c.names.name(g.userId)) : nil
        }
        let serverEvidence = try c.facts.loginEvidence(for: servers)
        findings += servers.map { key, m in
            Finding(rule: id, severity: defaultSeverity, firstSeen: m.group.first, lastSeen: m.group.last, app: key.app, user: key.user,
                    message: "\(m.group.count) login(s) of \(key.app ?? "an unrecorded app") as \(key.user ?? "?") failed with an expired assertion (Invalid Timestamp)",
                    count: m.group.count, evidence: serverEvidence[key] ?? [], identity: ["server", key.app ?? "", key.user ?? ""])
        }
        return findings
    }

    var examples: [RuleExample] {
        [.fires("client log: expired authorization code, host 215 s slow",
                [.token("2026-11-21T06:00:00Z", host: "etl-02", status: 400, error: "invalid_grant", description: "expired authorization code",
                        serverDate: "2026-11-21T06:03:35Z")]),
         .fires("server log: Failed: Invalid Timestamp",
                [.login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer, status: "Failed: Invalid Timestamp")]),
         .quiet("other failures", [.token("2026-11-21T06:00:00Z", status: 400, error: "invalid_grant", description: "audience is invalid")]),
         .quiet("successful logins", [.token("2026-11-21T06:00:00Z", serverDate: "2026-11-21T06:00:00Z")])]
    }
}
