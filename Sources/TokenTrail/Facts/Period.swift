/// The period a report, digest or timeline covers when none is given: the last `days` days
/// of data in the database (up to its newest record), so last month's exports still give a
/// week, not an empty page.
public enum Period {
    public static func latest(db: Database, days: Int64 = 7) throws -> (since: Int64, until: Int64)? {
        guard let newest = try span(db: db)?.last else { return nil }
        return (newest - days * 86_400_000 + 1, newest)
    }

    /// The first and last record time in the database (nil: no records).
    public static func span(db: Database) throws -> (first: Int64, last: Int64)? {
        // One min() or max() per SELECT: SQLite answers each from the primary key's end, but
        // both in one SELECT scan the whole table.
        let tables = ["logins", "token_requests", "idp_events", "api_activity"]
        let ends = tables.map { "SELECT (SELECT min(time) FROM \($0)) AS f, (SELECT max(time) FROM \($0)) AS t" }.joined(separator: " UNION ALL ")
        let row = try db.rows("SELECT min(f), max(t) FROM (\(ends))").first
        guard let first = row?[0].int, let last = row?[1].int else { return nil }
        return (first, last)
    }

    /// `--since`/`--until` as given, the rest from the latest period. A `--since` alone ends
    /// at the newest record, or, when that is older than the start (`--since 7d` on last
    /// month's data), now: a period never ends before it starts.
    public static func resolve(db: Database, since: Int64?, until: Int64?, days: Int64 = 7) throws -> (since: Int64, until: Int64)? {
        if let since, let until { return (since, until) }
        guard let latest = try latest(db: db, days: days) else { return nil }
        if let since { return (since, latest.until >= since ? latest.until : max(Clock.nowMs(), since)) }
        let end = until ?? latest.until
        return (end - days * 86_400_000 + 1, end)
    }

    /// Said when a period holds no record at all, with where the records are, so that an
    /// empty report or "nothing" is not taken for a quiet week.
    public static func emptiness(db: Database, since: Int64, until: Int64) throws -> String? {
        guard let span = try span(db: db) else { return nil }
        if span.last >= since && span.first <= until {
            let any = try db.scalar("""
                SELECT EXISTS(SELECT 1 FROM logins WHERE time BETWEEN ?1 AND ?2) OR EXISTS(SELECT 1 FROM token_requests WHERE time BETWEEN ?1 AND ?2)
                    OR EXISTS(SELECT 1 FROM idp_events WHERE time BETWEEN ?1 AND ?2) OR EXISTS(SELECT 1 FROM api_activity WHERE time BETWEEN ?1 AND ?2)
                """, [.integer(since), .integer(until)]).int ?? 0
            if any != 0 { return nil }
        }
        return "the period \(UTCTime.iso(since)) … \(UTCTime.iso(until)) holds no records: the database's records span \(UTCTime.iso(span.first)) … \(UTCTime.iso(span.last)) (pass --since/--until within it)"
    }
}
