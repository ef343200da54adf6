/// Event Monitoring (EventLogFile) CSV: Login, LoginAs, Logout, API, RestApi, ApiTotalUsage,
/// Bulk; and the Event Log Objects (`LoginEventLog`, `ApiTotalUsageEventLog`, …, API 61+),
/// which carry the same fields in PascalCase (`Timestamp`, `LoginKey`, `ClientIp`) with a few
/// renamed (`RequestIdentifier`, `UserIdentifier`, `ConnectedAppIdentifier`, `ObjectName`).
/// Column sets vary by org and API version, so every column is found by name and all but
/// the time are optional.
enum ELFField: Int, CaseIterable {
    case eventType, timestamp, timestampDerived, requestId, organizationId, userId, userIdDerived, userName
    case uri, sessionKey, loginKey, loginType, loginSubType, loginStatus, requestStatus, sourceIp, clientIp
    case tls, cipher, browserType, platformType, apiType, apiVersion, authMethod, countryCode, loginUrl
    case delegatedUserName, delegatedUserId, sessionType, methodName, method, httpMethod, entityName
    case rowsProcessed, statusCode, apiResource, apiFamily, connectedAppId, connectedAppName, clientName
    case userAgent, query, jobId, batchId, jobStatus, operationType, entityType
    case recordsProcessed, numberRecordsProcessed, recordsFailed, numberRecordsFailed, numberFailures, failedRecordCount

    static let aliases: [String: ELFField] = {
        let names: [(String, ELFField)] = [
            ("EVENT_TYPE", .eventType), ("TIMESTAMP", .timestamp), ("TIMESTAMP_DERIVED", .timestampDerived),
            ("REQUEST_ID", .requestId), ("ORGANIZATION_ID", .organizationId), ("USER_ID", .userId),
            ("USER_ID_DERIVED", .userIdDerived), ("USER_NAME", .userName), ("URI", .uri),
            ("SESSION_KEY", .sessionKey), ("LOGIN_KEY", .loginKey), ("LOGIN_TYPE", .loginType),
            ("LOGIN_SUB_TYPE", .loginSubType), ("LOGIN_STATUS", .loginStatus), ("REQUEST_STATUS", .requestStatus),
            ("SOURCE_IP", .sourceIp), ("CLIENT_IP", .clientIp), ("TLS_PROTOCOL", .tls), ("CIPHER_SUITE", .cipher),
            ("BROWSER_TYPE", .browserType), ("PLATFORM_TYPE", .platformType), ("API_TYPE", .apiType),
            ("API_VERSION", .apiVersion), ("AUTHENTICATION_METHOD_REFERENCE", .authMethod),
            ("COUNTRY_CODE", .countryCode), ("LOGIN_URL", .loginUrl), ("DELEGATED_USER_NAME", .delegatedUserName),
            ("DELEGATED_USER_ID", .delegatedUserId), ("SESSION_TYPE", .sessionType), ("METHOD_NAME", .methodName),
            ("METHOD", .method), ("HTTP_METHOD", .httpMethod), ("ENTITY_NAME", .entityName),
            ("ROWS_PROCESSED", .rowsProcessed), ("STATUS_CODE", .statusCode), ("API_RESOURCE", .apiResource),
            ("API_FAMILY", .apiFamily), ("CONNECTED_APP_ID", .connectedAppId),
            ("CONNECTED_APP_NAME", .connectedAppName), ("CLIENT_NAME", .clientName),
            ("USER_AGENT", .userAgent), ("QUERY", .query), ("JOB_ID", .jobId), ("BATCH_ID", .batchId),
            ("JOB_STATUS", .jobStatus), ("OPERATION_TYPE", .operationType), ("ENTITY_TYPE", .entityType),
            // Record counts are named differently by source and API version (FORMATS.md §6).
            ("RECORDS_PROCESSED", .recordsProcessed), ("NUMBER_RECORDS_PROCESSED", .numberRecordsProcessed),
            ("RECORDS_FAILED", .recordsFailed), ("NUMBER_RECORDS_FAILED", .numberRecordsFailed),
            ("NUMBER_FAILURES", .numberFailures), ("FAILED_RECORD_COUNT", .failedRecordCount),
            // Event Log Objects' own names for the same fields (FORMATS.md §7).
            ("RequestIdentifier", .requestId), ("UserIdentifier", .userId), ("OrganizationIdentifier", .organizationId),
            ("ConnectedAppIdentifier", .connectedAppId), ("ObjectName", .entityName),
            ("TransportLayerSecurityProtocol", .tls), ("AuthenticatedMethodReference", .authMethod),
            ("DelegatedUserIdentifier", .delegatedUserId), ("JobIdentifier", .jobId), ("BatchIdentifier", .batchId),
        ]
        var table: [String: ELFField] = [:]
        for (name, field) in names { table[FlowClassifier.normalize(name)] = field }
        return table
    }()

