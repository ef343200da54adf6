struct CoverageGapRule: Rule {
    let id = "coverage-gap"
    let title = "Gaps in the evidence: missing days, re-issued files, rejected rows"
    let defaultSeverity = Severity.info
    let rationale = """
        Every other rule is only as good as the data under it. A day without logins in an export that has them every \
        day, a file re-issued with different content, or rows that could not be read are places where an incident \
        could hide. Fetch the missing export, or fix the file and scan it again.
        """
    let knobs: [String] = []

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        var findings: [Finding] = []
        // Rejected rows of files whose records fall in the window.
        for row in try c.rows("""
            SELECT s.path, count(*), group_concat(DISTINCT r.reason), coalesce(s.first_time, s.ingested_at), coalesce(s.last_time, s.ingested_at)
            FROM rejects r JOIN sources s ON s.id = r.source_id
            WHERE coalesce(s.last_time, s.ingested_at) >= ? AND coalesce(s.first_time, s.ingested_at) <= ? GROUP BY s.path
            """, c.window) {
            let path = row[0].string ?? "?"
            let evidence = try c.evidence("SELECT evidence FROM v_rejects WHERE source_path = ? ORDER BY line", [.text(path)])
            findings.append(Finding(rule: id, severity: defaultSeverity, firstSeen: row[3].int ?? 0, lastSeen: row[4].int ?? 0,
                                    message: "\(row[1].int ?? 0) row(s) of \(path) could not be read (\(String((row[2].string ?? "").prefix(160))))",
                                    count: Int(row[1].int ?? 0), evidence: evidence, identity: ["rejects", path]))
        }
        // Files re-issued under the same name with other content.
        for row in try c.rows("""
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
        var sources: [(what: String, view: String, filter: String, values: [SQLValue])] = [("server logins", "v_logins", "", [])]
        for row in try c.rows("SELECT DISTINCT host FROM v_token_requests WHERE host IS NOT NULL AND time_ms BETWEEN ? AND ?", c.window) {
            if let host = row[0].string { sources.append(("requests from \(host)", "v_token_requests", "host = ? AND", [.text(host)])) }
        }
        for source in sources {
            let days = Set(try c.rows("SELECT time_ms / 86400000 FROM \(source.view) WHERE \(source.filter) time_ms BETWEEN ? AND ? GROUP BY 1",
                                      source.values + c.window).compactMap { $0[0].int })
            guard let first = days.min(), let last = days.max(), days.count >= 3 else { continue }
            // Consecutive missing days make one finding; its count is the days missing.
            var runs: [(Int64, Int64)] = []
            for gap in (first...last) where !days.contains(gap) {
                if let previous = runs.last, previous.1 == gap - 1 { runs[runs.count - 1].1 = gap } else { runs.append((gap, gap)) }
            }
            for (start, end) in runs {
                let before = try c.evidence("SELECT evidence FROM \(source.view) WHERE \(source.filter) time_ms < ? ORDER BY time_ms DESC",
                                            source.values + [.integer(start * day)]).prefix(1)
                let after = try c.evidence("SELECT evidence FROM \(source.view) WHERE \(source.filter) time_ms >= ? ORDER BY time_ms",
                                           source.values + [.integer(end * day + day)]).prefix(1)
                let from = String(RunSummary.isoTime(start * day).prefix(10)), to = String(RunSummary.isoTime(end * day).prefix(10))
                findings.append(Finding(rule: id, severity: defaultSeverity, firstSeen: start * day, lastSeen: end * day + day - 1,
                                        message: "no \(source.what) on \(from == to ? from : from + " … " + to), between days that have them: an export or log is missing",
                                        count: Int(end - start + 1), evidence: Array(before) + Array(after), identity: ["gap", source.what, String(start)]))
            }
        }
        return findings
    }

    var examples: [RuleExample] {
        [.fires("a day without logins", [
            .login("2026-11-18T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer),
            .login("2026-11-19T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer),
            .login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer)]),
         .quiet("every day covered", [
            .login("2026-11-19T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer),
            .login("2026-11-20T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer),
            .login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer)])]
    }
}
