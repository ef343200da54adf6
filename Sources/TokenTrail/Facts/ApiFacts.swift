/// One session's API activity (its `LOGIN_KEY`, or `SESSION_KEY` where the row has none).
struct ApiSession {
    /// Symbols of who made the calls (the first non-empty seen).
    var username: Int64 = 0, userId: Int64 = 0
    /// Rows that report a record count, and the records: ROWS_PROCESSED, Bulk 2.0 records of
    /// completed job states only (the other states repeat the count or carry none).
    var counted: Int64 = 0, records: Int64 = 0
    var first = Int64.max, last = Int64.min
    /// Calls per client address, for sessions keyed by `LOGIN_KEY` (which joins to the login).
    var byAddress: [Int64: AddressUse] = [:]
    var hasLoginKey = false
}

struct AddressUse { var calls: Int64 = 0, first = Int64.max, last = Int64.min }

/// A client (RestApi USER_AGENT, else API CLIENT_NAME) of a user in one event type.
struct ApiClient: Hashable { let user: Int64, eventType: Int64, client: Int64 }
struct ApiClientUse { var before = 0, now = 0, first = Int64.max, last = Int64.min }
struct UserAddress: Hashable { let user: Int64, ip: Int64 }
/// A connected app's name with one of the ids it was called with (ApiTotalUsage names both).
struct AppIdPair: Hashable { let app: Int64, appId: Int64 }
struct AppIdUse { var calls: Int64 = 0, inWindow: Int64 = 0, first = Int64.max, last = Int64.min }
/// A Bulk API row of the window, on symbols (names are resolved only for what a rule reports).
struct BulkRow {
    let time: Int64, eventType: Int64, job: String?, state: Int64, operation: Int64, entity: Int64, records: Int64?
    let username: Int64, userId: Int64, loginKey: String?, ip: Int64, source: Int64, line: Int64
}

/// One pass over API activity up to the window's end, in time order, on symbol ids: the
/// window's sessions (calls, records, addresses), the records of each user's sessions in the
/// 30 days before the window (the baseline), each user's clients before and in the window,
/// the addresses users called from before it, and the ids each app name was called with. Rows are never held: memory grows with
/// distinct sessions, clients and addresses.
final class ApiFacts {
    private(set) var window: [String: ApiSession] = [:]
    /// Each session of the 30 days before the window that reported records: who, how many.
    private(set) var history: [(username: Int64, userId: Int64, records: Int64)] = []
    private(set) var clients: [ApiClient: ApiClientUse] = [:]
    private(set) var historyAddresses: Set<UserAddress> = []
    private(set) var appIds: [AppIdPair: AppIdUse] = [:]
    /// Bulk rows of the window that rules read, and who (username, user id) ran a Bulk query job before it.
    private(set) var bulkWindow: [BulkRow] = []
    private(set) var bulkQueryUsersBefore: Set<SymbolPair> = []
    static let baselineMs: Int64 = 30 * 86_400_000

    init(db: Database, names: SymbolNames, windowStart: Int64, windowEnd: Int64) throws {
        let bulk2 = try names.id("BulkApi2"), bulk1 = try names.id("BulkApi")
        let queries = Set(try ["query", "queryAll", "queryall", "Query", "QueryAll"].map { try names.id($0) }.filter { $0 != 0 })
        var completed: Set<Int64> = []
        for state in ["complete", "jobcomplete", "Complete", "JobComplete", "COMPLETE", "JOBCOMPLETE"] {
            let id = try names.id(state)
            if id != 0 { completed.insert(id) }
        }
        var deleted: Set<Int64> = []
        for state in ["deleted", "Deleted", "DELETED"] {
            let id = try names.id(state)
            if id != 0 { deleted.insert(id) }
        }
        var sawHistory = false
        var past: [String: ApiSession] = [:]   // sessions of the baseline period, folded into historyRecords at the end
        let statement = try db.prepare("""
            SELECT time, event_type, username, user_id, rows, job_state, client_ip, login_key, session_key, coalesce(user_agent, client_name),
                   app, app_id, job_id, operation, entity, source_id, line
            FROM api_activity WHERE time <= ? ORDER BY time
            """)
        try statement.bind([.integer(windowEnd)])
        while try statement.step() {
            let time = statement.int(at: 0), eventType = statement.int(at: 1)
            let username = statement.int(at: 2), userId = statement.int(at: 3), ip = statement.int(at: 6)
            let user = username != 0 ? username : userId
            let inWindow = time >= windowStart
            if !statement.isNull(at: 9), user != 0 {
                let key = ApiClient(user: user, eventType: eventType, client: statement.int(at: 9))
                var use = clients[key] ?? ApiClientUse()
                if inWindow { use.now += 1; use.first = min(use.first, time) } else { use.before += 1 }
                use.last = max(use.last, time)
                clients[key] = use
            }
            if !inWindow, user != 0, ip != 0 { historyAddresses.insert(UserAddress(user: user, ip: ip)) }
            if !inWindow { sawHistory = true }
            if eventType != 0 && (eventType == bulk2 || eventType == bulk1) {
                // Kept: what query-job-deleted reads (completions, deletions) and, when there is
                // history to compare with, the rows of users who never ran a Bulk query before.
                let state = statement.int(at: 5)
                if inWindow, completed.contains(state) || deleted.contains(state)
                    || sawHistory && !bulkQueryUsersBefore.contains(SymbolPair(first: username, second: userId)) {
                    bulkWindow.append(BulkRow(time: time, eventType: eventType, job: statement.text(at: 12), state: state,
                                              operation: statement.int(at: 13), entity: statement.int(at: 14),
                                              records: statement.isNull(at: 4) ? nil : statement.int(at: 4), username: username, userId: userId,
                                              loginKey: statement.text(at: 7), ip: ip, source: statement.int(at: 15), line: statement.int(at: 16)))
                } else if !inWindow, queries.contains(statement.int(at: 13)) {
                    bulkQueryUsersBefore.insert(SymbolPair(first: username, second: userId))
                }
            }
            let app = statement.int(at: 10), appId = statement.int(at: 11)
            if app != 0 && appId != 0 {
                var use = appIds[AppIdPair(app: app, appId: appId)] ?? AppIdUse()
                use.calls += 1; use.first = min(use.first, time); use.last = max(use.last, time)
                if inWindow { use.inWindow += 1 }
                appIds[AppIdPair(app: app, appId: appId)] = use
            }
            guard inWindow || time >= windowStart - Self.baselineMs else { continue }
            let loginKey = statement.text(at: 7) ?? ""
            guard let key = loginKey.isEmpty ? statement.text(at: 8) : loginKey, !key.isEmpty else { continue }
            var session = (inWindow ? window[key] : past[key]) ?? ApiSession()
            if session.username == 0 { session.username = username }
            if session.userId == 0 { session.userId = userId }
            if !statement.isNull(at: 4) {
                session.counted += 1
                if eventType != bulk2 || completed.contains(statement.int(at: 5)) { session.records += statement.int(at: 4) }
            }
            session.first = min(session.first, time)
            session.last = max(session.last, time)
            if !loginKey.isEmpty && ip != 0 {
                session.hasLoginKey = true
                var use = session.byAddress[ip] ?? AddressUse()
                use.calls += 1; use.first = min(use.first, time); use.last = max(use.last, time)
                session.byAddress[ip] = use
            }
            if inWindow { window[key] = session } else { past[key] = session }
        }
        history = past.values.filter { $0.counted > 0 }.map { ($0.username, $0.userId, $0.records) }
    }
}
