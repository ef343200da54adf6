struct LegacyFlowRule: Rule {
    let id = "legacy-flow"
    let title = "Legacy authentication: username-password OAuth, SOAP login(), old TLS"
    let defaultSeverity = Severity.low
    let rationale = """
        The OAuth username-password flow and SOAP login() send a password (often with its security token) instead of \
        a key or secret that can be scoped and rotated; TLS below 1.2 is being retired. Move these integrations to \
        JWT bearer or client credentials.
        """
    let knobs: [String] = []

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        let directory = try c.usernames()
        let condition = "time_ms BETWEEN ? AND ? AND (flow IN ('username_password', 'soap_api') OR tls IN ('TLS 1.0', 'TLS 1.1', 'TLSv1', 'TLSv1.1', 'SSLv3'))"
        // One finding per user and reason, whatever shape named the user (id, username) and
        // whichever sources saw it (an ELF row has no app).
        struct Key: Hashable { let user: String, why: String }
        var groups: [Key: (Group, Set<String>, Set<String>)] = [:]   // counts, apps, row group keys
        for row in try c.rows("""
            SELECT app, username, user_id,
                   CASE WHEN flow = 'username_password' THEN 'the username-password OAuth flow'
                        WHEN flow = 'soap_api' THEN 'SOAP login()' ELSE tls END AS why,
                   count(*), min(time_ms), max(time_ms)
            FROM v_logins WHERE \(condition) GROUP BY 1, 2, 3, 4
            """, c.window) {
            let user = c.displayUser(username: row[1].string, userId: row[2].string, directory: directory) ?? "?"
            let key = Key(user: user, why: row[3].string ?? "")
            var entry = groups[key] ?? (Group(), [], [])
            entry.0.add(row[5].int ?? 0, Int(row[4].int ?? 0))
            entry.0.add(row[6].int ?? 0, 0)
            if let app = row[0].string { entry.1.insert(app) }
            entry.2.insert(AnalysisContext.groupKey(row, 0..<3))
            groups[key] = entry
        }
        let evidence = try c.evidence(groups: Set(groups.values.flatMap(\.2)), key: ["app", "username", "user_id"],
                                      from: "v_logins", where: condition, c.window)
        return groups.sorted { ($0.key.user, $0.key.why) < ($1.key.user, $1.key.why) }.map { key, entry in
            let apps = entry.1.isEmpty ? "" : " via " + entry.1.sorted().joined(separator: ", ")
            return Finding(rule: id, severity: defaultSeverity, firstSeen: entry.0.first, lastSeen: entry.0.last,
                           app: entry.1.sorted().first, user: key.user,
                           message: "\(key.user) logged in with \(key.why)\(apps) (\(entry.0.count)×)",
                           count: entry.0.count, evidence: entry.2.sorted().flatMap { evidence[$0] ?? [] }.sorted(), identity: [key.user, key.why])
        }
    }

    var examples: [RuleExample] {
        [.fires("Data Loader with a password", [.login("2026-11-21T06:00:00Z", app: "Dataloader Partner", user: "admin@acme.example", flow: .usernamePassword)]),
         .fires("SOAP login()", [.login("2026-11-21T06:00:00Z", app: nil, user: "old-etl@acme.example", flow: .soapApi)]),
         .fires("TLS 1.1", [.login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer, tls: "TLS 1.1")]),
         .quiet("JWT bearer over TLS 1.2", [.login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer)])]
    }
}
