/// One session's API activity (its `LOGIN_KEY`, or `SESSION_KEY` where the row has none).
struct ApiSession {
    /// Symbols of who made the calls (the first non-empty seen).
    var username: Int64 = 0, userId: Int64 = 0
    /// Rows that report a record count, and the records (`RecordsRead`).
    var counted: Int64 = 0, records: Int64 = 0
    var first = Int64.max, last = Int64.min
    /// Calls per client address, for sessions keyed by `LOGIN_KEY` (which joins to the login).
    var byAddress: [Int64: AddressUse] = [:]
    var hasLoginKey = false
    /// The rows that read the most records (evidence for an export), largest first.
    var largest: [(records: Int64, source: Int64, line: Int64)] = []
    static let largestKept = 5

    mutating func noteRead(_ records: Int64, source: Int64, line: Int64) {
        guard records > 0, largest.count < Self.largestKept || records > largest[largest.count - 1].records else { return }
        let at = largest.firstIndex { $0.records < records } ?? largest.count
        largest.insert((records, source, line), at: at)
        if largest.count > Self.largestKept { largest.removeLast() }
    }
}

struct AddressUse {
    var calls: Int64 = 0, first = Int64.max, last = Int64.min
    mutating func add(_ time: Int64) { calls += 1; first = min(first, time); last = max(last, time) }
}

/// A client (RestApi USER_AGENT, else API CLIENT_NAME) of a user in one event type.
struct ApiClient: Hashable { let user: Int64, eventType: Int64, client: Int64 }
struct ApiClientUse {
    var before = 0, now = 0, first = Int64.max, last = Int64.min
    mutating func add(_ time: Int64, inWindow: Bool) {
        if inWindow { now += 1; first = min(first, time) } else { before += 1 }
        last = max(last, time)
    }
}
public struct UserAddress: Hashable, Sendable { public let user: Int64, ip: Int64
    public init(user: Int64, ip: Int64) { self.user = user; self.ip = ip }
}
/// A connected app's name with one of the ids it was called with (ApiTotalUsage names both).
struct AppIdPair: Hashable { let app: Int64, appId: Int64 }
struct AppIdUse {
    var calls: Int64 = 0, inWindow: Int64 = 0, first = Int64.max, last = Int64.min
    mutating func add(_ time: Int64, inWindow window: Bool) {
        calls += 1; first = min(first, time); last = max(last, time)
        if window { inWindow += 1 }
    }
}
/// What app attribution asks of the pass: the sessions and (user id, address) pairs of ELF
/// logins that name no app, and the span to look in. The pass answers in `attribution`.
public struct AttributionRequest: Sendable {
    public var keys: Set<String> = [], who: Set<UserAddress> = []
    public var from: Int64 = 0, to: Int64 = 0
    public init() {}
}

/// The pass's answer: each wanted session's app (by name, or its id, which rows carrying both
/// name), the names of ids, and the ApiTotalUsage calls of the wanted pairs in time order.
public struct AttributionAnswer: Sendable {
    public var appOfKey: [String: Int64] = [:], idOfKey: [String: Int64] = [:], nameOfId: [Int64: Int64] = [:]
    public var usage: [UserAddress: [(time: Int64, app: Int64)]] = [:]
}

/// An ELF LoginAs event of the window: who (delegated_user) logged in as whom.
struct LoginAsRow { let time: Int64, admin: Int64, username: Int64, userId: Int64, source: Int64, line: Int64 }

/// A Bulk API row of the window, on symbols (names are resolved only for what a rule reports).
struct BulkRow {
    let time: Int64, eventType: Int64, job: String?, state: Int64, operation: Int64, entity: Int64, records: Int64?
    /// The job's (or batch's) records through this row (`RecordsRead`).
    let jobRecords: Int64
    let username: Int64, userId: Int64, loginKey: String?, ip: Int64, source: Int64, line: Int64
}

