struct OktaTokenNewIPRule: Rule {
    let id = "okta-token-new-ip"
    let title = "Okta API token or OAuth client used from a new network"
    let defaultSeverity = Severity.medium
    let cause = Cause.misuse
    let remedy = "Confirm the network is the client's own; otherwise revoke the Okta API token or rotate the OAuth client's secret."
    let verdict: String? = "{who}'s Okta credential used from a new network"
    let rationale = """
        An Okta API token (transaction.detail.requestApiTokenId) or OAuth client (client.id) belongs to an integration \
        that runs from a few hosts. Used from a network never seen for it, the token may have left those hosts. Judged \
        against history, so a first scan raises nothing. Check the integration's hosts; revoke the token if unknown.
        """
    let knobs: [String] = []

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        let history = try c.facts.oktaEvents(from: .min, to: c.windowStart - 1)
        guard !history.isEmpty else { return [] }
        // An event caused by an API token further up (`rootApiTokenId`) is that token's use too.
        func credentials(_ e: OktaEvent) -> [String] {
            Array(Set([e.apiToken, e.rootApiToken].compactMap { $0.map { "API token " + $0 } } + [e.client.map { "OAuth client " + $0 }].compactMap { $0 })).sorted()
        }
        var known: [String: Set<String>] = [:]
        for e in history { if let ip = e.ip { for credential in credentials(e) { known[credential, default: []].insert(CIDR.network(of: ip)) } } }
        struct Key: Hashable { let credential: String, network: String }
        struct Use { var first = Int64.max, last = Int64.min, count = 0, ips: [String: Int] = [:], actors: [String: Int] = [:], evidence: [String] = [] }
        var uses: [Key: Use] = [:]
        for e in try c.facts.oktaEvents(from: c.windowStart, to: c.windowEnd) {
            guard let ip = e.ip else { continue }
            for credential in credentials(e) {
                // Only a credential with a history has networks to compare with.
                guard let networks = known[credential], !networks.contains(CIDR.network(of: ip)) else { continue }
                let key = Key(credential: credential, network: CIDR.network(of: ip))
                var u = uses[key] ?? Use()
                u.first = min(u.first, e.time); u.last = max(u.last, e.time); u.count += 1; u.ips[ip, default: 0] += 1
                if let actor = e.actor { u.actors[actor, default: 0] += 1 }
                if u.evidence.count < Finding.maxEvidence { u.evidence.append(e.evidence) }
                uses[key] = u
            }
        }
        return uses.map { key, u in
            Finding(rule: id, severity: defaultSeverity, firstSeen: u.first, lastSeen: u.last, sourceIp: u.ips.count == 1 ? u.ips.keys.first : nil,
                    message: "Okta \(key.credential) used \(u.count)× from \(Finding.counted(u.ips, noun: "addresses", none: "?")), a network never seen for it"
                        + (u.actors.isEmpty ? "" : " (as \(Finding.usersPhrase(u.actors)))"),
                    count: u.count, evidence: u.evidence, identity: [key.credential, key.network], users: u.actors)
        }
    }

    var examples: [RuleExample] {
        let usual = ExampleEvent.okta("2026-11-10T09:00:00Z", event: "user.lifecycle.update", user: "sync@acme.example", ip: "198.51.100.7", token: "00T5g0000Tok1")
        return [
            .fires("the sync's API token from a hosting address", windowStart: "2026-11-20T00:00:00Z", findings: 1,
                   [usual, .okta("2026-11-23T09:00:00Z", event: "user.lifecycle.update", user: "sync@acme.example", ip: "45.76.10.2", token: "00T5g0000Tok1"),
                    .okta("2026-11-23T09:05:00Z", event: "group.user_membership.add", user: "sync@acme.example", ip: "45.76.10.3", token: "00T5g0000Tok1")]),
            .fires("an OAuth client from a new network", windowStart: "2026-11-20T00:00:00Z",
                   [.okta("2026-11-10T09:00:00Z", event: "app.oauth2.as.token.grant", ip: "198.51.100.7", client: "0oa5g0000Clnt1"),
                    .okta("2026-11-23T09:00:00Z", event: "app.oauth2.as.token.grant", ip: "185.220.101.33", client: "0oa5g0000Clnt1")]),
            .fires("an event the token caused further down (rootApiTokenId) from a new network", windowStart: "2026-11-20T00:00:00Z", findings: 1,
                   [usual, .okta("2026-11-23T09:00:00Z", event: "group.user_membership.add", user: "sync@acme.example", ip: "45.76.10.2", rootToken: "00T5g0000Tok1")]),
            .quiet("the token from its usual network", windowStart: "2026-11-20T00:00:00Z",
                   [usual, .okta("2026-11-23T09:00:00Z", event: "user.lifecycle.update", user: "sync@acme.example", ip: "198.51.100.8", token: "00T5g0000Tok1")]),
            .quiet("no history: a first scan judges nothing",
                   [.okta("2026-11-23T09:00:00Z", event: "user.lifecycle.update", ip: "45.76.10.2", token: "00T5g0000Tok1")]),
        ]
    }
}
