struct LongLivedAssertionRule: Rule {
    let id = "long-lived-assertion"
    let title = "JWT assertions valid for longer than allowed"
    let defaultSeverity = Severity.low
    let cause = Cause.hygiene
    let remedy = "Set `exp` to at most 3 minutes after `iat` (and in seconds, not milliseconds)."
    let rationale = """
        Salesforce asks for exp within 3 minutes but does not enforce it: a long-lived assertion that leaks (a log, \
        a proxy) can be replayed until it expires. A lifetime of days often means exp was written in milliseconds \
        instead of seconds. Shorten exp in the client.
        """
    let knobs = ["maxAssertionLifetimeSeconds"]

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        let maximum = c.facts.maxAssertionLifetime
        struct Key: Hashable { let host: String?, client: String? }
        var longest: [Key: (lifetime: Int64, milliseconds: Bool)] = [:]
        let groups = try c.facts.mergeRequests { g, tally -> Key? in
            guard g.longLived else { return nil }
            let key = Key(host: try c.hostGroup(g.host), client: try c.names.name(g.clientId))
            let known = longest[key] ?? (.min, false)
            longest[key] = (max(known.lifetime, tally.maxLifetime), known.milliseconds || tally.expInMilliseconds)
            return key
        }
        let evidence = c.facts.requestEvidence(for: groups)
        return try groups.map { key, m in
            let worst = longest[key] ?? (0, false), users = try c.facts.subjects(of: m)
            let why = worst.milliseconds ? "exp looks like milliseconds, not seconds" : "up to \(worst.lifetime) s (maximum \(maximum) s)"
            return Finding(rule: id, severity: defaultSeverity, firstSeen: m.group.first, lastSeen: m.group.last,
                           app: c.app(forClientId: key.client)?.name ?? key.client, host: key.host,
                           message: "\(key.host ?? "a client") sent \(m.group.count) assertion(s)\(users.isEmpty ? "" : " for " + Finding.usersPhrase(users)) valid too long: \(why)",
                           count: m.group.count, evidence: evidence[key] ?? [], identity: [key.host ?? "", key.client ?? ""], users: users)
        }
    }

    var examples: [RuleExample] {
        [.fires("five-minute assertions", [.token("2026-11-21T06:00:00Z", lifetime: 300)]),
         .fires("exp in milliseconds", [.token("2026-11-21T06:00:00Z", lifetime: 1_795_241_041_000)]),
         .fires("one host's assertions for two subjects: one finding", findings: 1, users: 2,
                [.token("2026-11-21T06:00:00Z", sub: "a@acme.example", lifetime: 300), .token("2026-11-21T06:05:00Z", sub: "b@acme.example", lifetime: 600)]),
         .quiet("three minutes", [.token("2026-11-21T06:00:00Z", lifetime: 180)]),
         .quiet("no claims logged", [.token("2026-11-21T06:00:00Z", iatOffset: nil, lifetime: nil)])]
    }
}
