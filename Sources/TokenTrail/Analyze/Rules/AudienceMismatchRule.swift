struct AudienceMismatchRule: Rule {
    let id = "audience-mismatch"
    let title = "JWT audience wrong for the org"
    let defaultSeverity = Severity.medium
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
        var hits: [([SQLValue], String)] = []
        for row in try c.rows("""
            SELECT host, client_id, aud, token_url, max(failure_class = 'audience_invalid'), count(*), min(time_ms), max(time_ms)
            FROM v_token_requests WHERE flow = 'jwt_bearer' AND time_ms BETWEEN ? AND ? GROUP BY 1, 2, 3, 4
            """, c.window) {
            let aud = row[2].string, tokenURL = row[3].string
            if row[4].int == 1 {
                hits.append((row, "Salesforce answered that the audience is invalid"))
            } else if let expected = c.app(forClientId: row[1].string)?.audience, let aud, aud != expected {
                hits.append((row, "the policy expects \(expected)"))
            } else if let audHost = Self.host(aud), let endpoint = Self.host(tokenURL),
                      ["login.salesforce.com", "test.salesforce.com"].contains(audHost),
                      ["login.salesforce.com", "test.salesforce.com"].contains(endpoint), audHost != endpoint {
                hits.append((row, "the token endpoint is \(endpoint)"))
            }
        }
        let evidence = try c.evidence(groups: Set(hits.map { AnalysisContext.groupKey($0.0, 0..<4) }), key: ["host", "client_id", "aud", "token_url"],
                                      from: "v_token_requests", where: "flow = 'jwt_bearer' AND time_ms BETWEEN ? AND ?", c.window)
        return hits.map { row, why in
            Finding(rule: id, severity: defaultSeverity, firstSeen: row[6].int ?? 0, lastSeen: row[7].int ?? 0,
                    app: c.app(forClientId: row[1].string)?.name ?? row[1].string, host: row[0].string,
                    message: "\(row[0].string ?? "a client") sent aud \(row[2].string ?? "(none)") (\(row[5].int ?? 0)×): \(why)",
                    count: Int(row[5].int ?? 0), evidence: evidence[AnalysisContext.groupKey(row, 0..<4)] ?? [],
                    identity: [row[0].string ?? "", row[1].string ?? "", row[2].string ?? ""])
        }
    }

    var examples: [RuleExample] {
        let policy = #"{"apps":[{"name":"Acme ERP Sync","clientIds":["3MVG9example"],"audience":"https://login.salesforce.com"}]}"#
        return [
            .fires("audience is invalid", [.token("2026-11-21T06:00:00Z", aud: "https://acme.example", status: 400,
                                                  error: "invalid_grant", description: "audience is invalid")]),
            .fires("sandbox audience against the policy", policy: policy, [.token("2026-11-21T06:00:00Z", aud: "https://test.salesforce.com")]),
            .quiet("the expected audience", policy: policy, [.token("2026-11-21T06:00:00Z", aud: "https://login.salesforce.com")]),
            .quiet("My Domain audience without a policy", [.token("2026-11-21T06:00:00Z", aud: "https://acme.my.salesforce.com")]),
        ]
    }
}
