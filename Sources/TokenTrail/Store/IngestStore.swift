/// Writes canonical records. Every insert is `ON CONFLICT DO NOTHING` on (time, key), so a
/// re-ingested or overlapping export stores nothing twice; `add` says whether it was new.
public final class IngestStore {
    public let db: Database
    public let interner: Interner
    /// For free text (URLs, user agents, statuses, error messages): scrubbed of credentials.
    public let freeText: Interner
    public let dedup: DedupKey
    public let vocabulary: Vocabulary
    private let logins: BatchInserter<LoginRecord>
    private let contexts: LoginContexts
    private let tokenRequests: BatchInserter<TokenRequestRecord>
    private let activity: BatchInserter<ApiActivityRecord>
    private let idpEvents: BatchInserter<IdpEventRecord>
    private let rejectInsert: Statement
    private let repairInsert: Statement

    public init(db: Database) throws {
        self.db = db
        let before = try? db.scalar("SELECT value FROM meta WHERE key = 'schema_version'").int
        try Schema.migrate(db)
        dedup = try Schema.dedupKey(db)
        // Every value stored, whatever its field, loses what has a credential's shape; free text
        // (URLs, agents, messages) also loses long opaque runs.
        interner = try Interner(database: db, seed: dedup.key0 ^ 0x5bd1e995, transform: Redactor.scrubShapes)
        freeText = try Interner(database: db, seed: dedup.key0 ^ 0x2545f491, maxEntries: 50_000, transform: Redactor.scrub)
        // One transaction: each autocommitted insert would add its own pages to the WAL.
        let interner = self.interner
        vocabulary = try db.transaction { try Vocabulary(interner: interner) }
        // A database written before twins were merged (v10 and older) holds both rows of each.
        if let before = before ?? nil, before < 11 {
            let vocabulary = self.vocabulary
            _ = try db.transaction { try LoginTwins.resolveAll(db, vocabulary: vocabulary) }
        }
        logins = try BatchInserter(db: db, table: "logins", empty: LoginRecord(), bind: Self.bindLogin)
        contexts = try LoginContexts(db: db)
        tokenRequests = try BatchInserter(db: db, table: "token_requests", empty: TokenRequestRecord(), bind: Self.bindTokenRequest)
        activity = try BatchInserter(db: db, table: "api_activity", empty: ApiActivityRecord(), bind: Self.bindActivity)
        // One event id (`uuid`, hence key) read again with another body is an edited or corrupted
        // export: the first stays, the later one is remembered on it to be noted (FileContext).
        idpEvents = try BatchInserter(db: db, table: "idp_events", empty: IdpEventRecord(), onConflict: """
            ON CONFLICT(time, key) DO UPDATE SET conflict_source = excluded.source_id, conflict_line = excluded.line
            WHERE idp_events.conflict_source IS NULL AND idp_events.body_hash IS NOT NULL AND idp_events.body_hash <> excluded.body_hash
            """, bind: Self.bindIdpEvent)
        rejectInsert = try db.prepare("INSERT INTO rejects(source_id, line, reason, excerpt, token_login, time) VALUES(?,?,?,?,?,?) ON CONFLICT DO NOTHING")
        repairInsert = try db.prepare("INSERT INTO repairs(source_id, line, field, kind) VALUES(?,?,?,?) ON CONFLICT DO NOTHING")
    }

    static func bindLogin(_ b: inout RowBinder, _ r: LoginRecord) {
        b.value("time", r.time); b.value("key", r.key); b.value("source_id", r.source); b.value("line", Int64(r.line))
        b.value("context", r.context); b.symbol("org", r.org); b.symbol("user_id", r.userId); b.symbol("username", r.username)
        b.symbol("app", r.app); b.symbol("source_ip", r.sourceIp); b.value("history_id", r.historyId)
        b.value("login_key", r.loginKey); b.value("request_id", r.requestId); b.symbol("app_via", 0)   // set by AppAttribution, never by an export
    }

