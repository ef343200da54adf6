/// A login's group: its (canonical) context and who logged in to what (symbol ids, 0 for none).
/// Held as two words, since the ids fit in 32 bits (`LoginFacts` checks): a large org's month
/// has a million groups, and the key is half of each dictionary entry.
public struct LoginGroup: Hashable, Sendable {
    private let contextAndApp: UInt64, users: UInt64
    public var context: Int64 { Int64(contextAndApp >> 32) }
    public var app: Int64 { Int64(contextAndApp & 0xFFFF_FFFF) }
    public var userId: Int64 { Int64(users >> 32) }
    public var username: Int64 { Int64(users & 0xFFFF_FFFF) }

    public init(context: Int64, app: Int64, userId: Int64, username: Int64) {
        contextAndApp = UInt64(UInt32(truncatingIfNeeded: context)) << 32 | UInt64(UInt32(truncatingIfNeeded: app))
        users = UInt64(UInt32(truncatingIfNeeded: userId)) << 32 | UInt64(UInt32(truncatingIfNeeded: username))
    }

    /// The largest id a group holds.
    static let maxId = Int64(UInt32.max)
}

/// An app seen from an address by a token-flow or refresh-token login (where integrations run
/// from; which apps are integrations is the analysis's call). A login whose export names no app (an ELF row
/// nothing attributed) counts under its user, and only for server-to-server flows.
public struct NetworkUse: Hashable, Sendable {
    public var app: Int64, ip: Int64
    public var user: Int64 = 0

    init(app: Int64, ip: Int64, user: Int64 = 0) { self.app = app; self.ip = ip; self.user = user }

    init(_ row: LoginRow) {
        self.init(app: row.app, ip: row.sourceIp, user: row.app == 0 ? (row.username != 0 ? row.username : row.userId) : 0)
    }
}

/// Two symbols seen together: (user id, username), (client id, subject).
public struct SymbolPair: Hashable, Sendable {
    public var first: Int64, second: Int64
}

/// One pass over every login up to the window's end, aggregated on ids: the window's groups
/// with counts and first/last times, the history's groups before it (the baseline), the
/// networks integrations used, and the days that have logins. Memory grows with distinct
/// apps × users × contexts and addresses, not with rows.
final class LoginFacts {
    private(set) var window: [LoginGroup: Group] = [:]
    private(set) var history: [LoginGroup: Group] = [:]
    private(set) var windowNetworks: [NetworkUse: NetworkTally] = [:]
    private(set) var historyNetworks: Set<NetworkUse> = []
    /// Days with logins, per org (0: exports that name no org, like Login History): one org's
    /// missing day must not hide behind another org's logins.
    private(set) var windowDays: [Int64: Set<Int64>] = [:]
    /// (user id, username) symbol pairs seen on the same row (ELF Login rows have both), with
    /// the last time each was seen: a renamed user's id has two.
    private(set) var userPairs: [SymbolPair: Int64] = [:]
    /// Per app, the distinct users and addresses of its successful OAuth logins before the
    /// window, up to a cap: enough to tell an integration (a few of each) from people.
    private(set) var historyUsers: [Int64: Set<Int64>] = [:]
    private(set) var historyAddresses: [Int64: Set<Int64>] = [:]
    static let usersCap = 16, addressesCap = 256
    /// Token-flow and refresh-token logins per app and raw context (which names the browser or
    /// agent and the export), before and in the window: an integration's clients.
    private(set) var appClients: [AppContext: ClientTally] = [:]

    /// Apps that logged in by JWT bearer or client credentials (a known token flow), up to the
    /// window's end: integrations whatever else they do (`IntegrationApps`), kept as rows are
    /// read so no analysis walks every group of the history for them.
    private(set) var tokenFlowApps: Set<Int64> = []
    /// The window's token-flow and refresh-token logins refused by IP restrictions, with an
    /// address (`integration-ip-blocked`): usually none, and gathered here so that rule never
    /// reads the week again.
    private(set) var windowRefusedMachine: [LoginRow] = []
    /// The window's end this tally has read up to: the next week advances from it.
    private(set) var windowEnd: Int64
    /// The window's successful OAuth users and addresses per app, in the order first seen: the
    /// history's when the tally advances to the next week.
    private var windowUsers: [Int64: [Int64]] = [:]
    private var windowAddresses: [Int64: [Int64]] = [:]

