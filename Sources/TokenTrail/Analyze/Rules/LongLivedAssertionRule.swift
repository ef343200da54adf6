struct LongLivedAssertionRule: Rule {
    let id = "long-lived-assertion"
    let title = "JWT assertions valid for longer than allowed"
    let defaultSeverity = Severity.low
    let rationale = """
        Salesforce asks for exp within 3 minutes but does not enforce it: a long-lived assertion that leaks (a log, \
        a proxy) can be replayed until it expires. A lifetime of days often means exp was written in milliseconds \
        instead of seconds. Shorten exp in the client.
        """
    let knobs = ["maxAssertionLifetimeSeconds"]

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        let maximum = Int64(c.policy?.maxAssertionLifetimeSeconds ?? 180)
        let condition = "exp IS NOT NULL AND time_ms BETWEEN ? AND ? AND exp - coalesce(iat, time_ms / 1000) > ?"
        let rows = try c.rows("""
            SELECT host, client_id, count(*), min(time_ms), max(time_ms), max(exp - coalesce(iat, time_ms / 1000)), max(exp > 100000000000)
            FROM v_token_requests WHERE \(condition) GROUP BY 1, 2
            """, c.window + [.integer(maximum)])
        let evidence = try c.evidence(groups: Set(rows.map { AnalysisContext.groupKey($0, 0..<2) }), key: ["host", "client_id"],
                                      from: "v_token_requests", where: condition, c.window + [.integer(maximum)])
        return rows.map { row in
            let host = row[0].string
            let why = row[6].int == 1 ? "exp looks like milliseconds, not seconds" : "up to \(row[5].int ?? 0) s (maximum \(maximum) s)"
            return Finding(rule: id, severity: defaultSeverity, firstSeen: row[3].int ?? 0, lastSeen: row[4].int ?? 0,
                           app: c.app(forClientId: row[1].string)?.name ?? row[1].string, host: host,
                           message: "\(host ?? "a client") sent \(row[2].int ?? 0) assertion(s) valid too long: \(why)",
                           count: Int(row[2].int ?? 0), evidence: evidence[AnalysisContext.groupKey(row, 0..<2)] ?? [],
                           identity: [host ?? "", row[1].string ?? ""])
        }
    }

    var examples: [RuleExample] {
        [.fires("five-minute assertions", [.token("2026-11-21T06:00:00Z", lifetime: 300)]),
         .fires("exp in milliseconds", [.token("2026-11-21T06:00:00Z", lifetime: 1_795_241_041_000)]),
         .quiet("three minutes", [.token("2026-11-21T06:00:00Z", lifetime: 180)]),
         .quiet("no claims logged", [.token("2026-11-21T06:00:00Z", iatOffset: nil, lifetime: nil)])]
    }
}
