struct UnknownAppRule: Rule {
    let id = "unknown-app"
    let title = "OAuth login by an app nobody declared"
    let defaultSeverity = Severity.medium
    let rationale = """
        Every connected app that obtains tokens is a way into the org. An app missing from the policy (or, without a \
        policy, one never seen before) deserves a look: who installed it, which users it acts as, which flows it uses.
        """
    let knobs = ["apps[].name"]

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        let declared = Set((c.policy?.apps ?? []).map(\.name))
        let usePolicy = !declared.isEmpty
        guard try usePolicy || c.hasHistory else { return [] }
        var known: Set<String> = []
        if !usePolicy {
            for row in try c.rows("SELECT DISTINCT app FROM v_logins WHERE app IS NOT NULL AND time_ms < ?", [.integer(c.windowStart)]) {
                if let app = row[0].string { known.insert(app) }
            }
        }
        let condition = "app IS NOT NULL AND flow IN \(oauthFlows) AND time_ms BETWEEN ? AND ?"
        let rows = try c.rows("""
            SELECT app, group_concat(DISTINCT flow), count(*), count(DISTINCT coalesce(username, user_id)), min(time_ms), max(time_ms)
            FROM v_logins WHERE \(condition) GROUP BY 1
            """, c.window).filter { row in
            guard let app = row[0].string else { return false }
            return !(usePolicy ? declared.contains(app) : known.contains(app))
        }
        let evidence = try c.evidence(groups: Set(rows.map { AnalysisContext.groupKey($0, 0..<1) }), key: ["app"], from: "v_logins", where: condition, c.window)
        let why = usePolicy ? "not in the policy" : "first seen"
        return rows.map { row in
            let app = row[0].string ?? ""
            return Finding(rule: id, severity: defaultSeverity, firstSeen: row[4].int ?? 0, lastSeen: row[5].int ?? 0, app: app,
                           message: "\(app) (\(why)) logged in \(row[2].int ?? 0)× as \(row[3].int ?? 0) user(s) by \(row[1].string ?? "?")",
                           count: Int(row[2].int ?? 0), evidence: evidence[app] ?? [], identity: [app])
        }
    }

    var examples: [RuleExample] {
        let policy = #"{"apps":[{"name":"Acme ERP Sync","flows":["jwt_bearer"]}]}"#
        return [
            .fires("an app the policy does not list", policy: policy,
                   [.login("2026-11-21T06:00:00Z", app: "Shady Sync", user: "erp@acme.example", flow: .jwtBearer)]),
            .fires("no policy: first seen", windowStart: "2026-11-20T00:00:00Z",
                   [.login("2026-11-10T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer),
                    .login("2026-11-21T06:00:00Z", app: "Shady Sync", user: "erp@acme.example", flow: .refreshToken)]),
            .quiet("a declared app", policy: policy, [.login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer)]),
            .quiet("UI logins are not OAuth apps", policy: policy, [.login("2026-11-21T06:00:00Z", app: "Browser", user: "bob@acme.example", flow: .ui)]),
            .quiet("no policy, first scan", [.login("2026-11-21T06:00:00Z", app: "Shady Sync", user: "erp@acme.example", flow: .jwtBearer)]),
        ]
    }
}
