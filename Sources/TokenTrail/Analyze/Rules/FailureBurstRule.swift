struct FailureBurstRule: Rule {
    let id = "failure-burst"
    let title = "Burst of failed logins or token requests"
    let defaultSeverity = Severity.high
    let cause = Cause.breakage
    let remedy = "Find what changed on the client at the start of the burst (a deploy, a rotated key, a config push) and fix or roll it back."
    let rationale = """
        Many failures in a short time for one app, user, IP or client host is either a broken deployment hammering \
        the token endpoint (and soon the login rate limit) or someone guessing. The densest burst is reported with \
        its failure reasons. Refusals of a connected app nobody installed in the org (blocked since September 2025) \
        for one user are another thing: an attacker on the phone walking the user through approving their own app \
        (UNC6040's vishing, a Data Loader look-alike) that the platform stopped. Three in the window are reported, with \
        what to do: ask the user who asked them to approve an app, and watch their account.
        """
    let knobs = ["rules.failure-burst.threshold", "rules.failure-burst.windowSeconds"]

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        let threshold = max(1, c.threshold(id, default: 10))
        let span = Int64(c.windowSeconds(id, default: 600)) * 1000
        enum Dimension: String { case app, user, ip = "IP", host, refusedApp = "user refused an app" }
        // A vishing attempt the platform stopped is a few refusals, not a flood.
        let refusedAppThreshold = min(3, threshold)
        struct Key: Hashable { let what: Dimension, value: Int64 }
        // Server side: failed logins by app, user and IP; client side: failed requests by host.
        let contexts = try c.facts.contexts
        let failing = contexts.ids { $0.isFailure }
        let notInstalled = Set(contexts.ids { $0.failureClass == FailureClass.appNotInstalled.rawValue })
        var logins = BurstTracker<Key>(span: span)
        func keys(_ row: LoginRow) -> [Key] {
            let user = row.username != 0 ? row.username : row.userId
            return [Key(what: .app, value: row.app), Key(what: .user, value: user), Key(what: .ip, value: row.sourceIp),
                    Key(what: .refusedApp, value: notInstalled.contains(row.context) ? user : 0)].filter { $0.value != 0 }
        }
        if !failing.isEmpty {
            try LoginCursor.forEach(c.facts.db, from: c.windowStart, to: c.windowEnd, contexts: failing) { row in
                for key in keys(row) { logins.add(key, row.time) }
                return true
            }
        }
        let failure = try c.names.id(Outcome.failure.rawValue)
        var requests = BurstTracker<Key>(span: span)
        if failure != 0 {
            try RequestCursor.forEach(c.facts.db, from: c.windowStart, to: c.windowEnd, condition: "outcome = \(failure) AND host IS NOT NULL") { row in
                requests.add(Key(what: .host, value: row.host), row.time)
                return true
            }
        }
        var findings: [Finding] = []
        for (key, run) in logins.best.merging(requests.best, uniquingKeysWith: { a, _ in a })
        where run.count >= (key.what == .refusedApp ? refusedAppThreshold : threshold) {
            // The burst's failure reasons and evidence: a re-read of its few minutes.
            var reasons: [String: Int] = [:], evidence: [String] = []
            func note(_ reason: String?, _ source: Int64, _ line: Int64) throws {
                reasons[reason ?? "other", default: 0] += 1
                if evidence.count < Finding.maxEvidence { evidence.append(try c.facts.evidence(source: source, line: line)) }
            }
            if key.what == .host {
                try RequestCursor.forEach(c.facts.db, from: run.first, to: run.last, condition: "outcome = \(failure) AND host = \(key.value)") { row in
                    try note(try c.names.name(row.failureClass), row.sourceId, row.line)
                    return true
                }
            } else {
                try LoginCursor.forEach(c.facts.db, from: run.first, to: run.last, contexts: failing) { row in
                    if keys(row).contains(key) { try note(contexts[row.context].failureClass, row.sourceId, row.line) }
                    return true
                }
            }
            let value = try c.names.name(key.value) ?? "?"
            let summary = reasons.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            if key.what == .refusedApp {
                findings.append(Finding(rule: id, severity: defaultSeverity, firstSeen: run.first, lastSeen: run.last, user: value,
                                        message: "\(run.count) logins of \(value) refused within \(span / 1000) s because the app is not installed in the org: "
                                            + "what a vishing attempt (UNC6040: a caller walks the user through approving the attacker's app) looks like when the platform stops it. "
                                            + "To do: ask \(value) who asked them to approve an app, and review their other logins and sessions of that hour",
                                        count: run.count, evidence: evidence, identity: ["refused-app", value]))   // one episode per user, whatever the minute
                continue
            }
            findings.append(Finding(rule: id, severity: defaultSeverity, firstSeen: run.first, lastSeen: run.last,
                                    app: key.what == .app ? value : nil, user: key.what == .user ? value : nil,
                                    host: key.what == .host ? value : nil, sourceIp: key.what == .ip ? value : nil,
                                    message: "\(run.count) failures for \(key.what.rawValue) \(value) within \(span / 1000) s (\(summary))",
                                    count: run.count, evidence: evidence, identity: [key.what.rawValue, value, String(run.first / span)]))
        }
        return findings
    }

    var examples: [RuleExample] {
        let many = (0..<12).map { i in ExampleEvent.login("2026-11-21T06:0\(i / 10):\(i % 10 * 5 + 10)Z", app: "Acme ERP Sync",
                                                           user: "erp@acme.example", flow: .jwtBearer, status: "Failed: Invalid Timestamp") }
        let spread = (0..<12).map { i in ExampleEvent.login("2026-11-21T\(10 + i):00:00Z", app: "Acme ERP Sync",
                                                             user: "erp@acme.example", flow: .jwtBearer, status: "Failed: Invalid Timestamp") }
        let tokens = (0..<10).map { i in ExampleEvent.token("2026-11-21T06:00:0\(i)Z", host: "etl-02", status: 400, error: "invalid_grant",
                                                             description: "invalid assertion") }
        let vishing = (0..<3).map { i in ExampleEvent.login("2026-11-21T14:0\(i):10Z", app: "My Ticket Portal",
                                                             user: "j.doe@acme.example", flow: .webServer, status: "OAUTH_APPROVAL_ERROR_GENERIC") }
        return [.fires("12 failures in a minute", many), .fires("10 failed token requests from one host", tokens),
                .fires("three refusals of an uninstalled app for one user (vishing stopped)", findings: 1, vishing),
                .quiet("two refusals of an uninstalled app", Array(vishing.prefix(2))),
                .quiet("12 failures spread over 12 hours", spread), .quiet("9 failures", Array(many.prefix(9)))]
    }
}
