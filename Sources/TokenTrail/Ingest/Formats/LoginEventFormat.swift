/// Real-Time Event Monitoring `LoginEvent` records as JSON (a SOQL query result's `records`,
/// or one record per line). The SOQL CSV shape is read by the Login History ingester, whose
/// alias table knows these field names. It is the Event Monitoring source that names the
/// app; `LoginHistoryId` makes it the same row as its Login History twin.
enum LoginEventFormat {
    /// What a Real-Time Event Monitoring record is. Every RTEM object carries `EventDate`
    /// (FORMATS.md §7): `attributes.type` names it when the export kept it, else LoginEvent's
    /// own fields do. A LogoutEvent is never a login.
    enum Kind: Equatable { case login, activity(String), unsupported(String) }
    static let activityTypes: Set<String> = ["LogoutEvent", "ApiEvent"]

    static func kind(_ object: [String: JSONValue]) -> Kind? {
        if let type = object["attributes"]?["type"]?.string {
            if type == "LoginEvent" { return .login }
            return activityTypes.contains(type) ? .activity(type) : object["EventDate"] != nil ? .unsupported(type) : nil
        }
        guard object["EventDate"] != nil, object["EventIdentifier"] != nil || object["LoginHistoryId"] != nil else { return nil }
        if ["LoginType", "Status", "LoginHistoryId", "LoginUrl", "LoginSubType"].contains(where: { object[$0] != nil }) { return .login }
        return ["Operation", "QueriedEntities", "RowsProcessed", "Query"].contains(where: { object[$0] != nil }) ? .activity("ApiEvent") : .activity("LogoutEvent")
    }

    static func recognizes(_ object: [String: JSONValue]) -> Bool { kind(object) != nil }
}

final class LoginEventIngester {
    private let ctx: FileContext
    /// Whether the file held logins (a `login_event` export) or only activity (`rtem_activity`:
    /// no server login covers its period).
    private(set) var sawLogin = false

    init(ctx: FileContext) { self.ctx = ctx }

    func ingest(_ o: [String: JSONValue], line: Int, raw: UnsafeRawBufferPointer) throws {
        try ctx.rejectingRow(line: line, raw: raw) {
            switch LoginEventFormat.kind(o) {
            case .login?: try ctx.add(try record(o, line: line)); sawLogin = true
            case .activity(let type)?: try ctx.add(try activity(o, type: type, line: line))
            case .unsupported(let type)?:
                throw RowReject("a \(type) record (Real-Time Event Monitoring): TokenTrail reads LoginEvent as logins and LogoutEvent and ApiEvent as API activity")
            case nil: throw RowReject("not a Real-Time Event Monitoring record like the file's first (no EventDate)")
            }
        }
    }

