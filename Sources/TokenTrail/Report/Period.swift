/// The period a report, digest or timeline covers when none is given: the last `days` days
/// of data in the database (up to its newest record), so last month's exports still give a
/// week, not an empty page.
public enum Period {
    public static func latest(db: Database, days: Int64 = 7) throws -> (since: Int64, until: Int64)? {
        let newest = try db.scalar("""
            SELECT max(t) FROM (SELECT max(time) AS t FROM logins UNION ALL SELECT max(time) FROM token_requests
                                UNION ALL SELECT max(time) FROM idp_events UNION ALL SELECT max(time) FROM api_activity)
            """).int
        guard let newest else { return nil }
        return (newest - days * 86_400_000 + 1, newest)
    }

    /// `--since`/`--until` as given, the rest from the latest period.
    public static func resolve(db: Database, since: Int64?, until: Int64?, days: Int64 = 7) throws -> (since: Int64, until: Int64)? {
        if let since, let until { return (since, until) }
        guard let latest = try latest(db: db, days: days) else { return nil }
        let end = until ?? latest.until
        return (since ?? end - days * 86_400_000 + 1, end)
    }
}
