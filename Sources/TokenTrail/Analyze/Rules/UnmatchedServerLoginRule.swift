struct UnmatchedServerLoginRule: Rule {
    let id = "unmatched-server-login"
    let title = "Server login of a logged integration with no client request"
    let defaultSeverity = Severity.critical
    let cause = Cause.misuse
    let remedy = "Treat the key or secret as stolen: rotate the app's certificate or consumer secret, revoke its tokens (Setup → Connected Apps OAuth Usage), and read what the sessions did."
    let verdict: String? = "{who}'s key or secret used from an unknown host"
    let rationale = """
        For an app whose integration logs its token requests, every JWT bearer or client credentials login should \
        have a request behind it. A login with none, while the client log covers that time, was made by someone \
        else: the private key or client secret is held outside the integration. Rotate the credential and look at \
        what the session did (Event Monitoring by LOGIN_KEY).
        """
    let knobs = ["matchWindowSeconds", "apps[].clientIds"]

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        let correlation = try c.correlation()
        guard !correlation.appsWithClientLogs.isEmpty || !correlation.usersWithClientLogs.isEmpty else { return [] }
        let margin = Int64(c.policy?.matchWindowSeconds ?? 120) * 1000
        // Successful integration logins of apps with client logs, in the period those logs
        // cover, that `matches` has no request for (an anti-join on the primary key).
        var spans: [Int64: (first: Int64, last: Int64)] = [:]
        for (name, span) in correlation.appsWithClientLogs {
            let id = try c.names.id(name)
            if id != 0 { spans[id] = span }
        }
        let contexts = try c.facts.contexts.ids { $0.isServerToServer && $0.isSuccess }
        guard !contexts.isEmpty else { return [] }
        // One finding per app (per user, for logins that name no app): the cause is the app's
        // key or secret held elsewhere, from however many addresses and as however many users.
        struct Key: Hashable { let app: Int64, user: String }
        var groups: [Key: (group: Group, evidence: [EvidenceRef], ips: [Int64: Int], users: [String: Int])] = [:]
        // Logins of those apps, and logins that name no app (ELF rows nothing attributed) of
        // the users those apps' requests log in as.
        let statement = try c.facts.db.prepare("""
            SELECT l.time, l.app, l.username, l.user_id, l.source_ip, l.source_id, l.line FROM logins l
            WHERE l.time BETWEEN ? AND ? AND l.context IN (\(contexts.map(String.init).joined(separator: ",")))
              AND (l.app IN (\(spans.keys.map(String.init).joined(separator: ","))) OR l.app IS NULL)
              AND NOT EXISTS (SELECT 1 FROM matches m WHERE m.login_time = l.time AND m.login_key = l.key)
            ORDER BY l.time
            """)
        try statement.bind(c.window)
        let directory = try c.facts.usernames()
        while try statement.step() {
            let time = statement.int(at: 0), app = statement.int(at: 1)
            let user = try c.facts.displayUser(username: statement.int(at: 2), userId: statement.int(at: 3)) ?? "?"
            let subject = statement.int(at: 2) != 0 || directory[user] == nil ? user.lowercased() : "id:" + user.prefix(15)
            guard let span = app != 0 ? spans[app] : correlation.usersWithClientLogs[subject],
                  time >= span.first - margin, time <= span.last + margin else { continue }
            let key = Key(app: app, user: app == 0 ? user : "")
            // In place: copying an entry out and back would copy its address and user tallies per row.
            groups[key, default: (Group(), [], [:], [:])].group.add(time)
            groups[key]?.ips[statement.int(at: 4), default: 0] += 1
            groups[key]?.users[user, default: 0] += 1
            if (groups[key]?.evidence.count ?? 0) < Finding.maxEvidence {
                groups[key]?.evidence.append(EvidenceRef(source: statement.int(at: 5), line: statement.int(at: 6)))
            }
        }
        return try groups.map { key, entry in
            let app = try c.names.name(key.app) ?? "(no app in the export)"
            var ips: [String: Int] = [:]
            for (ip, n) in entry.ips { ips[try c.names.name(ip) ?? "?", default: 0] += n }
            let from = Finding.counted(ips, noun: "addresses", none: "an unrecorded address")
            return Finding(rule: id, severity: defaultSeverity, firstSeen: entry.group.first, lastSeen: entry.group.last,
                           app: key.app != 0 ? app : nil, sourceIp: ips.count == 1 ? ips.keys.first : nil,
                           message: "\(entry.group.count) login(s) of \(app) as \(Finding.usersPhrase(entry.users)) from \(from) have no matching client request: someone else holds the key or secret",
                           count: entry.group.count, evidence: try c.facts.evidence(entry.evidence), identity: key.app != 0 ? [app] : [app, key.user],
                           users: entry.users)
        }
    }

    var examples: [RuleExample] {
        [.fires("a login with no request while the client log covers that time", [
            .token("2026-11-21T06:00:00Z", sub: "erp@acme.example"),
            .login("2026-11-21T06:00:01Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer),
            .login("2026-11-21T06:20:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer, ip: "203.0.113.77"),
            .token("2026-11-21T06:40:00Z", sub: "erp@acme.example"),
            .login("2026-11-21T06:40:01Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer)]),
         .fires("two addresses and two users of one app: one finding", findings: 1, users: 2, [
            .token("2026-11-21T06:00:00Z", sub: "erp@acme.example"),
            .login("2026-11-21T06:00:01Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer),
            .login("2026-11-21T06:20:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer, ip: "203.0.113.77"),
            .login("2026-11-21T06:25:00Z", app: "Acme ERP Sync", user: "admin@acme.example", flow: .jwtBearer, ip: "203.0.113.78"),
            .token("2026-11-21T06:40:00Z", sub: "erp@acme.example"),
            .login("2026-11-21T06:40:01Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer)]),
         .quiet("every login has its request", [
            .token("2026-11-21T06:00:00Z", sub: "erp@acme.example"),
            .login("2026-11-21T06:00:01Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer),
            .token("2026-11-21T06:30:00Z", sub: "erp@acme.example"),
            .login("2026-11-21T06:30:02Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer)]),
         .fires("an ELF login that names no app, as a user whose client requests are logged", [
            .token("2026-11-21T06:00:00Z", sub: "erp@acme.example"),
            .login("2026-11-21T06:00:01Z", app: nil, user: "erp@acme.example", flow: .jwtBearer, elf: true),
            .login("2026-11-21T06:20:00Z", app: nil, user: "erp@acme.example", flow: .jwtBearer, ip: "203.0.113.77", elf: true),
            .token("2026-11-21T06:40:00Z", sub: "erp@acme.example"),
            .login("2026-11-21T06:40:01Z", app: nil, user: "erp@acme.example", flow: .jwtBearer, elf: true)]),
         .quiet("an app without client logs", [
            .login("2026-11-21T06:00:01Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer)]),
         .quiet("outside the period the client log covers", [
            .token("2026-11-21T06:00:00Z", sub: "erp@acme.example"),
            .login("2026-11-21T06:00:01Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer),
            .login("2026-11-21T09:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer)])]
    }
}
