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
        let clientCondition = "failure_class = 'expired_assertion' AND time_ms BETWEEN ? AND ?"
        let clientRows = try c.rows("SELECT host, client_id, count(*), min(time_ms), max(time_ms) FROM v_token_requests WHERE \(clientCondition) GROUP BY 1, 2", c.window)
        let clientEvidence = try c.evidence(groups: Set(clientRows.map { AnalysisContext.groupKey($0, 0..<2) }), key: ["host", "client_id"],
                                            from: "v_token_requests", where: clientCondition, c.window)
        var findings: [Finding] = try clientRows.map { row in
            let host = row[0].string
            // The host's clock over the failing period, not over the whole window.
            let offset = try host.flatMap { try c.clockOffsets(from: row[3].int ?? 0, to: row[4].int ?? 0)[$0] }
            let clock = offset.map { "; " + $0.description } ?? ""
            return Finding(rule: id, severity: defaultSeverity, firstSeen: row[3].int ?? 0, lastSeen: row[4].int ?? 0,
                           app: c.app(forClientId: row[1].string)?.name ?? row[1].string, host: host,
                           message: "\(row[2].int ?? 0) token request(s) from \(host ?? "an unnamed host") failed as expired on arrival\(clock)",
                           count: Int(row[2].int ?? 0), evidence: clientEvidence[AnalysisContext.groupKey(row, 0..<2)] ?? [],
                           identity: ["client", host ?? "", row[1].string ?? ""])
        }
        let serverCondition = "failure_class = 'expired_assertion' AND time_ms BETWEEN ? AND ?"
        let serverRows = try c.rows("SELECT app, username, user_id, count(*), min(time_ms), max(time_ms) FROM v_logins WHERE \(serverCondition) GROUP BY 1, 2, 3", c.window)
        let serverEvidence = try c.evidence(groups: Set(serverRows.map { AnalysisContext.groupKey($0, 0..<3) }), key: ["app", "username", "user_id"],
                                            from: "v_logins", where: serverCondition, c.window)
        findings += serverRows.map { row in
            let user = row[1].string ?? row[2].string
            return Finding(rule: id, severity: defaultSeverity, firstSeen: row[4].int ?? 0, lastSeen: row[5].int ?? 0, app: row[0].string, user: user,
                           message: "\(row[3].int ?? 0) login(s) of \(row[0].string ?? "an unrecorded app") as \(user ?? "?") failed with an expired assertion (Invalid Timestamp)",
                           count: Int(row[3].int ?? 0), evidence: serverEvidence[AnalysisContext.groupKey(row, 0..<3)] ?? [],
                           identity: ["server", row[0].string ?? "", user ?? ""])
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