    init(db: Database, contexts: ContextTable, windowStart: Int64, windowEnd: Int64) throws {
        // Four billion strings or contexts is a database of hundreds of GB; say so rather than fold ids together.
        for table in ["strings", "login_contexts"] {
            let largest = try db.scalar("SELECT max(id) FROM \(table)").int ?? 0
            guard largest <= LoginGroup.maxId else {
                throw InputError(path: db.path, "\(table) holds id \(largest), above the \(LoginGroup.maxId) the analysis's login groups hold; analyse a smaller database (one per org or year)")
            }
        }
        self.windowEnd = windowEnd
        try read(db: db, contexts: contexts, from: .min, windowStart: windowStart, windowEnd: windowEnd)
    }

    /// The same tally for a later week: what the window counted becomes history, the rows in
    /// between too, and only rows after this window are read (a backfill of many weeks reads each row once,
    /// not once per week after it). The result is what `init` gives for that window.
    func advance(db: Database, contexts: ContextTable, windowStart: Int64, windowEnd: Int64) throws {
        precondition(windowStart > self.windowEnd, "a login tally advances to a later window only")
        for (group, tally) in window { history[group, default: Group()].merge(tally) }
        historyNetworks.formUnion(windowNetworks.keys)
        for (app, users) in windowUsers { for user in users where historyUsers[app, default: []].count < Self.usersCap { historyUsers[app, default: []].insert(user) } }
        for (app, addresses) in windowAddresses {
            for address in addresses where historyAddresses[app, default: []].count < Self.addressesCap { historyAddresses[app, default: []].insert(address) }
        }
        for key in Array(appClients.keys) { appClients[key]?.rollOver() }
        (window, windowNetworks, windowDays, windowUsers, windowAddresses) = ([:], [:], [:], [:], [:])
        windowRefusedMachine = []
        let previousEnd = self.windowEnd
        self.windowEnd = windowEnd
        try read(db: db, contexts: contexts, from: previousEnd + 1, windowStart: windowStart, windowEnd: windowEnd)
    }

