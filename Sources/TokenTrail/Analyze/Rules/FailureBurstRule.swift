struct FailureBurstRule: Rule {
    let id = "failure-burst"
    let title = "Burst of failed logins or token requests"
    let defaultSeverity = Severity.high
    let cause = Cause.breakage
    let remedy = "Find what changed on the client at the start of the burst (a deploy, a rotated key, a config push) and fix or roll it back."
    let rationale = """
        Many failures in a short time for one app, user, IP or client host is either a broken deployment hammering \
        the token endpoint (and soon the login rate limit) or someone guessing. The densest burst is reported with \
        its failure reasons.
        """
    let knobs = ["rules.failure-burst.threshold", "rules.failure-burst.windowSeconds"]

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        let threshold = max(1, c.threshold(id, default: 10))
        let span = Int64(c.windowSeconds(id, default: 600)) * 1000
        enum Dimension: String { case app, user, ip = "IP", host }
        struct Key: Hashable { let what: Dimension, value: Int64 }
        // Server side: failed logins by app, user and IP; client side: failed requests by host.
        let contexts = try c.facts.contexts
        let failing = contexts.ids { $0.isFailure }
        var logins = BurstTracker<Key>(span: span)
        func keys(_ row: LoginRow) -> [Key] {
            [Key(what: .app, value: row.app), Key(what: .user, value: row.username != 0 ? row.username : row.userId),
             Key(what: .ip, value: row.sourceIp)].filter { $0.value != 0 }
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
        for (key, run) in logins.best.merging(requests.best, uniquingKeysWith: { a, _ in a }) where run.count >= threshold {
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
        return [.fires("12 failures in a minute", many), .fires("10 failed token requests from one host", tokens),
                .quiet("12 failures spread over 12 hours", spread), .quiet("9 failures", Array(many.prefix(9)))]
    }
}
