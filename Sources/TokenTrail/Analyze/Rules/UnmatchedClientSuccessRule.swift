struct UnmatchedClientSuccessRule: Rule {
    let id = "unmatched-client-success"
    let title = "Successful token request with no server login"
    let defaultSeverity = Severity.low
    let rationale = """
        A token the client received should appear as a login on the server. When the exports cover that time and it \
        does not, either the export is incomplete (a missing file, a filtered query) or the client talks to another \
        org than the one exported. Check the export's coverage and the request's token URL and instance.
        """
    let knobs = ["matchWindowSeconds"]

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        let correlation = try c.correlation()
        // Periods the server-side exports cover.
        let covered = try c.rows("""
            SELECT first_time, last_time FROM sources WHERE (format LIKE 'login_history%' OR format = 'elf_login') AND first_time IS NOT NULL
            """).compactMap { row in row[0].int.flatMap { a in row[1].int.map { (a, $0) } } }
        guard !covered.isEmpty else { return [] }
        struct Key: Hashable { let host: String, client: String, subject: String }
        var groups: [Key: (Group, [String])] = [:]
        for row in try c.rows("""
            SELECT t.time, t.key, (SELECT value FROM strings WHERE id = t.host), (SELECT value FROM strings WHERE id = t.client_id),
                   coalesce((SELECT value FROM strings WHERE id = t.sub), (SELECT value FROM strings WHERE id = t.user_id)),
                   s.path || ':' || t.line
            FROM token_requests t JOIN sources s ON s.id = t.source_id
            WHERE t.time BETWEEN ? AND ? AND t.outcome = (SELECT id FROM strings WHERE value = 'success')
              AND t.flow IN (SELECT id FROM strings WHERE value IN ('jwt_bearer', 'client_credentials'))
              AND coalesce((SELECT value FROM strings WHERE id = t.provider), 'salesforce') = 'salesforce'
            ORDER BY t.time
            """, c.window) {
            guard let time = row[0].int, let key = row[1].int,
                  covered.contains(where: { time >= $0.0 && time <= $0.1 }),
                  !correlation.matchedRequests.contains(.init(time: time, key: key)) else { continue }
            let group = Key(host: row[2].string ?? "?", client: row[3].string ?? "?", subject: row[4].string ?? "?")
            var entry = groups[group] ?? (Group(), [])
            entry.0.add(time)
            if entry.1.count < Finding.maxEvidence, let evidence = row[5].string { entry.1.append(evidence) }
            groups[group] = entry
        }
        return groups.sorted { ($0.value.0.first, $0.key.host) < ($1.value.0.first, $1.key.host) }.map { key, entry in
            Finding(rule: id, severity: defaultSeverity, firstSeen: entry.0.first, lastSeen: entry.0.last,
                    app: c.app(forClientId: key.client)?.name ?? key.client, user: key.subject, host: key.host,
                    message: "\(entry.0.count) successful token request(s) from \(key.host) for \(key.subject) have no login in the server exports that cover that time",
                    count: entry.0.count, evidence: entry.1, identity: [key.host, key.client, key.subject])
        }
    }

    var examples: [RuleExample] {
        [.fires("a token with no login although the export covers it", [
            .login("2026-11-21T05:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer),
            .token("2026-11-21T05:59:59Z", sub: "erp@acme.example"),
            .login("2026-11-21T07:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer)]),
         .quiet("the token and its login", [
            .token("2026-11-21T05:59:59Z", sub: "erp@acme.example"),
            .login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer)]),
         .quiet("a failed request has no login to match", [
            .login("2026-11-21T05:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer),
            .token("2026-11-21T05:59:59Z", sub: "erp@acme.example", status: 400, error: "invalid_grant", description: "invalid assertion"),
            .login("2026-11-21T07:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer)])]
    }
}
