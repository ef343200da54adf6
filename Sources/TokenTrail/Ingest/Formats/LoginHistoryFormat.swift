/// Salesforce Login History, all three shapes: API export (SOQL / Data Loader / `sf data
/// query`), and the Setup download with English or Japanese labels. One alias table maps
/// every header spelling (compared after `FlowClassifier.normalize`) to a field.
enum LoginHistoryField: Int, CaseIterable {
    case id, userId, username, loginTime, loginType, subtype, sourceIp, loginUrl, location, country
    case tls, cipher, browser, platform, status, application, clientVersion, apiType, apiVersion, authMethod
    /// Real-Time Event Monitoring `LoginEvent` (SOQL CSV): its own id and the session it opened.
    case eventIdentifier, loginKey

    static let aliases: [String: LoginHistoryField] = [
        "id": .id,
        "userid": .userId, "ユーザーid": .userId, "ユーザid": .userId,
        "username": .username, "ユーザー名": .username, "ユーザ名": .username,
        "logintime": .loginTime, "ログイン時間": .loginTime, "ログイン日時": .loginTime, "ログイン時刻": .loginTime,
        "logintype": .loginType, "ログイン種別": .loginType, "ログインタイプ": .loginType,
        "loginsubtype": .subtype, "ログインサブ種別": .subtype, "ログインサブタイプ": .subtype,
        "sourceip": .sourceIp, "送信元ip": .sourceIp, "ソースip": .sourceIp,
        "loginurl": .loginUrl, "ログインurl": .loginUrl,
        "location": .location, "場所": .location,
        "countryiso": .country,
        "tlsprotocol": .tls, "tlsプロトコル": .tls,
        "ciphersuite": .cipher, "tlsciphersuite": .cipher, "tls暗号スイート": .cipher,
        "browser": .browser, "ブラウザ": .browser,
        "platform": .platform, "プラットフォーム": .platform,
        "status": .status, "状況": .status, "状態": .status, "ステータス": .status,
        "application": .application, "アプリケーション": .application,
        "clientversion": .clientVersion, "クライアントのバージョン": .clientVersion, "クライアントバージョン": .clientVersion,
        "apitype": .apiType, "api種別": .apiType,
        "apiversion": .apiVersion, "apiバージョン": .apiVersion,
        "authmethodreference": .authMethod, "authenticationmethodreference": .authMethod, "認証メソッド参照": .authMethod,
        // LoginEvent: EventDate is the login time, LoginHistoryId the Login History row it is.
        "eventdate": .loginTime, "loginhistoryid": .id, "eventidentifier": .eventIdentifier, "loginkey": .loginKey,
    ]

    /// A LoginEvent export (EventDate / EventIdentifier) rather than Login History.
    static func isLoginEvent(_ header: [String]) -> Bool {
        let normalized = Set(header.map(FlowClassifier.normalize))
        return normalized.contains("eventidentifier") || normalized.contains("eventdate")
    }

    static func recognizes(_ header: [String]) -> Bool {
        header.contains { aliases[FlowClassifier.normalize($0)] == .loginTime }
    }

    /// LoginEvent, Login History's API export, or its Setup download in English or Japanese.
    static func format(_ header: [String]) -> SourceFormat {
        if isLoginEvent(header) { return .loginEvent }
        let normalized = header.map(FlowClassifier.normalize)
        if normalized.contains("id") || normalized.contains("userid") { return .loginHistoryAPI }
        return header.contains(where: { $0.unicodeScalars.contains { !$0.isASCII } }) ? .loginHistorySetupJapanese : .loginHistorySetupEnglish
    }
}

final class LoginHistoryIngester {
    private let ctx: FileContext
    private let columns: CSVColumns<LoginHistoryField>
    private var flowCache = DirectCache<(Symbol, Symbol)>()
    private var statusCache = DirectCache<(Symbol, Symbol)>()
    private var jwtOnlyCache = DirectCache<Bool>()
    private var browserCache = DirectCache<Bool>()
    private let isLoginEvent: Bool

    init(ctx: FileContext, header: [String]) throws {
        self.ctx = ctx
        columns = CSVColumns(header: header, aliases: LoginHistoryField.aliases, interner: ctx.interner, freeText: ctx.store.freeText)
        isLoginEvent = LoginHistoryField.isLoginEvent(header)
        guard columns.has(.userId) || columns.has(.username) else {
            throw InputError(path: ctx.path, line: 1, "Login History export without a user column: expected UserId (API export) or Username / ユーザー名 (Setup download)")
        }
    }