    static func bindTokenRequest(_ b: inout RowBinder, _ r: TokenRequestRecord) {
        b.value("time", r.time); b.value("key", r.key); b.value("precision_ms", Int64(r.precisionMs))
        b.value("source_id", r.source); b.value("line", Int64(r.line)); b.symbol("host", r.host)
        b.symbol("integration", r.integration); b.symbol("provider", r.provider); b.symbol("token_url", r.tokenUrl)
        b.symbol("grant_type", r.grantType); b.symbol("flow", r.flow); b.symbol("client_id", r.clientId); b.symbol("iss", r.iss)
        b.symbol("sub", r.sub); b.symbol("aud", r.aud); b.value("iat", r.iat); b.value("nbf", r.nbf); b.value("exp", r.exp)
        b.value("jti", r.jti); b.value("http_status", r.httpStatus); b.value("outcome", r.outcome)
        b.symbol("failure_class", r.failureClass); b.symbol("error", r.error); b.symbol("error_description", r.errorDescription)
        b.symbol("error_code", r.errorCode); b.symbol("error_summary", r.errorSummary); b.value("error_id", r.errorId)
        b.symbol("auth_scheme", r.authScheme); b.value("server_date", r.serverDate); b.value("issued_at", r.issuedAt)
        b.symbol("instance_url", r.instanceUrl); b.symbol("org_id", r.orgId); b.symbol("user_id", r.userId)
        b.value("token_fingerprint", r.tokenFingerprint); b.value("assertion_fingerprint", r.assertionFingerprint)
        b.value("secret_fingerprint", r.secretFingerprint); b.value("duration_ms", r.durationMs); b.symbol("source_ip", r.sourceIp)
        b.value("extra", r.extra)
    }

    static func bindActivity(_ b: inout RowBinder, _ r: ApiActivityRecord) {
        b.value("time", r.time); b.value("key", r.key); b.value("precision_ms", Int64(r.precisionMs))
        b.value("source_id", r.source); b.value("line", Int64(r.line)); b.value("event_type", r.eventType); b.symbol("org", r.org)
        b.symbol("user_id", r.userId); b.symbol("username", r.username); b.symbol("app", r.app); b.symbol("app_id", r.appId)
        b.symbol("method", r.method); b.symbol("resource", r.resource); b.symbol("entity", r.entity); b.symbol("status", r.status)
        b.value("rows", r.rows); b.symbol("client_ip", r.clientIp); b.symbol("delegated_user", r.delegatedUser)
        b.symbol("delegated_user_id", r.delegatedUserId); b.symbol("session_type", r.sessionType); b.value("login_key", r.loginKey)
        b.value("session_key", r.sessionKey); b.value("request_id", r.requestId)
        b.symbol("user_agent", r.userAgent); b.symbol("client_name", r.clientName); b.symbol("api_family", r.apiFamily)
        b.value("query_fingerprint", r.queryFingerprint); b.value("job_id", r.jobId); b.value("batch_id", r.batchId)
        b.symbol("job_state", r.jobState); b.symbol("operation", r.operation); b.value("records_failed", r.recordsFailed)
    }

    static func bindIdpEvent(_ b: inout RowBinder, _ r: IdpEventRecord) {
        b.value("time", r.time); b.value("key", r.key); b.value("precision_ms", Int64(r.precisionMs))
        b.value("source_id", r.source); b.value("line", Int64(r.line)); b.value("provider", r.provider); b.value("uuid", r.uuid)
        b.symbol("event_type", r.eventType); b.symbol("severity", r.severity); b.symbol("actor_id", r.actorId)
        b.symbol("actor_type", r.actorType); b.symbol("actor_name", r.actorName); b.symbol("client_ip", r.clientIp)
        b.symbol("user_agent", r.userAgent); b.value("outcome", r.outcome); b.symbol("outcome_reason", r.outcomeReason)
        b.symbol("failure_class", r.failureClass); b.symbol("grant_type", r.grantType); b.symbol("flow", r.flow)
        b.symbol("request_uri", r.requestUri); b.value("transaction_id", r.transactionId)
        b.symbol("display_message", r.displayMessage)
        b.value("session_fingerprint", r.sessionFingerprint); b.value("dt_hash", r.dtHash); b.value("api_token_id", r.apiTokenId)
        b.symbol("client_id", r.clientId); b.symbol("as_number", r.asNumber); b.symbol("as_org", r.asOrg); b.symbol("isp", r.isp)
        b.value("is_proxy", r.isProxy); b.symbol("targets", r.targets)
        b.value("root_session_fingerprint", r.rootSessionFingerprint); b.value("root_api_token_id", r.rootApiTokenId)
        b.value("terminated_session", r.terminatedSession); b.value("body_hash", r.bodyHash)
    }

