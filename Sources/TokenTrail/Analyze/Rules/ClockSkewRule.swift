struct ClockSkewRule: Rule {
    let id = "clock-skew"
    let title = "Client host clock off by more than the tolerance"
    let defaultSeverity = Severity.medium
    let rationale = """
        A JWT's iat and exp come from the client's clock. A host running minutes behind sends assertions that are \
        already expired when they arrive (or, ahead, not yet valid), and its logs cannot be lined up with the \
        server's. The offset is measured from each response's Date header, per hour, so a clock that drifted is \
        caught from when it drifted; high when the host's requests failed in that period. Fix NTP on the host.
        """
    let knobs = ["clockSkewToleranceSeconds"]

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        let tolerance = Int64(c.policy?.clockSkewToleranceSeconds ?? 30) * 1000
        // Per host and hour: the median of server Date − request time (second precision).
        struct Hour { var host: String; var hour: Int64; var median: Int64; var samples: [Int64] }
        var hours: [Hour] = []
        var current: (String, Int64)?
        var samples: [Int64] = []
        func close() {
            guard let (host, hour) = current, !samples.isEmpty else { return }
            let sorted = samples.sorted()
            hours.append(Hour(host: host, hour: hour, median: sorted[sorted.count / 2], samples: sorted))
        }
        for row in try c.rows("""
            SELECT h.value, t.time / 3600000, t.server_date - t.time - coalesce(t.duration_ms, 0) / 2 FROM token_requests t
            JOIN strings h ON h.id = t.host WHERE t.server_date IS NOT NULL AND t.time BETWEEN ? AND ? ORDER BY 1, 2
            """, c.window) {
            guard let host = row[0].string, let hour = row[1].int, let offset = row[2].int else { continue }
            if current.map({ $0 != (host, hour) }) ?? true { close(); current = (host, hour); samples = [] }
            samples.append(offset)
        }
        close()
        // Consecutive off hours of one host form one period.
        var findings: [Finding] = []
        var period: [Hour] = []
        func report() throws {
            defer { period = [] }
            guard let first = period.first, let last = period.last else { return }
            let all = period.flatMap(\.samples).sorted()
            let median = all[all.count / 2]
            let spread = all[min(all.count - 1, all.count * 3 / 4)] - all[all.count / 4]
            let start = first.hour * 3_600_000, end = last.hour * 3_600_000 + 3_599_999
            let failures = Int(try c.db.scalar("""
                SELECT count(*) FROM v_token_requests WHERE host = ? AND outcome = 'failure' AND time_ms BETWEEN ? AND ?
                """, [.text(first.host), .integer(start), .integer(end)]).int ?? 0)
            let offset = ClockOffset(host: first.host, offsetMs: median, samples: all.count, spreadMs: spread)
            let evidence = try c.evidence("SELECT evidence FROM v_token_requests WHERE host = ? AND server_date_utc IS NOT NULL AND time_ms BETWEEN ? AND ?",
                                          [.text(first.host), .integer(start), .integer(end)])
            findings.append(Finding(rule: id, severity: failures > 0 ? .high : defaultSeverity, firstSeen: start, lastSeen: end,
                                    host: first.host,
                                    message: offset.description + " from \(RunSummary.isoTime(start)) (tolerance \(tolerance / 1000) s)"
                                        + (failures > 0 ? "; \(failures) of its requests failed in that period" : ""),
                                    count: all.count, evidence: evidence, identity: [first.host, String(first.hour)]))
        }
        for hour in hours {
            let off = abs(hour.median) > tolerance
            if let previous = period.last, !off || previous.host != hour.host || hour.hour - previous.hour > 1 { try report() }
            if off { period.append(hour) }
        }
        try report()
        return findings
    }

    var examples: [RuleExample] {
        [.fires("a host 215 s slow", [
            .token("2026-11-21T06:00:00Z", host: "etl-02", status: 400, error: "invalid_grant", description: "expired authorization code",
                   serverDate: "2026-11-21T06:03:35Z"),
            .token("2026-11-21T06:30:00Z", host: "etl-02", status: 400, error: "invalid_grant", description: "expired authorization code",
                   serverDate: "2026-11-21T06:33:35Z")]),
         .fires("a host 2 minutes fast, no failures yet", [.token("2026-11-21T06:02:00Z", host: "etl-05", serverDate: "2026-11-21T06:00:00Z")]),
         .quiet("a correct host", [.token("2026-11-21T06:00:00Z", host: "etl-01", serverDate: "2026-11-21T06:00:01Z"),
                                   .token("2026-11-21T06:30:00Z", host: "etl-01", serverDate: "2026-11-21T06:30:00Z")]),
         .quiet("no Date header logged", [.token("2026-11-21T06:00:00Z", host: "etl-01")])]
    }
}
