struct SubjectIsClientIdRule: Rule {
    let id = "subject-is-client-id"
    let title = "JWT subject set to the consumer key"
    let defaultSeverity = Severity.medium
    let cause = Cause.breakage
    let remedy = "Set the JWT `sub` to the integration user's username, not the consumer key."
    let rationale = """
        `sub` must be the Salesforce username the integration acts as; a client that puts its consumer key there \
        is misconfigured, and Salesforce answers "user hasn't approved this consumer". Fix the client's subject.
        """
    let knobs: [String] = []

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        struct Key: Hashable { let host: String?, client: String }
        let groups = try c.facts.mergeRequests { g, _ -> Key? in
            guard g.sub != 0, g.sub == g.clientId || g.sub == g.iss else { return nil }
            return Key(host: try c.hostGroup(g.host), client: try c.names.name(g.clientId) ?? "")
        }
        let evidence = c.facts.requestEvidence(for: groups)
        return groups.map { key, m in
            Finding(rule: id, severity: defaultSeverity, firstSeen: m.group.first, lastSeen: m.group.last,
                    app: c.app(forClientId: key.client)?.name ?? key.client, host: key.host,
                    message: "\(key.host ?? "a client") sent JWTs whose sub is the consumer key itself (\(m.group.count)×); sub must be a username",
                    count: m.group.count, evidence: evidence[key] ?? [], identity: [key.host ?? "", key.client])
        }
    }

    var examples: [RuleExample] {
        [.fires("sub equals the client id", [.token("2026-11-21T06:00:00Z", clientId: "3MVG9abc", sub: "3MVG9abc", status: 400,
                                                    error: "invalid_grant", description: "user hasn't approved this consumer")]),
         .fires("the same mistake, many requests: one finding", findings: 1,
                [.token("2026-11-21T06:00:00Z", clientId: "3MVG9abc", sub: "3MVG9abc", status: 400, error: "invalid_grant", description: "user hasn't approved this consumer"),
                 .token("2026-11-21T06:05:00Z", clientId: "3MVG9abc", sub: "3MVG9abc", status: 400, error: "invalid_grant", description: "user hasn't approved this consumer")]),
         .quiet("sub is a username", [.token("2026-11-21T06:00:00Z", clientId: "3MVG9abc", sub: "erp@acme.example")]),
         .quiet("client credentials has no sub", [.token("2026-11-21T06:00:00Z", clientId: "3MVG9abc", grant: .clientCredentials, sub: nil)])]
    }
}
