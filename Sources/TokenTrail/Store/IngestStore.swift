/// Writes canonical records. Every insert is `ON CONFLICT DO NOTHING` on (time, key), so a
/// re-ingested or overlapping export stores nothing twice; `add` says whether it was new.
public final class IngestStore {
    public let db: Database
    public let interner: Interner
    public let dedup: DedupKey
    public let vocabulary: Vocabulary
    private let loginInsert: Statement
    private let tokenInsert: Statement
    private let activityInsert: Statement
    private let idpInsert: Statement
    private let rejectInsert: Statement

    public init(db: Database) throws {
        self.db = db
        try Schema.migrate(db)
        dedup = try Schema.dedupKey(db)
        interner = try Interner(database: db, seed: dedup.key0 ^ 0x5bd1e995)
        vocabulary = try Vocabulary(interner: interner)
        loginInsert = try db.prepare(Self.insertSQL("logins", db: db))
        tokenInsert = try db.prepare(Self.insertSQL("token_requests", db: db))
        activityInsert = try db.prepare(Self.insertSQL("api_activity", db: db))
        idpInsert = try db.prepare(Self.insertSQL("idp_events", db: db))
        rejectInsert = try db.prepare("INSERT INTO rejects(source_id, line, reason, excerpt) VALUES(?,?,?,?) ON CONFLICT DO NOTHING")
    }

    /// An insert binding every column of `table` in schema order (counted from the schema,
    /// so the statement and the table cannot drift apart).
    static func insertSQL(_ table: String, db: Database) throws -> String {
        let columns = try db.rows("SELECT count(*) FROM pragma_table_info(?)", [.text(table)]).first?.first?.int ?? 0
        return "INSERT INTO \(table) VALUES(" + Array(repeating: "?", count: Int(columns)).joined(separator: ",") + ") ON CONFLICT DO NOTHING"
    }

    public func add(_ r: LoginRecord, source: Int64) throws -> Bool {
        let s = loginInsert
        s.bind(r.time, at: 1); s.bind(r.key, at: 2); s.bind(Int64(r.precisionMs), at: 3)
        s.bind(source, at: 4); s.bind(Int64(r.line), at: 5); s.bind(r.origin, at: 6)
        s.bindSymbol(r.org, at: 7); s.bindSymbol(r.userId, at: 8); s.bindSymbol(r.username, at: 9)
        s.bindSymbol(r.app, at: 10); s.bindSymbol(r.loginType, at: 11); s.bindSymbol(r.subtype, at: 12)
        s.bind(r.flow, at: 13); s.bind(r.flowBasis, at: 14); s.bindSymbol(r.status, at: 15)
        s.bind(r.outcome, at: 16); s.bindSymbol(r.failureClass, at: 17); s.bindSymbol(r.sourceIp, at: 18)
        s.bindSymbol(r.loginUrl, at: 19); s.bindSymbol(r.country, at: 20); s.bindSymbol(r.tls, at: 21)
        s.bindSymbol(r.cipher, at: 22); s.bindSymbol(r.browser, at: 23); s.bindSymbol(r.platform, at: 24)
        s.bindSymbol(r.apiType, at: 25); s.bindSymbol(r.apiVersion, at: 26); s.bindSymbol(r.clientVersion, at: 27)
        s.bindSymbol(r.authMethod, at: 28); s.bindSymbol(r.uri, at: 29)
        s.bind(r.historyId, at: 30); s.bind(r.loginKey, at: 31); s.bind(r.requestId, at: 32)
        return try s.run() == 1
    }

