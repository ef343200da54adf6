struct ConsumerNotApprovedRule: Rule {
    let id = "consumer-not-approved"
    let title = "User not approved for the connected app"
    let defaultSeverity = Severity.medium
    let rationale = """
        "user hasn't approved this consumer", "Not approved for access" and invalid_app_access mean the subject is \
        not pre-authorized for the app (profile or permission set not assigned, or admin approval required). For an \
        integration it is a broken deployment; for a subject that was never meant to use the app, someone is trying.
        """
    let knobs: [String] = []

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        // Server side: integration flows only; a person trying an app they are not assigned
        // to is not what this rule is for.
        let directory = try c.usernames()
        let serverCondition = "failure_class = 'not_approved' AND flow IN ('jwt_bearer', 'client_credentials') AND time_ms BETWEEN ? AND ?"
        let serverRows = try c.rows("SELECT app, username, user_id, count(*), min(time_ms), max(time_ms) FROM v_logins WHERE \(serverCondition) GROUP BY 1, 2, 3", c.window)
        let serverEvidence = try c.evidence(groups: Set(serverRows.map { AnalysisContext.groupKey($0, 0..<3) }), key: ["app", "username", "user_id"],
                                            from: "v_logins", where: serverCondition, c.window)
        var findings = serverRows.map { row in
            let user = c.displayUser(username: row[1].string, userId: row[2].string, directory: directory)
            return Finding(rule: id, severity: defaultSeverity, firstSeen: row[4].int ?? 0, lastSeen: row[5].int ?? 0, app: row[0].string, user: user,
                           message: "\(user ?? "a user") is not approved for \(row[0].string ?? "the app") (\(row[3].int ?? 0) failed login(s))",
                           count: Int(row[3].int ?? 0), evidence: serverEvidence[AnalysisContext.groupKey(row, 0..<3)] ?? [],
                           identity: ["server", row[0].string ?? "", user ?? ""])
        }
        let clientCondition = "failure_class = 'not_approved' AND time_ms BETWEEN ? AND ?"
        let clientRows = try c.rows("SELECT host, client_id, sub, count(*), min(time_ms), max(time_ms) FROM v_token_requests WHERE \(clientCondition) GROUP BY 1, 2, 3", c.window)
        let clientEvidence = try c.evidence(groups: Set(clientRows.map { AnalysisContext.groupKey($0, 0..<3) }), key: ["host", "client_id", "sub"],
                                            from: "v_token_requests", where: clientCondition, c.window)
        findings += clientRows.map { row in
            Finding(rule: id, severity: defaultSeverity, firstSeen: row[4].int ?? 0, lastSeen: row[5].int ?? 0,
                    app: c.app(forClientId: row[1].string)?.name ?? row[1].string, user: row[2].string, host: row[0].string,
                    message: "\(row[0].string ?? "a client") asked for \(row[2].string ?? "a subject") but it is not approved for the app (\(row[3].int ?? 0)×)",
                    count: Int(row[3].int ?? 0), evidence: clientEvidence[AnalysisContext.groupKey(row, 0..<3)] ?? [],
                    identity: ["client", row[0].string ?? "", row[1].string ?? "", row[2].string ?? ""])
        }
        return findings
    }

    var examples: [RuleExample] {
        [.fires("server: Not approved for access on an integration flow",
                [.login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "qa-bot@acme.example", flow: .jwtBearer, status: "Failed: Not approved for access")]),
         .quiet("a person not assigned to an app they tried in the browser",
                [.login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "bob@acme.example", flow: .webServer, status: "Failed: Not approved for access")]),
         .fires("client: user hasn't approved this consumer",
                [.token("2026-11-21T06:00:00Z", sub: "bob@acme.example", status: 400, error: "invalid_grant", description: "user hasn't approved this consumer")]),
         .quiet("a mistyped password", [.login("2026-11-21T06:00:00Z", app: "Browser", user: "bob@acme.example", flow: .ui, status: "Invalid Password")])]
    }
}