    func run(_ reader: CSVReader) throws {
        let v = ctx.vocabulary
        try columns.forEachRow(reader, ctx: ctx) { line in
            var r = LoginRecord()
            r.line = line
            r.origin = isLoginEvent ? v.loginEvent : v.loginHistory
            let time = try loginTime()
            r.time = time.epochMs
            r.precisionMs = time.precisionMs
            if isLoginEvent && !columns.isEmpty(.id) {
                // Login History's LoginTime has whole seconds: on the second, the same login
                // from both sources has the same (time, key) and is stored once.
                r.time -= r.time % 1000
                r.precisionMs = 1000
            }
            r.userId = try columns.idSymbol(.userId)
            r.username = try columns.symbol(.username)
            r.app = try columns.symbol(.application)
            r.loginType = try columns.symbol(.loginType)
            r.subtype = try columns.symbol(.subtype)
            (r.flow, r.flowBasis) = try flow(loginType: r.loginType, subtype: r.subtype, app: r.app)
            if try isBrowserPlaceholder(r.app, flow: r.flow) { r.app = 0 }
            r.status = try columns.freeText(.status)
            (r.outcome, r.failureClass) = try outcome(r.status)
            r.sourceIp = try columns.ipSymbol(.sourceIp)
            r.loginUrl = try columns.freeText(.loginUrl)
            r.country = try columns.symbol(.country)
            if r.country == 0 { r.country = try columns.symbol(.location) }
            r.tls = try columns.symbol(.tls)
            r.cipher = try columns.symbol(.cipher)
            r.browser = try columns.freeText(.browser)
            r.platform = try columns.symbol(.platform)
            r.apiType = try columns.symbol(.apiType)
            r.apiVersion = try columns.symbol(.apiVersion)
            r.clientVersion = try columns.symbol(.clientVersion)
            r.authMethod = try columns.symbol(.authMethod)
            r.historyId = try columns.string(.id).map(SalesforceId.canonical)
            r.loginKey = try columns.string(.loginKey)
            r.key = key(for: r)
            try ctx.add(r)
        }
    }

    private func loginTime() throws -> ParsedTime {
        guard var time = TimeParser.parse(columns.bytes(.loginTime)) else {
            throw RowReject("unparseable \(columns.columnName(.loginTime)) '\(columns.display(.loginTime))' (expected ISO 8601 like 2026-11-21T06:04:01.000+0000, 11/21/2026 6:04 AM or 2026/11/21 15:04)")
        }
        if !time.hasZone {
            guard let zone = ctx.options.timezone else {
                throw InputError(path: ctx.path, line: columns.reader.recordLine,
                                 "\(columns.columnName(.loginTime)) values carry no time zone ('\(columns.display(.loginTime))'): a Setup download shows the downloading user's local time. Rerun with --timezone <IANA zone of that user>, e.g. --timezone America/Los_Angeles or --timezone Asia/Tokyo")
            }
            time.epochMs = zone.toUTC(time.epochMs)
            time.hasZone = true
        }
        return time
    }

    private func flow(loginType: Symbol, subtype: Symbol, app: Symbol) throws -> (Symbol, Symbol) {
        if let cached = flowCache.get(loginType, subtype, app) { return cached }
        let typeText = try columns.string(.loginType) ?? ""
        let subtypeText = try columns.string(.subtype) ?? ""
        let jwtOnly = try isJWTOnly(app)
        // A narrow query without LoginSubType leaves the flow unknown: never assume JWT bearer.
        let (flow, basis) = FlowClassifier.classifyLogin(loginType: typeText, subtype: subtypeText, jwtOnlyApp: jwtOnly,
                                                         recordsSubtype: columns.has(.subtype))
        let result = (ctx.vocabulary.flow(flow), ctx.vocabulary.basis(basis))
        flowCache.set(result, loginType, subtype, app)
        return result
    }

    private func isBrowserPlaceholder(_ app: Symbol, flow: Symbol) throws -> Bool {
        if app == 0 { return false }
        if let cached = browserCache.get(app, flow) { return cached }
        let kind = Flow.allCases.first { ctx.vocabulary.flow($0) == flow } ?? .other
        let answer = FlowClassifier.isBrowserPlaceholder(application: try columns.string(.application) ?? "", flow: kind)
        browserCache.set(answer, app, flow)
        return answer
    }

    private func isJWTOnly(_ app: Symbol) throws -> Bool {
        if let cached = jwtOnlyCache.get(app) { return cached }
        let name = try columns.string(.application)
        let answer = name.map { ctx.options.policy?.declaresJWTOnly(app: $0) ?? false } ?? false
        jwtOnlyCache.set(answer, app)
        return answer
    }

    private func outcome(_ status: Symbol) throws -> (Symbol, Symbol) {
        if let cached = statusCache.get(status) { return cached }
        let (outcome, failure) = LoginStatus.outcome(try columns.string(.status) ?? "")
        let result = (ctx.vocabulary.outcome(outcome), ctx.vocabulary.failure(failure))
        statusCache.set(result, status)
        return result
    }

    /// API rows are identified by `Id`. Setup downloads have none: their identity is built
    /// from locale-independent values (minute, user, IP, flow, outcome, app), so a Japanese
    /// and an English download of the same logins collapse into one row each.
    private func key(for r: LoginRecord) -> Int64 {
        var hasher = ctx.store.dedup.hasher()
        if let id = r.historyId {
            hasher.combine(id)
            return hasher.finalize()
        }
        let event = columns.bytes(.eventIdentifier)
        if !event.isEmpty {
            hasher.combine(Int64(3))
            hasher.combine(event)
            return hasher.finalize()
        }
        for value in [r.time / 60_000, r.userId, r.username, r.sourceIp, r.flow, r.outcome, r.failureClass, r.app] {
            hasher.combine(value)
        }
        return ctx.keyWithOccurrence(time: r.time, identity: hasher.finalize())
    }
}
