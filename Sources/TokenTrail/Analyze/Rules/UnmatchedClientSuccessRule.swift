struct UnmatchedClientSuccessRule: Rule {
    let id = "unmatched-client-success"
    let title = "Successful token request with no server login"
    let defaultSeverity = Severity.low
    let cause = Cause.breakage
    let remedy = "Check the exports cover that time and that the client talks to this org; a gap hides logins from every rule."
    let rationale = """
        A token the client received should appear as a login on the server. When the exports cover that time and it \
        does not, either the export is incomplete (a missing file, a filtered query) or the client talks to another \
        org than the one exported. Check the export's coverage and the request's token URL and instance.
        """
    let knobs = ["matchWindowSeconds"]

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        let correlation = try c.correlation()
        let salesforce = try c.names.id("salesforce")
        // One finding per host, client id and subject, whatever symbol named the subject.
        struct Key: Hashable { let host: String, client: String, subject: String }
        var groups: [Key: (group: Group, evidence: [EvidenceRef])] = [:]
        for (key, entry) in correlation.unmatchedRequests where key.provider == 0 || key.provider == salesforce {
            let named = Key(host: try c.hostGroup(key.host) ?? "?", client: try c.names.name(key.clientId) ?? "?",
                            subject: try c.names.name(key.subject) ?? "?")
            var merged = groups[named] ?? (Group(), [])
            merged.group.merge(entry.group)
            merged.evidence = Array((merged.evidence + entry.evidence).prefix(Finding.maxEvidence))
            groups[named] = merged
        }
        return try groups.map { key, entry in
            Finding(rule: id, severity: defaultSeverity, firstSeen: entry.group.first, lastSeen: entry.group.last,
                    app: c.app(forClientId: key.client)?.name ?? key.client, user: key.subject, host: key.host,
                    message: "\(entry.group.count) successful token request(s) from \(key.host) for \(key.subject) have no login in the server exports that cover that time",
                    count: entry.group.count, evidence: try c.facts.evidence(entry.evidence), identity: [key.host, key.client, key.subject])
        }
    }

    var examples: [RuleExample] {
        [.fires("a token with no login although the export covers it", [
            .login("2026-11-21T05:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer),
            .token("2026-11-21T05:59:59Z", sub: "erp@acme.example"),
            .login("2026-11-21T07:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer)]),
         .fires("tokens from three pods of one Deployment, none logged in: one finding", findings: 1, [
            .login("2026-11-21T05:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer),
            .token("2026-11-21T05:20:00Z", host: "sfsync-7f9c6d8b4-xk2p9", sub: "erp@acme.example"),
            .token("2026-11-21T05:40:00Z", host: "sfsync-7f9c6d8b4-2xq4z", sub: "erp@acme.example"),
            .token("2026-11-21T05:59:59Z", host: "sfsync-5d8f7b9c6-q8wmz", sub: "erp@acme.example"),
            .login("2026-11-21T07:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer)]),
         .quiet("the token and its login", [
            .token("2026-11-21T05:59:59Z", sub: "erp@acme.example"),
            .login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer)]),
         .quiet("a failed request has no login to match", [
            .login("2026-11-21T05:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer),
            .token("2026-11-21T05:59:59Z", sub: "erp@acme.example", status: 400, error: "invalid_grant", description: "invalid assertion"),
            .login("2026-11-21T07:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer)])]
    }
}
