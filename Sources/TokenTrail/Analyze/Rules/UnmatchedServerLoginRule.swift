struct UnmatchedServerLoginRule: Rule {
    let id = "unmatched-server-login"
    let title = "Server login of a logged integration with no client request"
    let defaultSeverity = Severity.critical
    let rationale = """
        For an app whose integration logs its token requests, every JWT bearer or client credentials login should \
        have a request behind it. A login with none, while the client log covers that time, was made by someone \
        else: the private key or client secret is held outside the integration. Rotate the credential and look at \
        what the session did (Event Monitoring by LOGIN_KEY).
        """
    let knobs = ["matchWindowSeconds", "apps[].clientIds"]

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        let correlation = try c.correlation()
        guard !correlation.appsWithClientLogs.isEmpty else { return [] }
        let directory = try c.usernames()
        let margin = Int64(c.policy?.matchWindowSeconds ?? 120) * 1000
        struct Key: Hashable { let app: String, ip: String, user: String }
        var groups: [Key: (Group, [String])] = [:]
        for row in try c.rows("""
            SELECT l.time, l.key, (SELECT value FROM strings WHERE id = l.app), (SELECT value FROM strings WHERE id = l.username),
                   (SELECT value FROM strings WHERE id = l.user_id), (SELECT value FROM strings WHERE id = l.source_ip),
                   s.path || ':' || l.line
            FROM logins l JOIN login_contexts x ON x.id = l.context JOIN sources s ON s.id = l.source_id
            WHERE l.time BETWEEN ? AND ? AND l.app IS NOT NULL AND x.outcome = (SELECT id FROM strings WHERE value = 'success')
              AND x.flow IN (SELECT id FROM strings WHERE value IN ('jwt_bearer', 'client_credentials'))
            ORDER BY l.time
            """, c.window) {
            guard let time = row[0].int, let key = row[1].int, let app = row[2].string,
                  let span = correlation.appsWithClientLogs[app], time >= span.first - margin, time <= span.last + margin,
                  !correlation.matchedLogins.contains(.init(time: time, key: key)) else { continue }
            let user = c.displayUser(username: row[3].string, userId: row[4].string, directory: directory) ?? "?"
            let group = Key(app: app, ip: row[5].string ?? "?", user: user)
            var entry = groups[group] ?? (Group(), [])
            entry.0.add(time)
            if entry.1.count < Finding.maxEvidence, let evidence = row[6].string { entry.1.append(evidence) }
            groups[group] = entry
        }
        return groups.sorted { ($0.value.0.first, $0.key.app) < ($1.value.0.first, $1.key.app) }.map { key, entry in
            Finding(rule: id, severity: defaultSeverity, firstSeen: entry.0.first, lastSeen: entry.0.last, app: key.app,
                    user: key.user, sourceIp: key.ip,
                    message: "\(entry.0.count) login(s) of \(key.app) as \(key.user) from \(key.ip) have no matching client request: someone else holds the key or secret",
                    count: entry.0.count, evidence: entry.1, identity: [key.app, key.ip, key.user])
        }
    }

    var examples: [RuleExample] {
        [.fires("a login with no request while the client log covers that time", [
            .token("2026-11-21T06:00:00Z", sub: "erp@acme.example"),
            .login("2026-11-21T06:00:01Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer),
            .login("2026-11-21T06:20:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer, ip: "203.0.113.77"),
            .token("2026-11-21T06:40:00Z", sub: "erp@acme.example"),
            .login("2026-11-21T06:40:01Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer)]),
         .quiet("every login has its request", [
            .token("2026-11-21T06:00:00Z", sub: "erp@acme.example"),
            .login("2026-11-21T06:00:01Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer),
            .token("2026-11-21T06:30:00Z", sub: "erp@acme.example"),
            .login("2026-11-21T06:30:02Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer)]),
         .quiet("an app without client logs", [
            .login("2026-11-21T06:00:01Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer)]),
         .quiet("outside the period the client log covers", [
            .token("2026-11-21T06:00:00Z", sub: "erp@acme.example"),
            .login("2026-11-21T06:00:01Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer),
            .login("2026-11-21T09:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer)])]
    }
}