    private func read(db: Database, contexts: ContextTable, from: Int64, windowStart: Int64, windowEnd: Int64) throws {
        // Where integrations log in from: their token flows and refresh tokens (a vendor app's
        // key); a person's interactive OAuth login (web server, user agent, device) is not one.
        let serverToServer = Set(contexts.ids { $0.isServerToServer })
        let machine = Set(contexts.ids { $0.isServerToServer || $0.flow == Flow.refreshToken.rawValue })
        let oauthSuccess = Set(contexts.ids { $0.isOAuth && $0.isSuccess })
        let refusedMachine = Set(contexts.ids { $0.failureClass == FailureClass.ipRestricted.rawValue && ($0.isServerToServer || $0.flow == Flow.refreshToken.rawValue) })
        let tokenFlow = Set(contexts.ids { $0.isServerToServer && $0.flowIsKnown }.map { contexts.canonical($0) })
            .filter { contexts[$0].isServerToServer && contexts[$0].flowIsKnown }
        var lastDay = Int64.min, lastOrg = Int64.min
        let origins = contexts.originIndexes()
        try LoginCursor.forEach(db, from: from, to: windowEnd) { row in
            let group = LoginGroup(context: contexts.canonical(row.context), app: row.app, userId: row.userId, username: row.username)
            let s2s = row.sourceIp != 0 && (row.app != 0 ? machine.contains(row.context)
                                                        : (row.username != 0 || row.userId != 0) && serverToServer.contains(row.context))
            if row.userId != 0 && row.username != 0 { userPairs[SymbolPair(first: row.userId, second: row.username)] = row.time }
            if row.app != 0, tokenFlow.contains(group.context) { tokenFlowApps.insert(row.app) }
            if row.app != 0, machine.contains(row.context) {
                appClients[AppContext(app: row.app, context: row.context), default: ClientTally()].add(row.time, inWindow: row.time >= windowStart)
            }
            if row.time < windowStart {
                history[group, default: Group()].add(row.time)
                if s2s { historyNetworks.insert(NetworkUse(row)) }
                if row.app != 0, oauthSuccess.contains(row.context) {
                    let user = row.username != 0 ? row.username : row.userId
                    if user != 0, historyUsers[row.app, default: []].count < Self.usersCap { historyUsers[row.app, default: []].insert(user) }
                    if row.sourceIp != 0, historyAddresses[row.app, default: []].count < Self.addressesCap {
                        historyAddresses[row.app, default: []].insert(row.sourceIp)
                    }
                }
                return true
            }
            window[group, default: Group()].add(row.time)
            let day = row.time / 86_400_000
            if day != lastDay || row.org != lastOrg { windowDays[row.org, default: []].insert(day); lastDay = day; lastOrg = row.org }
            if s2s { windowNetworks[NetworkUse(row), default: NetworkTally()].add(row, origin: origins[row.context]) }
            if row.sourceIp != 0, refusedMachine.contains(row.context) { windowRefusedMachine.append(row) }
            if row.app != 0, oauthSuccess.contains(row.context) {
                // Kept in order and bounded like the history's, for the week after.
                let user = row.username != 0 ? row.username : row.userId
                if user != 0, windowUsers[row.app, default: []].count < Self.usersCap, !windowUsers[row.app, default: []].contains(user) {
                    windowUsers[row.app, default: []].append(user)
                }
                if row.sourceIp != 0, windowAddresses[row.app, default: []].count < Self.addressesCap,
                   !windowAddresses[row.app, default: []].contains(row.sourceIp) {
                    windowAddresses[row.app, default: []].append(row.sourceIp)
                }
            }
            return true
        }
    }
}

/// Logins of an app from one address: counts and the first few users (symbols). The count is
/// the largest of any one export (Login History, ELF Login): the same login in two exports is
/// one login. A large org has hundreds of thousands of these (people's apps log in from
/// everywhere), and most have one user and one export: those two are held inline, and the
/// arrays for the others (empty arrays allocate nothing) only where an address has them.
struct NetworkTally {
    var group = Group()
    private var firstUser: Int64 = 0
    private var otherUsers: [Int64] = []
    private var firstOrigin: Int32 = -1, firstCount: Int32 = 0
    private var otherOrigins: [(origin: Int32, count: Int32)] = []
    static let maxUsers = 8

    /// The first users, in the order they logged in.
    var users: [Int64] { firstUser == 0 ? [] : [firstUser] + otherUsers }

    /// `origin`: the export's index (`ContextTable.originIndexes`).
    mutating func add(_ row: LoginRow, origin: Int32) {
        let seen: Int32
        if firstOrigin < 0 || firstOrigin == origin {
            firstOrigin = origin
            firstCount += 1
            seen = firstCount
        } else if let i = otherOrigins.firstIndex(where: { $0.origin == origin }) {
            otherOrigins[i].count += 1
            seen = otherOrigins[i].count
        } else {
            otherOrigins.append((origin, 1))
            seen = 1
        }
        group.add(row.time, Int(seen) > group.count ? 1 : 0)
        let user = row.username != 0 ? row.username : row.userId
        if user == 0 || user == firstUser { return }
        if firstUser == 0 { firstUser = user } else if otherUsers.count < Self.maxUsers - 1 && !otherUsers.contains(user) { otherUsers.append(user) }
    }
}

public struct AppContext: Hashable, Sendable { public let app: Int64, context: Int64 }

/// Uses before and in the window, with the first in the window and the last.
public struct ClientTally: Sendable {
    public var before = 0, now = 0, first = Int64.max, last = Int64.min
    mutating func add(_ time: Int64, inWindow: Bool) {
        if inWindow { now += 1; first = min(first, time) } else { before += 1 }
        last = max(last, time)
    }

    /// The next week's tally: this window's uses are before it.
    mutating func rollOver() { (before, now, first) = (before + now, 0, .max) }
}
