struct UnexpectedSubjectRule: Rule {
    let id = "unexpected-subject"
    let title = "JWT bearer login as an unexpected subject"
    let defaultSeverity = Severity.high
    let rationale = """
        JWT bearer lets whoever holds the app's private key log in as any pre-authorized user. An app meant to act \
        as one integration user that logs in as someone else is either misconfigured or someone is using the key to \
        become another user. Check who the subject is, which host sent it, and whether the key has leaked.
        """
    let knobs = ["apps[].subjects", "apps[].clientIds"]

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        let directory = try c.usernames()
        let history = try c.hasHistory
        var seenBefore: Set<String> = []
        for row in try c.rows("""
            SELECT DISTINCT coalesce(app, ''), username, user_id FROM v_logins WHERE flow = 'jwt_bearer' AND time_ms < ?
            UNION SELECT DISTINCT coalesce(client_id, ''), sub, NULL FROM v_token_requests WHERE flow = 'jwt_bearer' AND time_ms < ?
            """, [.integer(c.windowStart), .integer(c.windowStart)]) {
            let user = c.displayUser(username: row[1].string, userId: row[2].string, directory: directory) ?? ""
            seenBefore.insert((row[0].string ?? "") + "\u{1F}" + user)
        }
        let appsWithHistory = Set(seenBefore.map { String($0.split(separator: "\u{1F}", omittingEmptySubsequences: false)[0]) })

        // Server side: JWT bearer logins by app and user.
        var server: [([SQLValue], String, String)] = []
        for row in try c.rows("""
            SELECT app, username, user_id, count(*), min(time_ms), max(time_ms) FROM v_logins
            WHERE flow = 'jwt_bearer' AND time_ms BETWEEN ? AND ? AND app IS NOT NULL GROUP BY 1, 2, 3
            """, c.window) {
            let app = row[0].string ?? ""
            guard let user = c.displayUser(username: row[1].string, userId: row[2].string, directory: directory) else { continue }
            if let subjects = c.app(named: app)?.subjects, !subjects.isEmpty {
                if subjects.contains(user) || (user.hasPrefix("005") && row[1].string == nil) { continue } // an id we cannot name is not judged
                server.append((row, user, "the policy allows only \(subjects.joined(separator: ", "))"))
            } else if history, !seenBefore.contains(app + "\u{1F}" + user), appsWithHistory.contains(app) {
                server.append((row, user, "first time this app logs in as this user"))
            }
        }
        let serverEvidence = try c.evidence(groups: Set(server.map { AnalysisContext.groupKey($0.0, 0..<3) }), key: ["app", "username", "user_id"],
                                            from: "v_logins", where: "flow = 'jwt_bearer' AND time_ms BETWEEN ? AND ?", c.window)
        var findings = server.map { row, user, why in
            let app = row[0].string ?? ""
            return Finding(rule: id, severity: defaultSeverity, firstSeen: row[4].int ?? 0, lastSeen: row[5].int ?? 0, app: app, user: user,
                           message: "\(app) logged in by JWT bearer as \(user) (\(row[3].int ?? 0)×): \(why)", count: Int(row[3].int ?? 0),
                           evidence: serverEvidence[AnalysisContext.groupKey(row, 0..<3)] ?? [], identity: ["server", app, user])
        }

        // Client side: the subjects the integration asked for (failed requests too).
        var client: [([SQLValue], String)] = []
        for row in try c.rows("""
            SELECT client_id, sub, host, count(*), min(time_ms), max(time_ms) FROM v_token_requests
            WHERE flow = 'jwt_bearer' AND time_ms BETWEEN ? AND ? AND sub IS NOT NULL GROUP BY 1, 2, 3
            """, c.window) {
            let clientId = row[0].string ?? "", sub = row[1].string ?? ""
            if let subjects = c.app(forClientId: clientId)?.subjects, !subjects.isEmpty {
                if subjects.contains(sub) { continue }
                client.append((row, "the policy allows only \(subjects.joined(separator: ", "))"))
            } else if history, !seenBefore.contains(clientId + "\u{1F}" + sub), appsWithHistory.contains(clientId) {
                client.append((row, "first time this client id asks for this subject"))
            }
        }
        let clientEvidence = try c.evidence(groups: Set(client.map { AnalysisContext.groupKey($0.0, 0..<3) }), key: ["client_id", "sub", "host"],
                                            from: "v_token_requests", where: "flow = 'jwt_bearer' AND time_ms BETWEEN ? AND ?", c.window)
        findings += client.map { row, why in
            let clientId = row[0].string, sub = row[1].string ?? "", host = row[2].string
            let appName = c.app(forClientId: clientId)?.name ?? clientId
            return Finding(rule: id, severity: defaultSeverity, firstSeen: row[4].int ?? 0, lastSeen: row[5].int ?? 0,
                           app: appName, user: sub, host: host,
                           message: "\(host ?? "a client") requested JWT bearer tokens for \(sub) with \(appName ?? "an unknown client id") (\(row[3].int ?? 0)×): \(why)",
                           count: Int(row[3].int ?? 0), evidence: clientEvidence[AnalysisContext.groupKey(row, 0..<3)] ?? [],
                           identity: ["client", clientId ?? "", sub, host ?? ""])
        }
        return findings
    }

    var examples: [RuleExample] {
        let policy = #"{"apps":[{"name":"Acme ERP Sync","clientIds":["3MVG9example"],"flows":["jwt_bearer"],"subjects":["erp-integration@acme.example"]}]}"#
        return [
            .fires("policy subject list excludes the user", policy: policy,
                   [.login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "ceo@acme.example", flow: .jwtBearer)]),
            .fires("client asks for a subject outside the policy", policy: policy,
                   [.token("2026-11-21T06:00:00Z", sub: "ceo@acme.example")]),
            .fires("no policy: a subject never seen before for this app", windowStart: "2026-11-20T00:00:00Z",
                   [.login("2026-11-10T06:00:00Z", app: "Acme ERP Sync", user: "erp-integration@acme.example", flow: .jwtBearer),
                    .login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "ceo@acme.example", flow: .jwtBearer)]),
            .quiet("the declared subject", policy: policy,
                   [.login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "erp-integration@acme.example", flow: .jwtBearer),
                    .token("2026-11-21T05:59:59Z", sub: "erp-integration@acme.example")]),
            .quiet("no policy: the usual subject", windowStart: "2026-11-20T00:00:00Z",
                   [.login("2026-11-10T06:00:00Z", app: "Acme ERP Sync", user: "erp-integration@acme.example", flow: .jwtBearer),
                    .login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "erp-integration@acme.example", flow: .jwtBearer)]),
            .quiet("no policy, no history: nothing to compare with",
                   [.login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "ceo@acme.example", flow: .jwtBearer)]),
            .quiet("not JWT bearer: a person using the web flow", policy: policy,
                   [.login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "ceo@acme.example", flow: .webServer)]),
        ]
    }
}