    /// An EventLogFile CSV: EVENT_TYPE and a TIMESTAMP.
    static func recognizes(_ header: [String]) -> Bool {
        let normalized = Set(header.map(FlowClassifier.normalize))
        return normalized.contains("eventtype") && (normalized.contains("timestamp") || normalized.contains("timestampderived"))
    }

    /// An Event Log Object exported by SOQL: a `Timestamp` and no EVENT_TYPE (the object is the
    /// type), with a field that ties the row to a request, a session or a user; a CSV with a
    /// bare Timestamp column and nothing of Event Monitoring is not one.
    static func recognizesObject(_ header: [String]) -> Bool {
        let normalized = Set(header.map(FlowClassifier.normalize))
        return normalized.contains("timestamp") && !normalized.contains("eventtype") && !normalized.contains("eventdate")
            && ["requestidentifier", "requestid", "loginkey", "sessionkey", "useridentifier", "userid"].contains(where: normalized.contains)
    }

    /// The event type of an Event Log Object's name (`LoginEventLog` → `Login`).
    static func eventType(objectName: String) -> String? {
        guard objectName.hasSuffix("EventLog") else { return nil }
        let type = String(objectName.dropLast("EventLog".count))
        return SourceFormat.eventTypes.first { $0.caseInsensitiveCompare(type) == .orderedSame } ?? type
    }

    /// The event type a file holds, from its columns (the first row's EVENT_TYPE agrees).
    static func eventType(_ header: [String]) -> String {
        let n = Set(header.map(FlowClassifier.normalize))
        if n.contains("loginstatus") { return "Login" }
        if n.contains("jobstatus") { return "BulkApi2" }
        if n.contains("batchid") { return "BulkApi" }
        if n.contains("delegatedusername") || n.contains("delegateduserid") { return "LoginAs" }
        if n.contains("userinitiatedlogout") || n.contains("sessiontype") && !n.contains("methodname") { return "Logout" }
        if n.contains("apifamily") || n.contains("apiresource") { return "ApiTotalUsage" }
        if n.contains("statuscode") && n.contains("method") { return "RestApi" }
        if n.contains("methodname") { return "API" }
        return "Other"
    }
}

final class EventLogFileIngester {
    private let ctx: FileContext
    private let columns: CSVColumns<ELFField>
    private let fileEventType: String
    private var statusCache = DirectCache<(Symbol, Symbol)>()
    private var flowCache = DirectCache<(Symbol, Symbol)>()
    private let salesforceIP: Symbol
    private var tlsRewrites: [Symbol: Symbol] = [:]
    private var loginTypeLabels: [Symbol: Symbol] = [:]

    /// Reads an ELF file, or (`objects`) an Event Log Object's rows, whose object name, when
    /// the export kept it (`attributes.type` of JSON records), is the event type.
    init(ctx: FileContext, header: [String], objects: Bool = false, objectName: String? = nil) throws {
        self.ctx = ctx
        self.objects = objects
        columns = CSVColumns(header: header, aliases: ELFField.aliases, interner: ctx.interner, freeText: ctx.store.freeText)
        fileEventType = objectName.flatMap(ELFField.eventType(objectName:)) ?? ELFField.eventType(header)
        salesforceIP = try ctx.interner.intern("Salesforce.com IP")
        eventSymbol = try ctx.interner.intern(fileEventType)
        ctx.eventMonitoringFamily = objects ? .objects : .files
    }

    private let objects: Bool
    private let eventSymbol: Symbol

    /// A file whose columns name no event type but whose rows are `Login` events is a login export.
    var format: SourceFormat { .eventMonitoring(fileEventType == "Other" && sawLogin ? "Login" : fileEventType, objects: objects) }
    private var sawLogin = false

    func run(_ reader: CSVReader) throws {
        try columns.forEachRow(reader, ctx: ctx) { line in try row(line: line) }
    }

    /// One Event Log Object record (a JSON record laid out as a one-row CSV by `reader`).
    func ingest(record reader: CSVReader, line: Int, raw: UnsafeRawBufferPointer) throws {
        columns.bind(reader, ctx: ctx)
        try ctx.rejectingRow(line: line, raw: raw) { try row(line: line) }
    }

    private func row(line: Int) throws {
        let time = try eventTime()
        let rowType = try columns.string(.eventType) ?? fileEventType
        if rowType == "Login" || (fileEventType == "Login" && rowType.isEmpty) {
            try ctx.add(try login(time, line: line))
            sawLogin = true
        } else {
            let type = rowType == fileEventType ? eventSymbol : try ctx.interner.intern(rowType)
            try ctx.add(try activity(time, line: line, type: type))
        }
    }

