struct OktaInvalidSessionRule: Rule {
    let id = "okta-invalid-session"
    let title = "Okta API calls rejected: invalid session or token"
    let defaultSeverity = Severity.medium
    let rationale = """
        Okta answers E0000005 "Invalid session" when a request carries no usable credentials, usually an \
        Authorization header with the wrong scheme (Bearer instead of SSWS) or none at all, and E0000011 "Invalid \
        token provided" when the API token is wrong, revoked or expired. The likely cause is given from the scheme the \
        client sent.
        """
    let knobs: [String] = []

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        let condition = "error_code IN ('E0000005', 'E0000011') AND time_ms BETWEEN ? AND ?"
        let rows = try c.rows("SELECT host, integration, error_code, auth_scheme, count(*), min(time_ms), max(time_ms) FROM v_token_requests WHERE \(condition) GROUP BY 1, 2, 3, 4", c.window)
        let evidence = try c.evidence(groups: Set(rows.map { AnalysisContext.groupKey($0, 0..<4) }), key: ["host", "integration", "error_code", "auth_scheme"],
                                      from: "v_token_requests", where: condition, c.window)
        return rows.map { row in
            let code = row[2].string ?? "", scheme = row[3].string
            let cause: String
            if code == "E0000011" {
                cause = "the API token is wrong, revoked or expired"
            } else if let scheme, scheme.uppercased() != "SSWS" {
                cause = "the client sent '\(scheme)' where Okta API tokens need 'Authorization: SSWS <token>'"
            } else if scheme == nil {
                cause = "no Authorization scheme was logged: the header is probably missing"
            } else {
                cause = "the SSWS header was sent but not accepted: check for a malformed or empty token"
            }
            return Finding(rule: id, severity: defaultSeverity, firstSeen: row[5].int ?? 0, lastSeen: row[6].int ?? 0,
                           app: row[1].string, host: row[0].string,
                           message: "\(row[4].int ?? 0) Okta call(s) from \(row[0].string ?? "a client") failed with \(code): \(cause)",
                           count: Int(row[4].int ?? 0), evidence: evidence[AnalysisContext.groupKey(row, 0..<4)] ?? [],
                           identity: [row[0].string ?? "", row[1].string ?? "", code, scheme ?? ""])
        }
    }

    var examples: [RuleExample] {
        [.fires("Bearer instead of SSWS", [.token("2026-11-21T06:00:00Z", host: "sync-01", grant: .other, sub: nil, aud: nil, status: 403,
                                                  provider: "okta", errorCode: "E0000005", authScheme: "Bearer", integration: "okta-user-sync")]),
         .fires("revoked token", [.token("2026-11-21T06:00:00Z", host: "sync-01", grant: .other, sub: nil, aud: nil, status: 401,
                                         provider: "okta", errorCode: "E0000011", authScheme: "SSWS", integration: "okta-user-sync")]),
         .quiet("a successful SSWS call", [.token("2026-11-21T06:00:00Z", host: "sync-01", grant: .other, sub: nil, aud: nil,
                                                  provider: "okta", authScheme: "SSWS", integration: "okta-user-sync")])]
    }
}
