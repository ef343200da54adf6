struct FailureBurstRule: Rule {
    let id = "failure-burst"
    let title = "Burst of failed logins or token requests"
    let defaultSeverity = Severity.high
    let rationale = """
        Many failures in a short time for one app, user, IP or client host is either a broken deployment hammering \
        the token endpoint (and soon the login rate limit) or someone guessing. The densest burst is reported with \
        its failure reasons.
        """
    let knobs = ["rules.failure-burst.threshold", "rules.failure-burst.windowSeconds"]

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        let threshold = max(1, c.threshold(id, default: 10))
        let span = Int64(c.windowSeconds(id, default: 600)) * 1000
        let dimensions: [(String, String, String)] = [   // (what, key expression, source)
            ("app", "app", "v_logins"), ("user", "coalesce(username, user_id)", "v_logins"), ("IP", "source_ip", "v_logins"),
            ("host", "host", "v_token_requests"),
        ]
        var findings: [Finding] = []
        for (what, key, source) in dimensions {
            var current: String?
            var times: [Int64] = []
            func flush() throws {
                defer { times.removeAll() }
                guard let current, times.count >= threshold else { return }
                // Densest run of failures within `span` (two pointers over the sorted times).
                var best = (0, 0), lo = 0
                for hi in times.indices {
                    while times[hi] - times[lo] > span { lo += 1 }
                    if hi - lo > best.1 - best.0 { best = (lo, hi) }
                }
                let n = best.1 - best.0 + 1
                guard n >= threshold else { return }
                let first = times[best.0], last = times[best.1]
                let reasons = try c.rows("SELECT failure_class, count(*) FROM \(source) WHERE outcome = 'failure' AND \(key) = ? AND time_ms BETWEEN ? AND ? GROUP BY 1 ORDER BY 2 DESC",
                                         [.text(current), .integer(first), .integer(last)])
                    .map { "\($0[0].string ?? "other") \($0[1].int ?? 0)" }.joined(separator: ", ")
                let evidence = try c.evidence("SELECT evidence FROM \(source) WHERE outcome = 'failure' AND \(key) = ? AND time_ms BETWEEN ? AND ?",
                                              [.text(current), .integer(first), .integer(last)])
                findings.append(Finding(rule: id, severity: defaultSeverity, firstSeen: first, lastSeen: last,
                                        app: what == "app" ? current : nil, user: what == "user" ? current : nil,
                                        host: what == "host" ? current : nil, sourceIp: what == "IP" ? current : nil,
                                        message: "\(n) failures for \(what) \(current) within \(span / 1000) s (\(reasons))",
                                        count: n, evidence: evidence, identity: [what, current, String(first / span)]))
            }
            for row in try c.rows("SELECT \(key), time_ms FROM \(source) WHERE outcome = 'failure' AND \(key) IS NOT NULL AND time_ms BETWEEN ? AND ? ORDER BY 1, 2",
                                  c.window) {
                let value = row[0].string
                if value != current { try flush(); current = value }
                times.append(row[1].int ?? 0)
            }
            try flush()
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
