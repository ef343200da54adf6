import Foundation

/// What a rule sees: the database (all history), the policy if any, and the window whose
/// records may raise findings. Baselines and first-seen use everything before the window.
public final class AnalysisContext {
    public let db: Database
    public let policy: Policy?
    /// Inclusive bounds, epoch milliseconds UTC.
    public let windowStart: Int64
    public let windowEnd: Int64
    /// Built once per analysis by `usernames()`: several rules need it.
    var directoryCache: [String: String]?
    /// Built once per analysis by `correlation()`.
    var correlationCache: Correlation?
    var loginFactsCache: LoginFacts?
    var requestFactsCache: RequestFacts?
    var contextsCache: ContextTable?
    var sourcePaths: [Int64: String] = [:]
    /// Symbol ids ↔ strings, cached for the analysis.
    public let names: SymbolNames

    public init(db: Database, policy: Policy?, windowStart: Int64, windowEnd: Int64) throws {
        self.db = db
        self.policy = policy
        self.windowStart = windowStart
        self.windowEnd = windowEnd
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
        let facts = try Self.timed("  login facts") { try LoginFacts(db: db, contexts: try contexts, windowStart: windowStart, windowEnd: windowEnd) }
        loginFactsCache = facts
        return facts
    }

    /// Token requests aggregated in one pass, built on first use.
    func requestFacts() throws -> RequestFacts {
        if let cached = requestFactsCache { return cached }
        let facts = try Self.timed("  request facts") {
            try RequestFacts(db: db, names: names, windowStart: windowStart, windowEnd: windowEnd, maxLifetime: maxAssertionLifetime)
        }
        requestFactsCache = facts
        return facts
    }

    /// TOKENTRAIL_TIMINGS=1 prints each rule's and each shared pass's time on stderr.
    static let showTimings = ProcessInfo.processInfo.environment["TOKENTRAIL_TIMINGS"] != nil

    static func timed<T>(_ label: String, _ body: () throws -> T) rethrows -> T {
        guard showTimings else { return try body() }
        let started = Date()
        defer { FileHandle.standardError.write(Data((label.padding(toLength: 30, withPad: " ", startingAt: 0) + String(format: "%7.3f s\n", Date().timeIntervalSince(started))).utf8)) }
        return try body()
    }

    /// Symbol ids of strings (0 for those the database never stored).
    func symbols(_ values: [String]) throws -> Set<Int64> { Set(try values.map { try names.id($0) }.filter { $0 != 0 }) }

    public var window: [SQLValue] { [.integer(windowStart), .integer(windowEnd)] }

    public func rows(_ sql: String, _ values: [SQLValue] = []) throws -> [[SQLValue]] {
        try db.rows(sql, values)
    }

    /// `file:line` of up to `Finding.maxEvidence` records: `sql` must select the evidence column.
    public func evidence(_ sql: String, _ values: [SQLValue]) throws -> [String] {
        try db.rows(sql + " LIMIT \(Finding.maxEvidence)", values).compactMap { $0.first?.string }
    }

    // MARK: policy

    public func app(named name: String?) -> Policy.App? {
        guard let name else { return nil }
        return policy?.apps.first { $0.name == name }
    }

    public func app(forClientId clientId: String?) -> Policy.App? {
        guard let clientId else { return nil }
        return policy?.apps.first { $0.clientIds.contains(clientId) }
    }

    public func threshold(_ rule: String, default value: Int) -> Int {
        policy?.rules[rule]?.threshold ?? value
    }

    public func windowSeconds(_ rule: String, default value: Int) -> Int {
        policy?.rules[rule]?.windowSeconds ?? value
    }

    public func isEnabled(_ rule: String) -> Bool { policy?.rules[rule]?.enabled ?? true }

    public func severity(of rule: any Rule) -> Severity {
        policy?.rules[rule.id]?.severity.flatMap(Severity.init(rawValue:)) ?? rule.defaultSeverity
    }
}