    public func add(_ r: TokenRequestRecord, source: Int64) throws -> Bool {
        let s = tokenInsert
        s.bind(r.time, at: 1); s.bind(r.key, at: 2); s.bind(Int64(r.precisionMs), at: 3)
        s.bind(source, at: 4); s.bind(Int64(r.line), at: 5)
        s.bindSymbol(r.host, at: 6); s.bindSymbol(r.integration, at: 7); s.bindSymbol(r.provider, at: 8)
        s.bindSymbol(r.tokenUrl, at: 9); s.bindSymbol(r.grantType, at: 10); s.bindSymbol(r.flow, at: 11)
        s.bindSymbol(r.clientId, at: 12); s.bindSymbol(r.iss, at: 13); s.bindSymbol(r.sub, at: 14)
        s.bindSymbol(r.aud, at: 15); s.bind(r.iat, at: 16); s.bind(r.nbf, at: 17); s.bind(r.exp, at: 18)
        s.bind(r.jti, at: 19); s.bind(r.httpStatus, at: 20); s.bind(r.outcome, at: 21)
        s.bindSymbol(r.failureClass, at: 22); s.bindSymbol(r.error, at: 23); s.bindSymbol(r.errorDescription, at: 24)
        s.bindSymbol(r.errorCode, at: 25); s.bindSymbol(r.errorSummary, at: 26); s.bind(r.errorId, at: 27)
        s.bindSymbol(r.authScheme, at: 28); s.bind(r.serverDate, at: 29); s.bind(r.issuedAt, at: 30)
        s.bindSymbol(r.instanceUrl, at: 31); s.bindSymbol(r.orgId, at: 32); s.bindSymbol(r.userId, at: 33)
        s.bind(r.tokenFingerprint, at: 34); s.bind(r.assertionFingerprint, at: 35); s.bind(r.secretFingerprint, at: 36)
        s.bind(r.durationMs, at: 37); s.bindSymbol(r.sourceIp, at: 38); s.bind(r.extra, at: 39)
        return try s.run() == 1
    }

    public func add(_ r: ApiActivityRecord, source: Int64) throws -> Bool {
        let s = activityInsert
        s.bind(r.time, at: 1); s.bind(r.key, at: 2); s.bind(Int64(r.precisionMs), at: 3)
        s.bind(source, at: 4); s.bind(Int64(r.line), at: 5); s.bind(r.eventType, at: 6)
        s.bindSymbol(r.org, at: 7); s.bindSymbol(r.userId, at: 8); s.bindSymbol(r.username, at: 9)
        s.bindSymbol(r.app, at: 10); s.bindSymbol(r.appId, at: 11); s.bindSymbol(r.method, at: 12)
        s.bindSymbol(r.resource, at: 13); s.bindSymbol(r.entity, at: 14); s.bindSymbol(r.status, at: 15)
        s.bind(r.rows, at: 16); s.bindSymbol(r.clientIp, at: 17); s.bindSymbol(r.delegatedUser, at: 18)
        s.bindSymbol(r.delegatedUserId, at: 19); s.bindSymbol(r.sessionType, at: 20)
        s.bind(r.loginKey, at: 21); s.bind(r.sessionKey, at: 22); s.bind(r.requestId, at: 23)
        return try s.run() == 1
    }

    public func add(_ r: IdpEventRecord, source: Int64) throws -> Bool {
        let s = idpInsert
        s.bind(r.time, at: 1); s.bind(r.key, at: 2); s.bind(Int64(r.precisionMs), at: 3)
        s.bind(source, at: 4); s.bind(Int64(r.line), at: 5); s.bind(r.provider, at: 6)
        s.bind(r.uuid, at: 7); s.bindSymbol(r.eventType, at: 8); s.bindSymbol(r.severity, at: 9)
        s.bindSymbol(r.actorId, at: 10); s.bindSymbol(r.actorType, at: 11); s.bindSymbol(r.actorName, at: 12)
        s.bindSymbol(r.clientIp, at: 13); s.bindSymbol(r.userAgent, at: 14); s.bind(r.outcome, at: 15)
        s.bindSymbol(r.outcomeReason, at: 16); s.bindSymbol(r.failureClass, at: 17); s.bindSymbol(r.grantType, at: 18)
        s.bindSymbol(r.flow, at: 19); s.bindSymbol(r.requestUri, at: 20); s.bind(r.transactionId, at: 21)
        s.bindSymbol(r.displayMessage, at: 22)
        return try s.run() == 1
    }

    public func reject(source: Int64, line: Int, reason: String, excerpt: String) throws {
        rejectInsert.bind(source, at: 1); rejectInsert.bind(Int64(line), at: 2)
        rejectInsert.bind(reason, at: 3); rejectInsert.bind(excerpt, at: 4)
        try rejectInsert.run()
    }

