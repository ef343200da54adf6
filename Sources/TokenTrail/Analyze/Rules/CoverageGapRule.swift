struct CoverageGapRule: Rule {
    let id = "coverage-gap"
    let title = "Gaps in the evidence: missing days, sources that stopped, re-issued files, rejected rows"
    let defaultSeverity = Severity.info
    let cause = Cause.hygiene
    let remedy = "Export the missing period again (or fix the export job) so no rule is blind there."
    let rationale = """
        Every other rule is only as good as the data under it. A day without logins in an export that has them every \
        day, a file re-issued with different content, or rows that could not be read are places where an incident \
        could hide. A week with no records of a source the database had in the 30 days before it (an export job that \
        stopped, a log nobody collected) is medium: silence there means nothing was collected, not that nothing happened. \
        Fetch the missing export, or fix the file and scan it again.
        """
    let knobs: [String] = []

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        var findings: [Finding] = []
        // Rejected rows that happened in the window (their own time, else the record before
        // them): the week a lost row belongs to is the week that lacks it.
        for row in try c.facts.rows("""
            SELECT source_path, count(*), group_concat(DISTINCT reason), min(time_ms), max(time_ms)
            FROM v_rejects WHERE time_ms BETWEEN ? AND ? GROUP BY source_path
            """, c.window) {
            let path = row[0].string ?? "?"
            let evidence = try c.facts.evidence("SELECT evidence FROM v_rejects WHERE source_path = ? AND time_ms BETWEEN ? AND ? ORDER BY line",
                                                [.text(path)] + c.window)
            findings.append(Finding(rule: id, severity: defaultSeverity, firstSeen: row[3].int ?? 0, lastSeen: row[4].int ?? 0,
                                    message: "\(row[1].int ?? 0) row(s) of \(path) could not be read (\(String((row[2].string ?? "").prefix(160))))",
                                    count: Int(row[1].int ?? 0), evidence: evidence, identity: ["rejects", path]))
        }
        // Rejects that look like token-endpoint logins: each may be the login a rule needed.
        for row in try c.facts.rows("""
            SELECT source_path, count(*), min(time_ms), max(time_ms) FROM v_rejects
            WHERE token_login = 1 AND time_ms BETWEEN ? AND ? GROUP BY source_path
            """, c.window) {
            let path = row[0].string ?? "?"
            let evidence = try c.facts.evidence("SELECT evidence FROM v_rejects WHERE source_path = ? AND token_login = 1 AND time_ms BETWEEN ? AND ? ORDER BY line",
                                                [.text(path)] + c.window)
            findings.append(Finding(rule: id, severity: .low, firstSeen: row[2].int ?? 0, lastSeen: row[3].int ?? 0,
                                    message: "\(row[1].int ?? 0) rejected row(s) of \(path) look like OAuth token-endpoint logins or requests: no rule sees them; fix the file and scan it again",
                                    count: Int(row[1].int ?? 0), evidence: evidence, identity: ["token-login-rejects", path]))
        }
        // Files re-issued under the same name with other content.
        for row in try c.facts.rows("""
            SELECT path, count(DISTINCT sha256), min(first_time), max(last_time) FROM sources
            WHERE sha256 <> '' AND last_time >= ? AND first_time <= ? GROUP BY path HAVING count(DISTINCT sha256) > 1
            """, c.window) {
            let path = row[0].string ?? "?"
            findings.append(Finding(rule: id, severity: defaultSeverity, firstSeen: row[2].int ?? 0, lastSeen: row[3].int ?? 0,
                                    message: "\(path) was read in \(row[1].int ?? 0) different versions: the later one added what the earlier lacked",
                                    count: Int(row[1].int ?? 0), evidence: [path + ":1"], identity: ["reissued", path]))
        }
        // Days without server logins, or without requests from a client host, inside a
        // stretch where that source has data: the evidence is the records around the gap.
        let day: Int64 = 86_400_000
        var sources: [(what: String, table: String, filter: String, days: Set<Int64>)] = []
        let orgDays = try c.facts.loginFacts().windowDays
        for (org, days) in orgDays {
            let name = try c.names.name(org)
            sources.append((name.map { "server logins of org \($0)" } ?? "server logins", "logins", org == 0 ? "org IS NULL AND" : "org = \(org) AND", days))
        }
        for (host, days) in try c.facts.requestFacts().hostDays {
            if let name = try c.names.name(host) { sources.append(("requests from \(name)", "token_requests", "host = \(host) AND", days)) }
        }
        for source in sources.sorted(by: { $0.what < $1.what }) {
            let days = source.days
            guard let first = days.min(), let last = days.max(), days.count >= 3 else { continue }
            // Consecutive missing days make one finding; its count is the days missing.
            var runs: [(Int64, Int64)] = []
            for gap in (first...last) where !days.contains(gap) {
                if let previous = runs.last, previous.1 == gap - 1 { runs[runs.count - 1].1 = gap } else { runs.append((gap, gap)) }
            }
            func neighbour(_ sql: String, _ time: Int64) throws -> [String] {
                let row = try c.facts.rows("SELECT source_id, line FROM \(source.table) WHERE \(source.filter) \(sql) LIMIT 1", [.integer(time)]).first
                return try row.map { [try c.facts.evidence(source: $0[0].int ?? 0, line: $0[1].int ?? 0)] } ?? []
            }
            for (start, end) in runs {
                let before = try neighbour("time < ? ORDER BY time DESC", start * day)
                let after = try neighbour("time >= ? ORDER BY time", end * day + day)
                let from = String(UTCTime.iso(start * day).prefix(10)), to = String(UTCTime.iso(end * day).prefix(10))
                findings.append(Finding(rule: id, severity: defaultSeverity, firstSeen: start * day, lastSeen: end * day + day - 1,
                                        message: "no \(source.what) on \(from == to ? from : from + " … " + to), between days that have them: an export or log is missing",
                                        count: Int(end - start + 1), evidence: before + after, identity: ["gap", source.what, String(start)]))
            }
        }
        // Source kinds that stopped: medium (History, silence needs coverage).
        findings += try CoverageSilence.findings(c, rule: id)
        return findings
    }

    var examples: [RuleExample] {
        [.fires("a day without logins", [
            .login("2026-11-18T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer),
            .login("2026-11-19T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer),
            .login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer)]),
         .fires("a rejected row that looks like a token-endpoint login", [
            .login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer),
            .reject("2026-11-21T06:10:00Z", text: "2026-11-21T06:10:00Z,erp@acme.example,Remote Access 2.0,\"unterminated")]),
         .quiet("every day covered", [
            .login("2026-11-19T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer),
            .login("2026-11-20T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer),
            .login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer)])]
    }
}
