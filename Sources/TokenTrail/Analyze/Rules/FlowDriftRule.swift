struct FlowDriftRule: Rule {
    let id = "flow-drift"
    let title = "App logs in with a flow it does not use"
    let defaultSeverity = Severity.high
    let rationale = """
        An integration uses one flow. A JWT bearer app suddenly logging in by username-password, or a client \
        credentials app by JWT bearer, means someone enabled another flow on it or uses its credentials in a way it \
        was not meant for. Check the app's OAuth policies and who logged in.
        """
    let knobs = ["apps[].flows"]

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        var history: [String: Set<String>] = [:]
        for row in try c.rows("SELECT DISTINCT app, flow FROM v_logins WHERE app IS NOT NULL AND flow IN \(oauthFlows) AND outcome = 'success' AND time_ms < ?",
                              [.integer(c.windowStart)]) {
            if let app = row[0].string, let flow = row[1].string { history[app, default: []].insert(flow) }
        }
        let condition = "app IS NOT NULL AND flow IN \(oauthFlows) AND outcome = 'success' AND time_ms BETWEEN ? AND ?"
        var hits: [([SQLValue], String)] = []
        for row in try c.rows("SELECT app, flow, count(*), min(time_ms), max(time_ms) FROM v_logins WHERE \(condition) GROUP BY 1, 2", c.window) {
            guard let app = row[0].string, let flow = row[1].string else { continue }
            if let declared = c.app(named: app)?.flows, !declared.isEmpty {
                if !declared.map(\.rawValue).contains(flow) { hits.append((row, "the policy declares \(declared.map(\.rawValue).joined(separator: ", "))")) }
            } else if let used = history[app], !used.contains(flow) {
                hits.append((row, "before, it used \(used.sorted().joined(separator: ", "))"))
            }
        }
        let evidence = try c.evidence(groups: Set(hits.map { AnalysisContext.groupKey($0.0, 0..<2) }), key: ["app", "flow"],
                                      from: "v_logins", where: condition, c.window)
        return hits.map { row, why in
            let app = row[0].string ?? "", flow = row[1].string ?? ""
            return Finding(rule: id, severity: defaultSeverity, firstSeen: row[3].int ?? 0, lastSeen: row[4].int ?? 0, app: app,
                           message: "\(app) logged in by \(flow) (\(row[2].int ?? 0)×): \(why)",
                           count: Int(row[2].int ?? 0), evidence: evidence[AnalysisContext.groupKey(row, 0..<2)] ?? [], identity: [app, flow])
        }
    }

    var examples: [RuleExample] {
        let policy = #"{"apps":[{"name":"Acme ERP Sync","flows":["jwt_bearer"]}]}"#
        return [
            .fires("a flow the policy does not declare", policy: policy,
                   [.login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .usernamePassword)]),
            .fires("no policy: a flow never used before", windowStart: "2026-11-20T00:00:00Z",
                   [.login("2026-11-10T06:00:00Z", app: "Acme Reporting", user: "bot@acme.example", flow: .clientCredentials),
                    .login("2026-11-21T06:00:00Z", app: "Acme Reporting", user: "bot@acme.example", flow: .jwtBearer)]),
            .quiet("the declared flow", policy: policy, [.login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer)]),
            .quiet("no policy, no history", [.login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .usernamePassword)]),
            .quiet("a person's failed attempt with another flow", policy: policy,
                   [.login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "bob@acme.example", flow: .webServer, status: "Failed: Not approved for access")]),
        ]
    }
}