/// One pass over API activity up to the window's end, in time order, on symbol ids: the
/// window's sessions (calls, records, addresses), the records of each user's sessions in the
/// 30 days before the window (the baseline), each user's clients before and in the window,
/// the addresses users called from before it, the ids each app name was called with, and the
/// window's Bulk and LoginAs rows. Rows are never held: memory grows with
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
    private(set) var attribution = AttributionAnswer()
    private(set) var loginAs: [LoginAsRow] = []
    static let baselineMs: Int64 = 30 * 86_400_000

    init(db: Database, names: SymbolNames, windowStart: Int64, windowEnd: Int64, attributing request: AttributionRequest? = nil) throws {
        let usageType = try names.id("ApiTotalUsage"), loginAsType = try names.id("LoginAs")
        let bulk2 = try names.id("BulkApi2"), bulk1 = try names.id("BulkApi")
        let queries = Set(try ["query", "queryAll", "queryall", "Query", "QueryAll"].map { try names.id($0) }.filter { $0 != 0 })
        // Bulk job states as sent (`JobComplete`, `jobComplete`, `Deleted`…), matched case-insensitively.
        var stateKinds: [Int64: (completed: Bool, deleted: Bool)] = [:]
        func kind(_ state: Int64) throws -> (completed: Bool, deleted: Bool) {
            if let known = stateKinds[state] { return known }
            let name = try names.name(state)?.lowercased() ?? ""
            let answer = (name == "complete" || name == "jobcomplete", name == "deleted")
            stateKinds[state] = answer
            return answer
        }
        var read = RecordsRead()
        var sawHistory = false
        var past: [String: ApiSession] = [:]   // sessions of the baseline period, folded into historyRecords at the end
        let statement = try db.prepare("""
            SELECT time, event_type, username, user_id, rows, job_state, client_ip, login_key, session_key, coalesce(user_agent, client_name),
                   app, app_id, job_id, operation, entity, source_id, line, delegated_user, batch_id
            FROM api_activity WHERE time <= ? ORDER BY time
            """)
        try statement.bind([.integer(max(windowEnd, request?.to ?? .min))])
        while try statement.step() {
            let time = statement.int(at: 0), eventType = statement.int(at: 1)
            let username = statement.int(at: 2), userId = statement.int(at: 3), ip = statement.int(at: 6)
            if let request, time >= request.from, time <= request.to { attribute(request, statement, time: time, eventType: eventType, usageType: usageType) }
            guard time <= windowEnd else { continue }
            let user = username != 0 ? username : userId
            let inWindow = time >= windowStart
            let bulkVersion = eventType == 0 ? nil : eventType == bulk2 ? 2 : eventType == bulk1 ? 1 : nil
            let bulkKey = RecordsRead.bulkKey(version: bulkVersion, job: statement.text(at: 12), batch: statement.text(at: 18))
            let records = read.add(statement.isNull(at: 4) ? nil : statement.int(at: 4), bulk: bulkKey)
            if !statement.isNull(at: 9), user != 0 {
                let key = ApiClient(user: user, eventType: eventType, client: statement.int(at: 9))
                clients[key, default: ApiClientUse()].add(time, inWindow: inWindow)
            }
            if !inWindow, user != 0, ip != 0 { historyAddresses.insert(UserAddress(user: user, ip: ip)) }
            if !inWindow { sawHistory = true }
            if inWindow, eventType != 0, eventType == loginAsType {
                loginAs.append(LoginAsRow(time: time, admin: statement.int(at: 17), username: username, userId: userId,
                                          source: statement.int(at: 15), line: statement.int(at: 16)))
            }
            if eventType != 0 && (eventType == bulk2 || eventType == bulk1) {
                // Kept: what query-job-deleted reads (completions, deletions) and, when there is
                // history to compare with, the rows of users who never ran a Bulk query before.
                let state = statement.int(at: 5)
                if inWindow, try kind(state).completed || kind(state).deleted
                    || sawHistory && !bulkQueryUsersBefore.contains(SymbolPair(first: username, second: userId)) {
                    bulkWindow.append(BulkRow(time: time, eventType: eventType, job: statement.text(at: 12), state: state,
                                              operation: statement.int(at: 13), entity: statement.int(at: 14),
                                              records: statement.isNull(at: 4) ? nil : statement.int(at: 4),
                                              jobRecords: bulkKey.map { read.records(of: $0) } ?? records, username: username, userId: userId,
                                              loginKey: statement.text(at: 7), ip: ip, source: statement.int(at: 15), line: statement.int(at: 16)))
                } else if !inWindow, queries.contains(statement.int(at: 13)) {
                    bulkQueryUsersBefore.insert(SymbolPair(first: username, second: userId))
                }
            }
            let app = statement.int(at: 10), appId = statement.int(at: 11)
            if app != 0 && appId != 0 {
                appIds[AppIdPair(app: app, appId: appId), default: AppIdUse()].add(time, inWindow: inWindow)
            }
            guard inWindow || time >= windowStart - Self.baselineMs else { continue }
            let loginKey = statement.text(at: 7) ?? ""
            guard let key = loginKey.isEmpty ? statement.text(at: 8) : loginKey, !key.isEmpty else { continue }
            // Folded in place: a copy of the session would copy its address table on every row.
            func fold(_ session: inout ApiSession) {
                if session.username == 0 { session.username = username }
                if session.userId == 0 { session.userId = userId }
                if !statement.isNull(at: 4) {
                    session.counted += 1
                    session.records += records
                    if inWindow { session.noteRead(records, source: statement.int(at: 15), line: statement.int(at: 16)) }
                }
                session.first = min(session.first, time)
                session.last = max(session.last, time)
                if !loginKey.isEmpty && ip != 0 {
                    session.hasLoginKey = true
                    session.byAddress[ip, default: AddressUse()].add(time)
                }
            }
            if inWindow { fold(&window[key, default: ApiSession()]) } else { fold(&past[key, default: ApiSession()]) }
        }
        for (key, appId) in attribution.idOfKey {
            if let app = attribution.nameOfId[appId], attribution.appOfKey[key] == nil { attribution.appOfKey[key] = app }
        }
        history = past.values.filter { $0.counted > 0 }.map { ($0.username, $0.userId, $0.records) }
    }

    /// One row's part in app attribution (columns: 7 login_key, 10 app, 11 app_id, 3 user_id, 6 client_ip).
    private func attribute(_ request: AttributionRequest, _ row: Statement, time: Int64, eventType: Int64, usageType: Int64) {
        let app = row.int(at: 10), appId = row.int(at: 11)
        guard app != 0 || appId != 0 else { return }
        if app != 0 && appId != 0 { attribution.nameOfId[appId] = app }
        if !request.keys.isEmpty, let key = row.text(at: 7), request.keys.contains(key), attribution.appOfKey[key] == nil {
            if app != 0 { attribution.appOfKey[key] = app } else if attribution.idOfKey[key] == nil { attribution.idOfKey[key] = appId }
        }
        if app != 0, eventType == usageType {
            let who = UserAddress(user: row.int(at: 3), ip: row.int(at: 6))
            if request.who.contains(who) { attribution.usage[who, default: []].append((time, app)) }
        }
    }
}
