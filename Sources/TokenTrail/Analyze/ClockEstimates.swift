/// Stores each client host's clock offset per hour, by three estimators, in `clock_offsets`:
/// `server_date` (response Date header − request time, the host against the server),
/// `matched_login` (server login time − request time of correlated pairs), and `iat_lag`
/// (request time − the assertion's iat: a signer on another clock, or assertions minted
/// ahead and used later). Each is a median with its sample count and interquartile spread.
enum ClockEstimates {
    static func store(_ c: AnalysisContext) throws {
        var rows: [(host: Int64, hour: Int64, estimator: String, histogram: OffsetHistogram)] = []
        for (hour, tally) in try c.facts.requestFacts().hours {
            if tally.offsets.count > 0 { rows.append((hour.host, hour.hour, "server_date", tally.offsets)) }
            if tally.iatLag.count > 0 { rows.append((hour.host, hour.hour, "iat_lag", tally.iatLag)) }
        }
        for (hour, histogram) in try c.correlation().pairOffsets { rows.append((hour.host, hour.hour, "matched_login", histogram)) }
        try c.facts.db.transaction {
            _ = try c.facts.db.rows("DELETE FROM clock_offsets WHERE hour BETWEEN ? AND ?", [.integer(c.windowStart / 3_600_000), .integer(c.windowEnd / 3_600_000)])
            let insert = try c.facts.db.prepare("INSERT OR REPLACE INTO clock_offsets(host, hour, estimator, median_ms, samples, spread_ms) VALUES(?,?,?,?,?,?)")
            for row in rows {
                guard let host = try c.names.name(row.host) else { continue }
                let h = row.histogram
                try insert.bind([.text(host), .integer(row.hour), .text(row.estimator), .integer(h.quantile(0.5)), .integer(Int64(h.count)),
                                 .integer(h.quantile(0.75) - h.quantile(0.25))])
                try insert.run()
            }
        }
    }
}
