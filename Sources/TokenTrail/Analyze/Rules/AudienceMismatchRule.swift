struct AudienceMismatchRule: Rule {
    let id = "audience-mismatch"
    let title = "JWT audience wrong for the org"
    let defaultSeverity = Severity.medium
    let cause = Cause.breakage
    let remedy = "Set `aud` to https://login.salesforce.com (production), https://test.salesforce.com (sandbox) or the org's My Domain URL."
    let rationale = """
        aud must be https://login.salesforce.com for production, https://test.salesforce.com for a sandbox, or the \
        org's My Domain / site URL. A wrong audience fails with "audience is invalid"; an audience for another \
        environment than the token endpoint means a sandbox key is pointed at production or the other way round.
        """
    let knobs = ["apps[].audience", "apps[].clientIds"]

    static func host(_ url: String?) -> String? {
        guard let url else { return nil }
        let trimmed = url.hasPrefix("https://") ? String(url.dropFirst(8)) : url.hasPrefix("http://") ? String(url.dropFirst(7)) : url
        return trimmed.split(separator: "/").first.map { $0.lowercased() }
    }

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        let jwt = try c.names.id(Flow.jwtBearer.rawValue), invalid = try c.names.id(FailureClass.audienceInvalid.rawValue)
        struct Key: Hashable { let host: String?, client: String?, aud: String?, tokenURL: String? }
        var rejected: Set<Key> = []
        let groups = try c.facts.mergeRequests { g, _ -> Key? in
            guard g.flow == jwt, jwt != 0 else { return nil }
            let key = Key(host: try c.hostGroup(g.host), client: try c.names.name(g.clientId), aud: try c.names.name(g.aud),
                          tokenURL: try c.names.name(g.tokenUrl))
            if invalid != 0 && g.failureClass == invalid { rejected.insert(key) }
            return key
        }
        var hits: [Key: String] = [:]
        for key in groups.keys {
            if rejected.contains(key) {
                hits[key] = "Salesforce answered that the audience is invalid"
            } else if let expected = c.app(forClientId: key.client)?.audience, let aud = key.aud, aud != expected {
                hits[key] = "the policy expects \(expected)"
            } else if let audHost = Self.host(key.aud), let endpoint = Self.host(key.tokenURL),
                      ["login.salesforce.com", "test.salesforce.com"].contains(audHost),
                      ["login.salesforce.com", "test.salesforce.com"].contains(endpoint), audHost != endpoint {
                hits[key] = "the token endpoint is \(endpoint)"
            }
        }
        let wanted = groups.filter { hits[$0.key] != nil }
        let evidence = c.facts.requestEvidence(for: wanted)
        // One finding per client workload (HostWorkload), client id and audience sent (the cause), its subjects listed.
        let requests = try c.facts.requestsPerClient()
        return try wanted.map { key, m in
            let users = try c.facts.subjects(of: m), attempts = c.attempts(of: m.members, in: requests)
            let covered = users.isEmpty ? "" : " for " + Finding.usersPhrase(users)
            return Finding(rule: id, severity: Impact.severity(defaultSeverity, records: m.group.count, users: users.count, attempts: attempts),
                           firstSeen: m.group.first, lastSeen: m.group.last,
                           app: c.app(forClientId: key.client)?.name ?? key.client, host: key.host,
                           message: "\(key.host ?? "a client") sent aud \(key.aud ?? "(none)")\(covered) (\(m.group.count)×): \(hits[key] ?? "")",
                           count: m.group.count, evidence: evidence[key] ?? [], identity: [key.host ?? "", key.client ?? "", key.aud ?? ""], users: users)
        }
    }

    var examples: [RuleExample] {
        let policy = #"{"apps":[{"name":"Acme ERP Sync","clientIds":["3MVG9example"],"audience":"https://login.salesforce.com"}]}"#
        return [
            .fires("audience is invalid", [.token("2026-11-21T06:00:00Z", aud: "https://acme.example", status: 400,
                                                  error: "invalid_grant", description: "audience is invalid")]),
            .fires("sandbox audience against the policy", policy: policy, [.token("2026-11-21T06:00:00Z", aud: "https://test.salesforce.com")]),
            .fires("one wrong audience for three subjects: one finding", policy: policy, findings: 1, users: 3,
                   [.token("2026-11-21T06:00:00Z", sub: "a@acme.example", aud: "https://test.salesforce.com"),
                    .token("2026-11-21T06:01:00Z", sub: "b@acme.example", aud: "https://test.salesforce.com"),
                    .token("2026-11-21T06:02:00Z", sub: "c@acme.example", aud: "https://test.salesforce.com")]),
            .fires("one Deployment's pods, renamed at each rollout, sending the wrong audience: one finding", policy: policy, findings: 1,
                   [.token("2026-11-21T06:00:00Z", host: "sfsync-7f9c6d8b4-xk2p9", aud: "https://test.salesforce.com"),
                    .token("2026-11-21T12:00:00Z", host: "sfsync-5d8f7b9c6-2xq4z", aud: "https://test.salesforce.com"),
                    .token("2026-11-21T18:00:00Z", host: "sfsync-6b4dc9f7d-q8wmz", aud: "https://test.salesforce.com")]),
            .fires("two servers sending the wrong audience: one finding each", policy: policy, findings: 2,
                   [.token("2026-11-21T06:00:00Z", host: "etl-01", aud: "https://test.salesforce.com"),
                    .token("2026-11-21T06:01:00Z", host: "etl-02", aud: "https://test.salesforce.com")]),
            .quiet("the expected audience", policy: policy, [.token("2026-11-21T06:00:00Z", aud: "https://login.salesforce.com")]),
            .quiet("My Domain audience without a policy", [.token("2026-11-21T06:00:00Z", aud: "https://acme.my.salesforce.com")]),
        ]
    }
}
