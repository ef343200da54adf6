/// Per-day rollups of logins, of apps' login addresses and of token requests (`v_login_daily`,
/// `v_login_network_daily`, `v_request_daily`), so the
/// report's panels read thousands of rows, not millions. Rebuilt by the analyzer for the period
/// it covers (its first and last day hold only the period's part) and by `report` for its own
/// period in the connection's TEMP schema (`temporary`), since a reader never writes the database.
/// One time-ordered pass per table on raw ids; a day's groups are written when the next day
/// starts, so memory holds one day, and no million-row sort is needed.
public enum DailyRollup {
    static let day: Int64 = 86_400_000
    /// The columns each rollup row gives, in the order `flush` adds them.
    static let loginColumns = ["day", "origin", "app", "user", "flow", "flow_basis", "outcome", "failure_class", "status", "logins", "first", "last"]
    /// Drops what `refresh(temporary: true)` made, so the connection reads the database's own rollups again.
    static func dropTemporary(_ db: Database) throws {
        try db.execute("""
            DROP VIEW IF EXISTS temp.v_login_daily; DROP VIEW IF EXISTS temp.v_login_network_daily; DROP VIEW IF EXISTS temp.v_request_daily;
            DROP TABLE IF EXISTS temp.login_daily; DROP TABLE IF EXISTS temp.login_network_daily; DROP TABLE IF EXISTS temp.request_daily;
            """)
    }

    /// An app's logins by address, flow and user: its page's "Networks" panel, which read the
    /// period's every login once per app page (1.8 s of a million-login week's report).
    static let networkColumns = ["day", "app", "source_ip", "flow", "user", "logins", "first", "last"]
    static let requestColumns = ["day", "host", "integration", "client_id", "flow", "outcome", "failure_class", "error", "error_description",
                                 "error_code", "requests", "first", "last"]

    public static func refresh(db: Database, since: Int64, until: Int64, temporary: Bool = false) throws {
        if temporary { try db.execute(Schema.dailyTables(temporary: true) + Schema.dailyViews(temporary: true)) }
        try db.transaction(immediate: !temporary) {
            for table in ["login_daily", "login_network_daily", "request_daily"] {
                _ = try db.rows("DELETE FROM \(table) WHERE day BETWEEN ? AND ?", [.integer(since.dividedFloor(by: day)), .integer(until.dividedFloor(by: day))])
            }
            try rollLogins(db, since, until)
            try rollRequests(db, since, until)
        }
    }

    /// A login group: the context's meaningful attributes (not its id: browsers and ciphers
    /// would multiply the rows), the app, and the user only for server-to-server flows, whose
    /// few integration users are what a reviewer asks about.
    private struct LoginKey: Hashable { var origin, app, user, flow, basis, outcome, failure, status: Int64 }
    /// `upgradable`: its basis becomes client_log when the login is paired; `resolvable`: an
    /// oauth_unknown login takes its paired request's flow (both as `v_logins` says them).
    private struct Context { var origin, flow, basis, outcome, failure, status: Int64; var upgradable, resolvable: Bool }
    private struct NetworkKey: Hashable { var app, address, flow, user: Int64 }

