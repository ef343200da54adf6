struct ClockSkewRule: Rule {
    let id = "clock-skew"
    let title = "Client host clock off by more than the tolerance"
    let defaultSeverity = Severity.medium
    let cause = Cause.breakage
    let remedy = "Fix time sync (NTP/chrony) on the client host; the failures stop once its clock is right."
    let rationale = """
        A JWT's iat and exp come from the client's clock. A host running minutes behind sends assertions that are \
        already expired when they arrive (or, ahead, not yet valid), and its logs cannot be lined up with the \
        server's. The offset is measured from each response's Date header, per hour, so a clock that drifted is \
        caught from when it drifted; high when the host's requests failed in that period. Fix NTP on the host.
        """
    let knobs = ["clockSkewToleranceSeconds"]

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        let tolerance = Int64(c.policy?.clockSkewToleranceSeconds ?? 30) * 1000
        // Per host and hour: the median of server Date − request time (second precision);
        // for a host that logs no Date header, login time − request time of matched pairs.
        var estimates = try c.facts.requestFacts().hours.filter { $0.value.offsets.count > 0 }
        var fromPairs: Set<HostHour> = []
        let dated = try hostsWithDates(c)
        for (hour, pairs) in try c.correlation().pairOffsets where estimates[hour] == nil && !dated.contains(hour.host) {
            var tally = try c.facts.requestFacts().hours[hour] ?? HourTally()
            tally.offsets = pairs
            estimates[hour] = tally
            fromPairs.insert(hour)
        }
        let hours = estimates.sorted { ($0.key.host, $0.key.hour) < ($1.key.host, $1.key.hour) }
        // Consecutive off hours of one host form one period.
        var findings: [Finding] = []
        var period: [(hour: HostHour, tally: HourTally)] = []
        func report() throws {
            defer { period = [] }
            guard let first = period.first, let last = period.last, let host = try c.names.name(first.hour.host) else { return }
            var all = OffsetHistogram()
            for entry in period { all.merge(entry.tally.offsets) }
            let failures = period.reduce(0) { $0 + $1.tally.failures }
            let start = first.hour.hour * 3_600_000, end = last.hour.hour * 3_600_000 + 3_599_999
            let offset = ClockOffset(host: host, all, estimator: fromPairs.contains(first.hour) ? "matched login" : "server Date")
            let hostId = first.hour.host
            let evidence = try c.facts.requestEvidence(buckets: 1, from: max(start, c.windowStart), to: min(end, c.windowEnd)) { row in
                row.host == hostId && (row.serverDate != nil || fromPairs.contains(first.hour)) ? 0 : nil
            }
            findings.append(Finding(rule: id, severity: failures > 0 ? .high : defaultSeverity, firstSeen: start, lastSeen: end,
                                    host: host,
                                    message: offset.description + " from \(UTCTime.iso(start)) (tolerance \(tolerance / 1000) s)"
                                        + (failures > 0 ? "; \(failures) of its requests failed in that period" : ""),
                                    count: all.count, evidence: evidence[0] ?? [], identity: [host, String(first.hour.hour)]))
        }
        for (hour, tally) in hours {
            let off = abs(tally.offsets.quantile(0.5)) > tolerance
            if let previous = period.last, !off || previous.hour.host != hour.host || hour.hour - previous.hour.hour > 1 { try report() }
            if off { period.append((hour, tally)) }
        }
        try report()
        return findings
    }

    /// Hosts with any Date-header sample: their clock is judged by it alone.
    private func hostsWithDates(_ c: AnalysisContext) throws -> Set<Int64> {
        Set(try c.facts.requestFacts().hours.filter { $0.value.offsets.count > 0 }.keys.map(\.host))
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
         .fires("no Date header: the server saw each login 75 s after the host's request", [
            .token("2026-11-21T06:00:00Z", host: "etl-04", sub: "erp@acme.example"),
            .login("2026-11-21T06:01:15Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer),
            .token("2026-11-21T06:30:00Z", host: "etl-04", sub: "erp@acme.example"),
            .login("2026-11-21T06:31:15Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer)]),
         .quiet("no Date header: logins a second after the requests", [
            .token("2026-11-21T06:00:00Z", host: "etl-04", sub: "erp@acme.example"),
            .login("2026-11-21T06:00:01Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer)]),
         .quiet("no Date header logged", [.token("2026-11-21T06:00:00Z", host: "etl-01")])]
    }
}