    public func add(_ r: LoginRecord) throws {
        var record = r
        record.context = try contexts.id(for: r)
        try logins.add(record)
        guard tallying else { return }
        tally.logins.add(.init(origin: r.origin, app: r.app, flow: r.flow, basis: r.flowBasis, outcome: r.outcome))
        if serverToServer.contains(r.flow) {
            tally.integrationUsers.add(.init(app: r.app, user: r.username != 0 ? r.username : r.userId, flow: r.flow, outcome: r.outcome))
        }
        tally.noteUser(id: r.userId, name: r.username)
    }
    public func add(_ r: TokenRequestRecord) throws {
        try tokenRequests.add(r)
        guard tallying else { return }
        tally.tokenRequests.add(.init(provider: r.provider, integration: r.integration, host: r.host, flow: r.flow, outcome: r.outcome))
    }
    public func add(_ r: ApiActivityRecord) throws {
        try activity.add(r)
        guard tallying else { return }
        tally.apiActivity.add(r.eventType)
    }
    public func add(_ r: IdpEventRecord) throws {
        try idpEvents.add(r)
        guard tallying else { return }
        tally.idpEvents.add(.init(type: r.eventType, outcome: r.outcome))
    }

    /// Whether records are counted for the summary at all (not under `--quiet`).
    public var tallying = true
    /// The current file's counts for the summary (ScanTally), added to the run's when it commits.
    private var tally = ScanTally()
    /// The counts of the files committed in this run.
    public private(set) var runTally = ScanTally()
    private lazy var serverToServer: Set<Symbol> = [vocabulary.flow(.jwtBearer), vocabulary.flow(.clientCredentials), vocabulary.flow(.oauthUnknown)]

    /// After a file's transaction committed: its counts join the run's.
    func commitTally() {
        runTally.merge(tally)
        tally = ScanTally()
    }

    /// Writes pending batches. Returns the rows handed in and the rows inserted since the
    /// previous call (the difference is duplicates).
    func flush() throws -> (added: Int, inserted: Int) {
        let (added, inserted) = try totals()
        defer { mark = (added, inserted) }
        return (added - mark.added, inserted - mark.inserted)
    }

    private var mark = (added: 0, inserted: 0)
    private func totals() throws -> (Int, Int) {
        let inserted = try logins.flush() + tokenRequests.flush() + activity.flush() + idpEvents.flush()
        return (logins.added + tokenRequests.added + activity.added + idpEvents.added, inserted)
    }

    /// Before a file's transaction is rolled back: the ids the interners and the contexts
    /// table learned in it are about to be freed, and a later file would otherwise reuse them
    /// for values they no longer name (a failing crafted file could relabel later rows).
    func forgetUncommittedIds() {
        interner.forget(); freeText.forget(); contexts.forget()
    }

    /// Drops pending rows after a failed file (its transaction is rolled back).
    func discardPending() {
        logins.discard(); tokenRequests.discard(); activity.discard(); idpEvents.discard()
        tally = ScanTally()
        mark = (try? totals()) ?? mark
    }

