struct IOCMatchRule: Rule {
    let id = "ioc-match"
    let title = "A record matches an indicator of compromise"
    let defaultSeverity = Severity.critical
    let cause = Cause.misuse
    let remedy = "Treat the matched sessions as the advisory's actor: revoke the app's tokens and the user's sessions, rotate the credentials involved, and read what the sessions did."
    let verdict: String? = "{who} matched an advisory's indicator"
    let rationale = """
        An advisory's indicators (addresses, user agents, accounts, domains of a campaign such as UNC6395's in 2025) \
        given with scan --iocs are swept over every record each scan reads. A match is a record of the campaign's \
        infrastructure or tooling in this org's logs: one finding per indicator and episode, its evidence the matching \
        records, so it joins the incident of the session it is part of, with that incident's blast radius.
        """
    let knobs: [String] = []

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        guard !c.indicators.isEmpty else { return [] }
        let result = try Hunt.sweep(db: c.facts.db, indicators: c.indicators, since: c.windowStart, until: c.windowEnd)
        return result.matches.map { m in
            let i = m.indicator
            let users = m.users.sorted(), apps = m.apps.sorted()
            var message = "\(i.kind.rawValue.replacingOccurrences(of: "_", with: " ")) \(i.original) (\(i.origin)\(i.comment.map { ": " + $0 } ?? "")) matched \(m.hits) record(s) in \(m.sources.sorted().joined(separator: ", "))"
            if !users.isEmpty { message += ", as \(users.prefix(3).joined(separator: ", "))\(users.count > 3 ? " and \(users.count - 3) more" : "")" }
            if !apps.isEmpty { message += ", app \(apps.prefix(3).joined(separator: ", "))" }
            return Finding(rule: id, severity: defaultSeverity, firstSeen: m.first, lastSeen: m.last,
                           app: apps.count == 1 ? apps[0] : nil, user: users.count == 1 ? users[0] : nil,
                           sourceIp: i.kind == .address ? i.value : nil, message: message, count: m.hits,
                           evidence: m.evidence.map(\.ref), identity: [i.kind.rawValue, i.value])
        }
    }

    var examples: [RuleExample] {
        let theft = [ExampleEvent.login("2026-11-21T04:00:00Z", app: "Chatline", user: "chat@acme.example", flow: .refreshToken, ip: "3.239.45.43"),
                     .api("2026-11-21T04:01:00Z", user: "chat@acme.example", ip: "3.239.45.43", app: "Chatline", agent: "Salesforce-Multi-Org-Fetcher/1.0")]
        return [
            .fires("the campaign's address and tool", iocs: "3.239.45[.]43\nSalesforce-Multi-Org-Fetcher/1.0\n", findings: 2, theft),
            .fires("a network of the advisory", iocs: "3.239.45.0/24\n", findings: 1, theft),
            .quiet("a neighbouring address and a longer agent", iocs: "3.239.45.44\nSalesforce-Multi-Org-Fetcher/1.0.1\n", theft),
            .quiet("no indicators given", theft),
        ]
    }
}
