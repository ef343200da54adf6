struct SubjectIsClientIdRule: Rule {
    let id = "subject-is-client-id"
    let title = "JWT subject set to the consumer key"
    let defaultSeverity = Severity.medium
    let rationale = """
        `sub` must be the Salesforce username the integration acts as; a client that puts its consumer key there \
        is misconfigured, and Salesforce answers "user hasn't approved this consumer". Fix the client's subject.
        """
    let knobs: [String] = []

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        let condition = "time_ms BETWEEN ? AND ? AND sub IS NOT NULL AND (sub = client_id OR sub = iss)"
        let rows = try c.rows("SELECT host, client_id, count(*), min(time_ms), max(time_ms) FROM v_token_requests WHERE \(condition) GROUP BY 1, 2", c.window)
        let evidence = try c.evidence(groups: Set(rows.map { AnalysisContext.groupKey($0, 0..<2) }), key: ["host", "client_id"],
                                      from: "v_token_requests", where: condition, c.window)
        return rows.map { row in
            let host = row[0].string, client = row[1].string ?? ""
            return Finding(rule: id, severity: defaultSeverity, firstSeen: row[3].int ?? 0, lastSeen: row[4].int ?? 0,
                           app: c.app(forClientId: client)?.name ?? client, host: host,
                           message: "\(host ?? "a client") sent JWTs whose sub is the consumer key itself (\(row[2].int ?? 0)×); sub must be a username",
                           count: Int(row[2].int ?? 0), evidence: evidence[AnalysisContext.groupKey(row, 0..<2)] ?? [], identity: [host ?? "", client])
        }
    }

    var examples: [RuleExample] {
        [.fires("sub equals the client id", [.token("2026-11-21T06:00:00Z", clientId: "3MVG9abc", sub: "3MVG9abc", status: 400,
                                                    error: "invalid_grant", description: "user hasn't approved this consumer")]),
         .quiet("sub is a username", [.token("2026-11-21T06:00:00Z", clientId: "3MVG9abc", sub: "erp@acme.example")]),
         .quiet("client credentials has no sub", [.token("2026-11-21T06:00:00Z", clientId: "3MVG9abc", grant: .clientCredentials, sub: nil)])]
    }
}