    /// `tokenLogin`: the rejected bytes look like a token-endpoint login (coverage-gap raises it).
    /// `time`: when the rejected row happened as far as it can be told (its own time, else
    /// the record before it); nil until the file's first record dates it (`datePendingRejects`).
    public func reject(source: Int64, line: Int, reason: String, excerpt: String, tokenLogin: Bool = false, time: Int64? = nil) throws {
        try db.lock.withLock {
            rejectInsert.bind(source, at: 1); rejectInsert.bind(Int64(line), at: 2)
            rejectInsert.bind(reason, at: 3); rejectInsert.bind(excerpt, at: 4)
            rejectInsert.bind(Int64(tokenLogin ? 1 : 0), at: 5)
            if let time { rejectInsert.bind(time, at: 6) } else { rejectInsert.bindNull(at: 6) }
            try rejectInsert.run()
        }
    }

    public func repair(source: Int64, line: Int, field: String, kind: RepairKind) throws {
        try db.lock.withLock {
            repairInsert.bind(source, at: 1); repairInsert.bind(Int64(line), at: 2)
            repairInsert.bind(field, at: 3); repairInsert.bind(kind.rawValue, at: 4)
            try repairInsert.run()
        }
    }

    // MARK: runs and sources (chain of custody)

    /// The command line as `runs` keeps it: a webhook URL reduced to its scheme and host (its
    /// path, query and user info are the hook's secret), everything else scrubbed.
    static func storable(_ arguments: [String]) -> [String] {
        var out: [String] = []
        var webhookNext = false
        for argument in arguments {
            if webhookNext {
                out.append(Redactor.urlOrigin(argument))
                webhookNext = false
            } else if argument == "--webhook" {
                out.append(argument)
                webhookNext = true
            } else if argument.hasPrefix("--webhook=") {
                out.append("--webhook=" + Redactor.urlOrigin(String(argument.dropFirst("--webhook=".count))))
            } else {
                out.append(Redactor.scrub(argument))
            }
        }
        return out
    }

    public func beginRun(toolVersion: String, arguments: [String]) throws -> Int64 {
        _ = try db.rows("INSERT INTO runs(started_at, tool_version, arguments) VALUES(?,?,?)",
                        [.integer(Clock.nowMs()), .text(toolVersion), .text(Self.storable(arguments).joined(separator: " "))])
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
                   rejects = ?, repaired = ?, twins = ?, first_time = ?, last_time = ?, positions = ? WHERE id = ?
            """, [.text(format), .text(sha256), .integer(Int64(bytes)), .integer(Int64(stats.rowsRead)),
                  .integer(Int64(stats.stored)), .integer(Int64(stats.duplicates)), .integer(Int64(stats.rejects)),
                  .integer(Int64(stats.repaired)), .integer(Int64(stats.twins)),
                  stats.firstTime.map { .integer($0) } ?? .null, stats.lastTime.map { .integer($0) } ?? .null,
                  .text(stats.recordPositions ? "record" : "line"), .integer(id)])
    }
}

/// Counts for one input file.
public struct FileStats: Sendable, Equatable {
    public var rowsRead = 0
    public var stored = 0
    public var duplicates = 0
    public var rejects = 0
    /// Rows kept with a value stored other than as it came (invalid UTF-8, cut).
    public var repaired = 0
    /// Logins this file shares with another export (Login History and ELF Login): each stored once.
    public var twins = 0
    public var firstTime: Int64?
    public var lastTime: Int64?
    /// The file's records share lines (a compact JSON array): positions are record numbers.
    public var recordPositions = false
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
    public let loginEvent: Symbol
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
        loginEvent = try interner.intern("login_event")
        okta = try interner.intern("okta")
    }

    public func flow(_ flow: Flow) -> Symbol { flows[flow] ?? 0 }
    public func basis(_ basis: FlowBasis) -> Symbol { bases[basis] ?? 0 }
    public func outcome(_ outcome: Outcome) -> Symbol { outcomes[outcome] ?? 0 }
    public func failure(_ failure: FailureClass?) -> Symbol { failure.flatMap { failures[$0] } ?? 0 }
}
