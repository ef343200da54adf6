/// Bulk API activity (ELF `BulkApi2`: one row per job state; `BulkApi`: one per batch), read
/// for a period with names resolved: jobs are few even when API calls are millions.
public struct BulkEvent: Sendable {
    public var time: Int64
    public var version: Int          // 1 (BulkApi) or 2 (BulkApi2)
    public var job: String?
    /// Lowercased: `JobComplete` and `complete` are both `jobcomplete`/`complete` (see `isComplete`).
    public var state: String
    public var operation: String
    public var entity: String?
    public var records: Int64?
    public var user: String?
    public var loginKey: String?
    public var ip: String?
    public var evidence: String

    public var isQuery: Bool { operation == "query" || operation == "queryall" }
    public var isComplete: Bool { state == "complete" || state == "jobcomplete" }
    public var isDeleted: Bool { state == "deleted" }
}

extension Facts {
    public func bulkEvents(from: Int64, to: Int64) throws -> [BulkEvent] {
        let types = try [names.id("BulkApi2"), names.id("BulkApi")]
        guard types.contains(where: { $0 != 0 }) else { return [] }
        let directory = try usernames()
        return try db.rows("""
            SELECT a.time, a.event_type, a.job_id, lower(coalesce((SELECT value FROM strings WHERE id = a.job_state), '')),
                   lower(coalesce((SELECT value FROM strings WHERE id = a.operation), '')), (SELECT value FROM strings WHERE id = a.entity),
                   a.rows, (SELECT value FROM strings WHERE id = a.username), (SELECT value FROM strings WHERE id = a.user_id),
                   a.login_key, (SELECT value FROM strings WHERE id = a.client_ip), \(Schema.evidence("s", "a.line"))
            FROM api_activity a JOIN sources s ON s.id = a.source_id
            WHERE a.event_type IN (?, ?) AND a.time BETWEEN ? AND ? ORDER BY a.time, a.key
            """, [.integer(types[0]), .integer(types[1]), .integer(from), .integer(to)]).map { r in
            BulkEvent(time: r[0].int ?? 0, version: r[1].int == types[0] ? 2 : 1, job: r[2].string, state: r[3].string ?? "",
                      operation: r[4].string ?? "", entity: r[5].string, records: r[6].int,
                      user: displayUser(username: r[7].string, userId: r[8].string, directory: directory),
                      loginKey: r[9].string, ip: r[10].string, evidence: r[11].string ?? "")
        }
    }
}