    /// TIMESTAMP can carry fewer fraction digits than TIMESTAMP_DERIVED in the same row
    /// (`…07.13` against `…07.128Z`): the more precise of the two wins.
    private func eventTime() throws -> ParsedTime {
        let stamp = TimeParser.parse(columns.bytes(.timestamp)).flatMap { $0.hasZone ? $0 : nil }
        let derived = TimeParser.parse(columns.bytes(.timestampDerived)).flatMap { $0.hasZone ? $0 : nil }
        if let stamp, let derived { return derived.precisionMs < stamp.precisionMs ? derived : stamp }
        if let time = stamp ?? derived { return time }
        throw RowReject(objects ? "unparseable Timestamp '\(columns.display(.timestamp))' (expected ISO 8601 with a zone, like 2026-11-20T10:00:00.000+0000)"
                                : "unparseable TIMESTAMP '\(columns.display(.timestamp))' (expected yyyyMMddHHmmss.SSS in GMT, or TIMESTAMP_DERIVED in ISO 8601)")
    }

    /// REQUEST_ID + ORGANIZATION_ID (+ TIMESTAMP, already in the primary key) identify an
    /// event, so a re-issued day file adds only its new rows.
    private func key(time: Int64, typeSalt: Int64) -> Int64 {
        var hasher = ctx.store.dedup.hasher()
        hasher.combine(typeSalt)
        let request = columns.bytes(.requestId)
        if !request.isEmpty {
            hasher.combine(columns.bytes(.organizationId))
            hasher.combine(request)
            return hasher.finalize()
        }
        for i in 0..<columns.headerCount { hasher.combine(columns.reader.field(i)) }
        return ctx.keyWithOccurrence(time: time, identity: hasher.finalize())
    }

    /// The first of these count columns the file has with a number (ELF writes `150` or `150.0`).
    private func count(_ fields: ELFField...) throws -> Int64? {
        for field in fields where columns.has(field) && !columns.isEmpty(field) {
            guard let text = try columns.string(field) else { continue }
            if let n = Int64(text) { return n }
            if let d = Double(text), d.isFinite, abs(d) < 9e15 { return Int64(d) }
        }
        return nil
    }

    private func userId() throws -> Symbol {
        let derived = try columns.idSymbol(.userIdDerived)
        return derived != 0 ? derived : try columns.idSymbol(.userId)
    }

    private func login(_ time: ParsedTime, line: Int) throws -> LoginRecord {
        let v = ctx.vocabulary
        var r = LoginRecord()
        r.time = time.epochMs
        r.precisionMs = time.precisionMs
        r.line = line
        r.origin = v.elf
        r.org = try columns.idSymbol(.organizationId)
        r.userId = try userId()
        r.username = try columns.symbol(.userName)
        r.loginType = try loginTypeLabel(try columns.symbol(.loginType))
        r.subtype = try columns.symbol(.loginSubType)
        r.uri = try columns.freeText(.uri)
        (r.flow, r.flowBasis) = try flow(loginType: r.loginType, subtype: r.subtype, uri: r.uri)
        r.status = try columns.freeText(.loginStatus)
        if r.status == 0 { r.status = try columns.symbol(.requestStatus) }
        (r.outcome, r.failureClass) = try outcome(r.status)
        r.sourceIp = try columns.ipSymbol(.sourceIp)
        let clientIp = try columns.ipSymbol(.clientIp)
        if r.sourceIp == 0 && clientIp != salesforceIP { r.sourceIp = clientIp }
        r.loginUrl = try columns.freeText(.loginUrl)
        r.country = try columns.symbol(.countryCode)
        r.tls = try sameSpellingAsLoginHistory(try columns.symbol(.tls))
        r.cipher = try columns.symbol(.cipher)
        r.browser = try columns.freeText(.browserType)
        r.platform = try columns.symbol(.platformType)
        r.apiType = try columns.symbol(.apiType)
        r.apiVersion = try columns.symbol(.apiVersion)
        r.authMethod = try columns.symbol(.authMethod)
        r.loginKey = try columns.string(.loginKey)
        r.requestId = try columns.string(.requestId)
        r.key = key(time: r.time, typeSalt: 1)
        return r
    }

    /// ELF says `TLSv1.2` where Login History says `TLS 1.2`; store one spelling.
    private func sameSpellingAsLoginHistory(_ tls: Symbol) throws -> Symbol {
        if tls == 0 { return 0 }
        if let cached = tlsRewrites[tls] { return cached }
        let text = try columns.string(.tls) ?? ""
        let rewritten = text.hasPrefix("TLSv") ? try ctx.interner.intern("TLS " + text.dropFirst(4)) : tls
        tlsRewrites[tls] = rewritten
        return rewritten
    }

