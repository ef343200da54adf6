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
    /// What the job (Bulk 2.0) or batch (Bulk 1.0) read through this row: its largest count so
    /// far (`RecordsRead`), whatever this row's state says.
    public var jobRecords: Int64
    public var user: String?
    public var loginKey: String?
    public var ip: String?
    public var evidence: String

    public var isQuery: Bool { operation == "query" || operation == "queryall" }
    public var isComplete: Bool { state == "complete" || state == "jobcomplete" }
    public var isDeleted: Bool { state == "deleted" }
}

extension Facts {
    /// Each Bulk event of the window, and of `beyond` ms after it, in time order. The window's
    /// come from the API-activity pass; only the few after it are read again.
    public func forEachBulkEvent(beyond: Int64 = 0, _ body: (BulkEvent) throws -> Void) throws {
        let types = try [names.id("BulkApi2"), names.id("BulkApi")]
        guard types.contains(where: { $0 != 0 }) else { return }
        let directory = try usernames()
        func event(_ r: BulkRow) throws -> BulkEvent {
            BulkEvent(time: r.time, version: r.eventType == types[0] ? 2 : 1, job: r.job, state: try names.name(r.state)?.lowercased() ?? "",
                      operation: try names.name(r.operation)?.lowercased() ?? "", entity: try names.name(r.entity), records: r.records,
                      jobRecords: r.jobRecords,
                      user: displayUser(username: try names.name(r.username), userId: try names.name(r.userId), directory: directory),
                      loginKey: r.loginKey, ip: try names.name(r.ip), evidence: try evidence(source: r.source, line: r.line))
        }
        for row in try apiFacts().bulkWindow { try body(try event(row)) }
        guard beyond > 0 else { return }
        let statement = try db.prepare("""
            SELECT time, event_type, job_id, job_state, operation, entity, rows, username, user_id, login_key, client_ip, source_id, line
            FROM api_activity WHERE time > ? AND time <= ? AND event_type IN (?, ?) ORDER BY time, key
            """)
        try statement.bind([.integer(windowEnd), .integer(windowEnd + beyond), .integer(types[0]), .integer(types[1])])
        while try statement.step() {
            try body(try event(BulkRow(time: statement.int(at: 0), eventType: statement.int(at: 1), job: statement.text(at: 2), state: statement.int(at: 3),
                                       operation: statement.int(at: 4), entity: statement.int(at: 5), records: statement.isNull(at: 6) ? nil : statement.int(at: 6),
                                       jobRecords: statement.isNull(at: 6) ? 0 : statement.int(at: 6),
                                       username: statement.int(at: 7), userId: statement.int(at: 8), loginKey: statement.text(at: 9), ip: statement.int(at: 10),
                                       source: statement.int(at: 11), line: statement.int(at: 12))))
        }
    }

    /// Users (display names) who ran a Bulk query job before the window.
    public func bulkQueryUsersBefore() throws -> Set<String> {
        let directory = try usernames()
        return Set(try apiFacts().bulkQueryUsersBefore.compactMap {
            displayUser(username: try names.name($0.first), userId: try names.name($0.second), directory: directory)
        })
    }
}