    private static func rollLogins(_ db: Database, _ since: Int64, _ until: Int64) throws {
        let jwt = try symbol(db, "jwt_bearer"), cc = try symbol(db, "client_credentials"), unknown = try symbol(db, "oauth_unknown")
        let weak = try ["inferred", "policy", "not_exported", "unknown_subtype"].map { try symbol(db, $0) }.filter { $0 != 0 }
        let clientLog = try symbol(db, "client_log")
        // Stepped, not collected: a large org has tens of thousands of contexts.
        var contexts: [Int64: Context] = [:]
        let read = try db.prepare("SELECT id, origin, flow, flow_basis, outcome, failure_class, status FROM login_contexts")
        while try read.step() {
            let v = (0..<7).map { read.int(at: Int32($0)) }
            let tokenFlow = v[2] == jwt || (unknown != 0 && v[2] == unknown)
            contexts[v[0]] = Context(origin: v[1], flow: v[2], basis: v[3], outcome: v[4], failure: v[5], status: v[6],
                                     upgradable: clientLog != 0 && tokenFlow && weak.contains(v[3]), resolvable: unknown != 0 && v[2] == unknown)
        }
        // Paired logins (Schema.basis, Schema.flow): `matches` in the same key order, merged; the
        // request's flow is looked up only when some context's flow is unknown (rare).
        let resolving = contexts.values.contains { $0.resolvable }
        let pairs = try db.prepare(resolving
            ? """
              SELECT m.login_time, m.login_key, t.flow FROM matches m LEFT JOIN token_requests t ON t.time = m.request_time AND t.key = m.request_key
              WHERE m.login_time BETWEEN ? AND ? ORDER BY m.login_time, m.login_key
              """
            : "SELECT login_time, login_key, NULL FROM matches WHERE login_time BETWEEN ? AND ? ORDER BY login_time, login_key")
        try pairs.bind([.integer(since), .integer(until)])
        func next() throws -> (time: Int64, key: Int64, flow: Int64)? { try pairs.step() ? (pairs.int(at: 0), pairs.int(at: 1), pairs.int(at: 2)) : nil }
        var pair = try next()
        var insert = try RowWriter(db, "INSERT INTO", "login_daily", columns: loginColumns)
        var networkInsert = try RowWriter(db, "INSERT INTO", "login_network_daily", columns: networkColumns)
        var groups: [LoginKey: Group] = [:], networks: [NetworkKey: Group] = [:], current = Int64.min
        func flush() throws {
            for (k, g) in groups {
                try insert.add([.integer(current), sym(k.origin), sym(k.app), sym(k.user), sym(k.flow), sym(k.basis), sym(k.outcome),
                                sym(k.failure), sym(k.status), .integer(Int64(g.count)), .integer(g.first), .integer(g.last)])
            }
            for (k, g) in networks {
                try networkInsert.add([.integer(current), .integer(k.app), sym(k.address), sym(k.flow), sym(k.user),
                                       .integer(Int64(g.count)), .integer(g.first), .integer(g.last)])
            }
            groups.removeAll(keepingCapacity: true)
            networks.removeAll(keepingCapacity: true)
        }
        try LoginCursor.forEach(db, from: since, to: until) { row in
            let d = row.time.dividedFloor(by: day)
            if d != current { try flush(); current = d }
            guard let x = contexts[row.context] else { return true }
            var (basis, flow) = (x.basis, x.flow)
            if x.upgradable || x.resolvable {
                while let p = pair, (p.time, p.key) < (row.time, row.key) { pair = try next() }
                if let p = pair, (p.time, p.key) == (row.time, row.key) {
                    if x.upgradable { basis = clientLog }
                    if x.resolvable && p.flow != 0 { flow = p.flow }
                }
            }
            let user = row.username != 0 ? row.username : row.userId
            let key = LoginKey(origin: x.origin, app: row.app, user: flow == jwt || flow == cc ? user : 0,
                               flow: flow, basis: basis, outcome: x.outcome, failure: x.failure, status: x.status)
            groups[key, default: Group()].add(row.time)
            if row.app != 0 {
                networks[NetworkKey(app: row.app, address: row.sourceIp, flow: flow, user: user), default: Group()].add(row.time)
            }
            return true
        }
        try flush()
        try insert.flush()
        try networkInsert.flush()
    }

    private struct RequestKey: Hashable { var host, integration, client, flow, outcome, failure, error, description, code: Int64 }

    private static func rollRequests(_ db: Database, _ since: Int64, _ until: Int64) throws {
        var insert = try RowWriter(db, "INSERT INTO", "request_daily", columns: requestColumns)
        var groups: [RequestKey: Group] = [:], current = Int64.min
        func flush() throws {
            for (k, g) in groups {
                try insert.add([.integer(current), sym(k.host), sym(k.integration), sym(k.client), sym(k.flow), sym(k.outcome), sym(k.failure),
                                sym(k.error), sym(k.description), sym(k.code), .integer(Int64(g.count)), .integer(g.first), .integer(g.last)])
            }
            groups.removeAll(keepingCapacity: true)
        }
        try RequestCursor.forEach(db, from: since, to: until) { r in
            let d = r.time.dividedFloor(by: day)
            if d != current { try flush(); current = d }
            groups[RequestKey(host: r.host, integration: r.integration, client: r.clientId, flow: r.flow, outcome: r.outcome,
                              failure: r.failureClass, error: r.error, description: r.errorDescription, code: r.errorCode), default: Group()].add(r.time)
            return true
        }
        try flush()
        try insert.flush()
    }

    private static func symbol(_ db: Database, _ value: String) throws -> Int64 {
        try db.scalar("SELECT id FROM strings WHERE value = ?", [.text(value)]).int ?? 0
    }

    /// A symbol column: 0 is NULL.
    private static func sym(_ id: Int64) -> SQLValue { id == 0 ? .null : .integer(id) }
}

extension Int64 {
    /// Division rounding toward minus infinity (days before 1970 stay in their day).
    func dividedFloor(by d: Int64) -> Int64 { self >= 0 ? self / d : (self - d + 1) / d }
}