    /// ELF's one-letter `LOGIN_TYPE` code as the label Login History shows (`i` → `Remote Access 2.0`).
    private func loginTypeLabel(_ code: Symbol) throws -> Symbol {
        if code == 0 { return 0 }
        if let cached = loginTypeLabels[code] { return cached }
        let text = try columns.string(.loginType) ?? ""
        let label = try FlowClassifier.loginTypeLabelOfCode[text].map { try ctx.interner.intern($0) } ?? code
        loginTypeLabels[code] = label
        return label
    }

    /// The URI only matters when the file has no login type (the older column set).
    private func flow(loginType: Symbol, subtype: Symbol, uri: Symbol) throws -> (Symbol, Symbol) {
        // Neither LOGIN_TYPE nor URI (the oldest column sets): nothing tells a token login from
        // any other, and no login type may be claimed (DESIGN.md, Flow classification).
        if !columns.has(.loginType) && !columns.has(.uri) { return (ctx.vocabulary.flow(.unknown), ctx.vocabulary.basis(.notExported)) }
        let uriKey = loginType == 0 ? uri : 0
        if let cached = flowCache.get(loginType, subtype, uriKey) { return cached }
        let (flow, basis) = FlowClassifier.classifyLogin(
            loginType: try columns.string(.loginType).map { FlowClassifier.loginTypeLabelOfCode[$0] ?? $0 } ?? "", subtype: try columns.string(.loginSubType) ?? "",
            jwtOnlyApp: false, recordsSubtype: columns.has(.loginSubType), uri: uriKey == 0 ? "" : try columns.string(.uri) ?? "")
        let result = (ctx.vocabulary.flow(flow), ctx.vocabulary.basis(basis))
        flowCache.set(result, loginType, subtype, uriKey)
        return result
    }

    private func outcome(_ status: Symbol) throws -> (Symbol, Symbol) {
        if let cached = statusCache.get(status) { return cached }
        let text = try columns.string(.loginStatus) ?? columns.string(.requestStatus) ?? ""
        let (outcome, failure) = LoginStatus.outcome(text)
        let result = (ctx.vocabulary.outcome(outcome), ctx.vocabulary.failure(failure))
        statusCache.set(result, status)
        return result
    }

    private func activity(_ time: ParsedTime, line: Int, type: Symbol) throws -> ApiActivityRecord {
        var r = ApiActivityRecord()
        r.time = time.epochMs
        r.precisionMs = time.precisionMs
        r.line = line
        r.eventType = type
        r.org = try columns.idSymbol(.organizationId)
        r.userId = try userId()
        r.username = try columns.symbol(.userName)
        r.app = try columns.symbol(.connectedAppName)
        r.appId = try columns.idSymbol(.connectedAppId)
        r.method = try columns.symbol(.methodName)
        if r.method == 0 { r.method = try columns.symbol(.method) }
        if r.method == 0 { r.method = try columns.symbol(.httpMethod) }
        r.resource = try columns.freeText(.apiResource)
        if r.resource == 0 { r.resource = try columns.freeText(.uri) }
        r.entity = try columns.symbol(.entityName)
        if r.entity == 0 { r.entity = try columns.symbol(.entityType) }
        r.userAgent = try columns.freeText(.userAgent)
        r.clientName = try columns.freeText(.clientName)
        r.apiFamily = try columns.symbol(.apiFamily)
        // The SOQL text can name personal data: only its entity and a fingerprint are kept.
        if let query = try columns.string(.query), !query.isEmpty {
            r.queryFingerprint = Fingerprint.of(query)
            if r.entity == 0, let entity = SOQL.entity(of: query) { r.entity = try ctx.interner.intern(entity) }
        }
        r.jobId = try columns.string(.jobId)
        r.batchId = try columns.string(.batchId)
        r.jobState = try columns.symbol(.jobStatus)
        r.operation = try columns.symbol(.operationType)
        r.status = try columns.freeText(.statusCode)
        if r.status == 0 { r.status = try columns.symbol(.requestStatus) }
        r.rows = try count(.rowsProcessed, .recordsProcessed, .numberRecordsProcessed)
        r.recordsFailed = try count(.recordsFailed, .numberRecordsFailed, .numberFailures, .failedRecordCount)
        r.clientIp = try columns.ipSymbol(.clientIp)
        r.delegatedUser = try columns.symbol(.delegatedUserName)
        r.delegatedUserId = try columns.idSymbol(.delegatedUserId)
        r.sessionType = try columns.symbol(.sessionType)
        r.loginKey = try columns.string(.loginKey)
        r.sessionKey = try columns.string(.sessionKey)
        r.requestId = try columns.string(.requestId)
        r.key = key(time: r.time, typeSalt: 2)
        return r
    }
}
