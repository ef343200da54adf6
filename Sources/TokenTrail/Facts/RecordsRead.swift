/// What a row of API activity adds to the records a session read: the one place that counts
/// them (issue 24), for sessions (`session-export-volume`), Bulk rules, incidents' blast radius,
/// the report and the timeline alike.
///
/// API and RestApi rows count their ROWS_PROCESSED. A Bulk API 2.0 job writes a row per state,
/// each repeating the job's count or carrying none, and its `deleted` row says 0: the job read
/// its largest count over its rows. A Bulk API 1.0 batch likewise, per batch. Counted as the rise
/// over the largest count seen so far, the rows of a job add up to its largest count in any
/// order, whatever its states are called (`JobComplete`, `jobComplete`).
struct RecordsRead {
    private var largest: [String: Int64] = [:]

    /// The job (Bulk 2.0) or batch (Bulk 1.0) a row belongs to; nil for any other row.
    static func bulkKey(version: Int?, job: String?, batch: String?) -> String? {
        guard let version, let job, !job.isEmpty else { return nil }
        return version == 1 ? "1 \(job) \(batch ?? "")" : "2 \(job)"
    }

    /// The records `rows` adds to what was read.
    mutating func add(_ rows: Int64?, bulk key: String?) -> Int64 {
        guard let rows, rows > 0 else { return 0 }
        guard let key else { return rows }
        let before = largest[key] ?? 0
        guard rows > before else { return 0 }
        largest[key] = rows
        return rows - before
    }

    /// The largest count of a job or batch so far.
    func records(of key: String) -> Int64 { largest[key] ?? 0 }
}
