/// The read model of one database for one window: symbol names, login contexts, the
/// aggregates of logins and token requests (built on first use, once), the user directory
/// and evidence lookup. Analysis, the report, the timeline, the digest and `policy suggest`
/// all read through it; none of them needs the rules to read the database.
public final class Facts {
    public let db: Database
    /// Inclusive bounds, epoch milliseconds UTC.
    public let windowStart: Int64
    public let windowEnd: Int64
    /// `exp − iat` above this (seconds) makes a request group long-lived (a policy knob the caller passes).
    public let maxAssertionLifetime: Int64
    /// Symbol ids ↔ strings, cached for the session.
    public let names: SymbolNames

    private var contextsCache: ContextTable?
    private var loginFactsCache: LoginFacts?
    private var requestFactsCache: RequestFacts?
    private var apiFactsCache: ApiFacts?
    /// Usernames by id (`usernames()`), or the whole database's, given by an analysis.
    var directoryCache: [String: String]?
    /// The session of the week evaluated before, when an analysis evaluates weeks in order: its
    /// login and request tallies advance to this week instead of reading all history again. It is
    /// done with: its tallies become this session's.
    public var previousWeek: Facts? {
        didSet {
            guard let previous = previousWeek else { return }
            if contextsCache == nil { contextsCache = previous.contextsCache }
            if networksCache.isEmpty { networksCache = previous.networksCache }
        }
    }
    /// The network (`CIDR.network`) of address symbols, carried from week to week: the rules
    /// that compare a login's network with the history's name every address an integration
    /// ever used, each week (0.15–0.35 s a week at a million logins, growing with the history).
    private var networksCache: [Int64: String] = [:]
    static let maxCachedNetworks = 1 << 18
    var sourcePaths: [Int64: String] = [:]
    private var rolledUp = false
    /// What the rules asked for evidence of, until `resolveEvidence` runs the shared passes.
    var loginRequests = EvidenceRequests<LoginGroup>(table: .logins)
    var requestRequests = EvidenceRequests<RequestGroup>(table: .requests)

    public static let defaultMaxAssertionLifetime: Int64 = 180

    public init(db: Database, windowStart: Int64, windowEnd: Int64, maxAssertionLifetime: Int64 = Facts.defaultMaxAssertionLifetime) throws {
        self.db = db
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.maxAssertionLifetime = maxAssertionLifetime
        self.names = try SymbolNames(db: db)
    }

    /// The login contexts, read once.
    public var contexts: ContextTable {
        get throws {
            if let cached = contextsCache { return cached }
            let table = try ContextTable(db: db, names: names)
            contextsCache = table
            return table
        }
    }

    /// Logins aggregated in one pass (window and history), built on first use.
    func loginFacts() throws -> LoginFacts {
        if let cached = loginFactsCache { return cached }
        let facts = try Timings.measure("  login facts") {
            if let previous = previousWeek?.loginFactsCache, previous.windowEnd < windowStart {
                try previous.advance(db: db, contexts: try contexts, windowStart: windowStart, windowEnd: windowEnd)
                return previous
            }
            return try LoginFacts(db: db, contexts: try contexts, windowStart: windowStart, windowEnd: windowEnd)
        }
        loginFactsCache = facts
        return facts
    }

    /// Token requests aggregated in one pass, built on first use.
    func requestFacts() throws -> RequestFacts {
        if let cached = requestFactsCache { return cached }
        let facts = try Timings.measure("  request facts") {
            if let previous = previousWeek?.requestFactsCache, previous.windowEnd < windowStart, previous.maxLifetime == maxAssertionLifetime {
                try previous.advance(db: db, names: names, windowStart: windowStart, windowEnd: windowEnd)
                return previous
            }
            return try RequestFacts(db: db, names: names, windowStart: windowStart, windowEnd: windowEnd, maxLifetime: maxAssertionLifetime)
        }
        requestFactsCache = facts
        return facts
    }

    /// API activity aggregated in one pass (sessions, clients, addresses), built on first use.
    /// App attribution, which runs first, asks its questions of the same pass.
    func apiFacts(attributing request: AttributionRequest? = nil) throws -> ApiFacts {
        if let cached = apiFactsCache { return cached }
        let facts = try Timings.measure("  api facts") {
            try ApiFacts(db: db, names: names, windowStart: windowStart, windowEnd: windowEnd, attributing: request)
        }
        apiFactsCache = facts
        return facts
    }

    /// The daily rollups of the window, built once per session: in the database for a writer
    /// (the analysis keeps them), in the connection's TEMP schema for a reader (a report
    /// never writes the database).
    /// `temporary`: in the connection's TEMP schema (a report's own period, whose first and last
    /// days may be partial, must not overwrite the whole days an analysis stored).
    public func dailyRollups(temporary: Bool = false) throws {
        guard !rolledUp else { return }
        try Timings.measure("  daily rollup") { try DailyRollup.refresh(db: db, since: windowStart, until: windowEnd, temporary: temporary || db.readOnly) }
        rolledUp = true
    }

    /// The network of an address symbol (nil for 0 or an unknown id).
    func network(ofAddress id: Int64) throws -> String? {
        if let known = networksCache[id] { return known }
        guard let ip = try names.name(id) else { return nil }
        let network = CIDR.network(of: ip)
        // Bounded: an org of millions of addresses starts over rather than grow without end.
        if networksCache.count >= Self.maxCachedNetworks { networksCache.removeAll(keepingCapacity: true) }
        networksCache[id] = network
        return network
    }

    /// Symbol ids of strings (0 for those the database never stored).
    func symbols(_ values: [String]) throws -> Set<Int64> { Set(try values.map { try names.id($0) }.filter { $0 != 0 }) }

    public var window: [SQLValue] { [.integer(windowStart), .integer(windowEnd)] }

    public func rows(_ sql: String, _ values: [SQLValue] = []) throws -> [[SQLValue]] {
        try db.rows(sql, values)
    }

    /// True when the database holds logins older than the window: first-seen rules only
    /// judge "new" against a baseline, so a first scan does not flag everything it sees.
    public var hasHistory: Bool {
        get throws { try db.scalar("SELECT EXISTS(SELECT 1 FROM logins WHERE time < ?)", [.integer(windowStart)]).int == 1 }
    }
}

/// A group of records reported together: how many, first and last time.
struct Group {
    var count = 0
    var first = Int64.max
    var last = Int64.min
    mutating func add(_ time: Int64, _ n: Int = 1) {
        count += n
        first = min(first, time)
        last = max(last, time)
    }
    mutating func merge(_ other: Group) {
        count += other.count
        first = min(first, other.first)
        last = max(last, other.last)
    }
}
