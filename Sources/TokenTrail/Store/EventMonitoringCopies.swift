/// One event in an Event Monitoring log file (ELF CSV) and in the Event Log Object export
/// (SOQL) of the same day is one event. Both carry its request id (`REQUEST_ID`,
/// `RequestIdentifier`), but the keys they are stored under also hash the organization id,
/// which an Event Log Object export lacks or spells in 18 characters: so after a file of one
/// family, its rows that the other family already holds (same request id, within a second)
/// leave again. The first copy stays; counts, pairing and rules see the event once.
enum EventMonitoringCopies {
    static let elf = SourceFormat.allCases.filter(\.isEventLogFile)
    static let objects = SourceFormat.allCases.filter(\.isEventLogObject)

    /// Removes the copies file `source` (of the ELF family unless `objects`) added in
    /// [from, to]; returns how many rows left.
    static func remove(_ db: Database, source: Int64, objects isObjects: Bool, from: Int64, to: Int64) throws -> Int {
        let other = SourceFormat.sql(isObjects ? elf : objects)
        // Cheap when the org exports one of the two (the common case): no other-family file overlaps.
        guard try db.scalar("SELECT EXISTS(SELECT 1 FROM sources WHERE id <> ? AND \(other) AND first_time <= ? AND last_time >= ?)",
                            [.integer(source), .integer(to + 1000), .integer(from - 1000)]).int == 1 else { return 0 }
        var removed = 0
        for table in ["logins", "api_activity"] {
            try db.execute("""
                DELETE FROM \(table) WHERE time BETWEEN ? AND ? AND source_id = ? AND request_id IS NOT NULL AND EXISTS (
                  SELECT 1 FROM \(table) o WHERE o.time BETWEEN \(table).time - 1000 AND \(table).time + 1000
                    AND o.request_id = \(table).request_id AND o.source_id <> \(table).source_id)
                """, [.integer(from), .integer(to), .integer(source)])
            removed += db.changes
        }
        return removed
    }
}