    /// A LogoutEvent or ApiEvent: API activity of its session (`LoginKey`, `SessionKey`), so it
    /// joins sessions and blast radii like its ELF counterparts.
    func activity(_ o: [String: JSONValue], type: String, line: Int) throws -> ApiActivityRecord {
        guard let date = o["EventDate"]?.string, let time = TimeParser.parse(date), time.hasZone else {
            throw RowReject("missing or unparseable EventDate (expected ISO 8601 like 2026-11-21T06:04:01.000+0000)")
        }
        var r = ApiActivityRecord()
        r.time = time.epochMs
        r.precisionMs = time.precisionMs
        r.line = line
        r.eventType = try ctx.interner.intern(type)
        r.userId = try ctx.interner.intern(text(o, "UserId").map(SalesforceId.canonical))
        r.username = try intern(o, "Username")
        r.clientIp = try ctx.interner.intern(ctx.address(text(o, "SourceIp"), field: "SourceIp"))
        r.method = try intern(o, "Operation")
        r.userAgent = try ctx.freeText(o["UserAgent"]?.text, field: "UserAgent")
        r.app = try intern(o, "Application")
        if let entities = text(o, "QueriedEntities") {
            r.entity = try ctx.interner.intern(entities.split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) })
        }
        r.rows = o["RowsProcessed"]?.integer ?? o["Records"]?.integer
        // The SOQL text can name personal data: only its fingerprint is kept.
        if let query = text(o, "Query"), !query.isEmpty { r.queryFingerprint = Fingerprint.of(query) }
        r.loginKey = text(o, "LoginKey")
        r.sessionKey = text(o, "SessionKey")
        r.requestId = text(o, "EventIdentifier")
        var hasher = ctx.store.dedup.hasher()
        hasher.combine(Int64(4))
        hasher.combine(type)
        hasher.combine(text(o, "EventIdentifier") ?? String(decoding: raw(o), as: UTF8.self))
        r.key = ctx.keyWithOccurrence(time: r.time, identity: hasher.finalize())
        return r
    }

    private func text(_ o: [String: JSONValue], _ key: String) -> String? { ctx.text(o[key]?.text, field: key) }
    private func intern(_ o: [String: JSONValue], _ key: String) throws -> Symbol { try ctx.intern(o[key], field: key) }

    func record(_ o: [String: JSONValue], line: Int) throws -> LoginRecord {
        let v = ctx.vocabulary
        var r = LoginRecord()
        r.line = line
        r.origin = v.loginEvent
        guard let date = o["EventDate"]?.string, let time = TimeParser.parse(date), time.hasZone else {
            throw RowReject("missing or unparseable EventDate (expected ISO 8601 like 2026-11-21T06:04:01.000+0000)")
        }
        r.historyId = text(o, "LoginHistoryId").map(SalesforceId.canonical)
        // On the whole second, like Login History's LoginTime, so both sources' row is one row.
        r.time = r.historyId != nil ? time.epochMs - time.epochMs % 1000 : time.epochMs
        r.precisionMs = r.historyId != nil ? 1000 : time.precisionMs
        r.userId = try ctx.interner.intern(text(o, "UserId").map(SalesforceId.canonical))
        r.username = try intern(o, "Username")
        r.app = try intern(o, "Application")
        let loginType = text(o, "LoginType") ?? "", subtype = text(o, "LoginSubType") ?? ""
        r.loginType = try ctx.interner.intern(loginType)
        r.subtype = try ctx.interner.intern(subtype)
        let jwtOnly = text(o, "Application").map { ctx.options.policy?.declaresJWTOnly(app: $0) ?? false } ?? false
        let (flow, basis) = FlowClassifier.classifyLogin(loginType: loginType, subtype: subtype, jwtOnlyApp: jwtOnly,
                                                         recordsSubtype: o.keys.contains("LoginSubType"))
        r.flow = v.flow(flow)
        r.flowBasis = v.basis(basis)
        if FlowClassifier.isBrowserPlaceholder(application: text(o, "Application") ?? "", flow: flow) { r.app = 0 }
        let status = text(o, "Status") ?? ""
        r.status = try ctx.freeText(status, field: "Status")
        let (outcome, failure) = LoginStatus.outcome(status)
        r.outcome = v.outcome(outcome)
        r.failureClass = v.failure(failure)
        r.sourceIp = try ctx.interner.intern(ctx.address(text(o, "SourceIp"), field: "SourceIp"))
        r.loginUrl = try ctx.freeText(o["LoginUrl"]?.text, field: "LoginUrl")
        r.country = try intern(o, "CountryIso")
        r.tls = try intern(o, "TlsProtocol")
        r.cipher = try intern(o, "CipherSuite")
        r.browser = try ctx.freeText(o["Browser"]?.text, field: "Browser")
        r.platform = try intern(o, "Platform")
        r.apiType = try intern(o, "ApiType")
        r.apiVersion = try intern(o, "ApiVersion")
        r.authMethod = try intern(o, "AuthMethodReference")
        r.loginKey = text(o, "LoginKey")
        var hasher = ctx.store.dedup.hasher()
        if let id = r.historyId {
            hasher.combine(id)
            r.key = hasher.finalize()
        } else {
            hasher.combine(Int64(3))
            hasher.combine(text(o, "EventIdentifier") ?? String(decoding: raw(o), as: UTF8.self))
            r.key = ctx.keyWithOccurrence(time: r.time, identity: hasher.finalize())
        }
        return r
    }

    private func raw(_ o: [String: JSONValue]) -> [UInt8] { Array(JSONValue.object(o).serialized.utf8) }
}