    // MARK: runs and sources (chain of custody)

    public func beginRun(toolVersion: String, arguments: [String]) throws -> Int64 {
        _ = try db.rows("INSERT INTO runs(started_at, tool_version, arguments) VALUES(?,?,?)",
                        [.integer(Clock.nowMs()), .text(toolVersion), .text(arguments.joined(separator: " "))])
        return db.lastInsertRowID
    }

    public func finishRun(_ run: Int64) throws {
        _ = try db.rows("UPDATE runs SET finished_at = ? WHERE id = ?", [.integer(Clock.nowMs()), .integer(run)])
    }

    public func beginSource(run: Int64, path: String, format: String, timezone: String?) throws -> Int64 {
        _ = try db.rows("""
            INSERT INTO sources(run_id, path, sha256, bytes, format, timezone, rows_read, rows_stored,
                                duplicates, rejects, ingested_at) VALUES(?,?,'',0,?,?,0,0,0,0,?)
            """, [.integer(run), .text(path), .text(format), timezone.map { .text($0) } ?? .null, .integer(Clock.nowMs())])
        return db.lastInsertRowID
    }

    public func finishSource(_ id: Int64, format: String, sha256: String, bytes: Int, stats: FileStats) throws {
        _ = try db.rows("""
            UPDATE sources SET format = ?, sha256 = ?, bytes = ?, rows_read = ?, rows_stored = ?, duplicates = ?,
                   rejects = ?, first_time = ?, last_time = ? WHERE id = ?
            """, [.text(format), .text(sha256), .integer(Int64(bytes)), .integer(Int64(stats.rowsRead)),
                  .integer(Int64(stats.stored)), .integer(Int64(stats.duplicates)), .integer(Int64(stats.rejects)),
                  stats.firstTime.map { .integer($0) } ?? .null, stats.lastTime.map { .integer($0) } ?? .null,
                  .integer(id)])
    }
}

/// Counts for one input file.
public struct FileStats: Sendable, Equatable {
    public var rowsRead = 0
    public var stored = 0
    public var duplicates = 0
    public var rejects = 0
    public var firstTime: Int64?
    public var lastTime: Int64?
    public init() {}

    mutating func noteTime(_ t: Int64) {
        if firstTime == nil || t < firstTime! { firstTime = t }
        if lastTime == nil || t > lastTime! { lastTime = t }
    }
}

/// Symbols of the fixed vocabulary (flows, bases, outcomes, failure classes, origins),
/// interned once per database so normalizers never look them up per row.
public struct Vocabulary {
    public let flows: [Flow: Symbol]
    public let bases: [FlowBasis: Symbol]
    public let outcomes: [Outcome: Symbol]
    public let failures: [FailureClass: Symbol]
    public let loginHistory: Symbol
    public let elf: Symbol
    public let okta: Symbol

    init(interner: Interner) throws {
        var flows: [Flow: Symbol] = [:]
        for flow in Flow.allCases { flows[flow] = try interner.intern(flow.rawValue) }
        var bases: [FlowBasis: Symbol] = [:]
        for basis in FlowBasis.allCases { bases[basis] = try interner.intern(basis.rawValue) }
        var outcomes: [Outcome: Symbol] = [:]
        for outcome in [Outcome.success, .failure, .unknown] { outcomes[outcome] = try interner.intern(outcome.rawValue) }
        var failures: [FailureClass: Symbol] = [:]
        for failure in FailureClass.allCases { failures[failure] = try interner.intern(failure.rawValue) }
        self.flows = flows
        self.bases = bases
        self.outcomes = outcomes
        self.failures = failures
        loginHistory = try interner.intern("login_history")
        elf = try interner.intern("elf")
        okta = try interner.intern("okta")
    }

    public func flow(_ flow: Flow) -> Symbol { flows[flow] ?? 0 }
    public func basis(_ basis: FlowBasis) -> Symbol { bases[basis] ?? 0 }
    public func outcome(_ outcome: Outcome) -> Symbol { outcomes[outcome] ?? 0 }
    public func failure(_ failure: FailureClass?) -> Symbol { failure.flatMap { failures[$0] } ?? 0 }
}
