struct DormantAppRule: Rule {
    let id = "dormant-app"
    let title = "App or integration user active again after a long silence"
    let defaultSeverity = Severity.medium
    let rationale = """
        A connected app or integration user that has been silent for weeks and suddenly logs in again is either a \
        forgotten integration revived or a forgotten credential put to use. Confirm someone intended it; retire \
        credentials that should stay dead.
        """
    let knobs = ["rules.dormant-app.threshold (days, default 30)"]

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        let days = Int64(c.threshold(id, default: 30))
        let silence = days * 86_400_000
        var findings: [Finding] = []
        let subjects: [(String, String, String)] = [   // (what, expression, extra condition)
            ("app", "app", "flow IN \(oauthFlows)"),
            ("integration user", "coalesce(username, user_id)", "flow IN ('jwt_bearer', 'client_credentials')"),
        ]
        for (what, expression, condition) in subjects {
            var lastBefore: [String: Int64] = [:]
            for row in try c.rows("SELECT \(expression), max(time_ms) FROM v_logins WHERE \(condition) AND \(expression) IS NOT NULL AND time_ms < ? GROUP BY 1",
                                  [.integer(c.windowStart)]) {
                if let name = row[0].string, let time = row[1].int { lastBefore[name] = time }
            }
            guard !lastBefore.isEmpty else { continue }
            for row in try c.rows("""
                SELECT \(expression), min(time_ms), max(time_ms), count(*) FROM v_logins
                WHERE \(condition) AND \(expression) IS NOT NULL AND time_ms BETWEEN ? AND ? GROUP BY 1
                """, c.window) {
                guard let name = row[0].string, let first = row[1].int, let previous = lastBefore[name], first - previous >= silence else { continue }
                let evidence = try c.evidence("SELECT evidence FROM v_logins WHERE \(condition) AND \(expression) = ? AND time_ms BETWEEN ? AND ?",
                                              [.text(name), .integer(first), .integer(c.windowEnd)])
                let quiet = (first - previous) / 86_400_000
                findings.append(Finding(rule: id, severity: defaultSeverity, firstSeen: first, lastSeen: row[2].int ?? first,
                                        app: what == "app" ? name : nil, user: what == "app" ? nil : name,
                                        message: "\(what) \(name) logged in again (\(row[3].int ?? 0)×) after \(quiet) days of silence (last seen \(RunSummary.isoTime(previous)))",
                                        count: Int(row[3].int ?? 0), evidence: evidence, identity: [what, name, String(previous)]))
            }
        }
        return findings
    }

    var examples: [RuleExample] {
        [.fires("an app silent since October", windowStart: "2026-11-20T00:00:00Z", [
            .login("2026-10-01T06:00:00Z", app: "Old Sync", user: "old-sync@acme.example", flow: .jwtBearer),
            .login("2026-11-21T06:00:00Z", app: "Old Sync", user: "old-sync@acme.example", flow: .jwtBearer)]),
         .quiet("an app used last week", windowStart: "2026-11-20T00:00:00Z", [
            .login("2026-11-10T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer),
            .login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer)]),
         .quiet("a person back from holiday is not an integration", windowStart: "2026-11-20T00:00:00Z", [
            .login("2026-10-01T06:00:00Z", app: "Browser", user: "bob@acme.example", flow: .ui),
            .login("2026-11-21T06:00:00Z", app: "Browser", user: "bob@acme.example", flow: .ui)])]
    }
}
