import Foundation

/// Loads a rule example's events into a database through the real store and analyzes it.
public enum ExampleLoader {
    public static func evaluate(_ rule: any Rule, _ example: RuleExample, databasePath: String) throws -> [Finding] {
        let db = try Database(path: databasePath)
        let store = try IngestStore(db: db)
        let policy = try example.policy.map { try Policy.decode(try JSONParser.parse($0), path: "example policy") }
        let run = try store.beginRun(toolVersion: Scanner.version, arguments: ["example", rule.id, example.name])
        var times: [Int64] = []
        try db.transaction {
            // Server and client events come from sources of their own kind, as real files do.
            let server = try store.beginSource(run: run, path: "example.log", format: "login_history_example", timezone: nil)
            let client = try store.beginSource(run: run, path: "example.log", format: "token_log_example", timezone: nil)
            for (index, event) in example.events.enumerated() {
                let source: Int64
                if case .token = event { source = client } else { source = server }
                times.append(try load(event, line: index + 1, source: source, store: store, policy: policy))
            }
            _ = try store.flush()
            for (id, kind) in [(server, "login"), (client, "token")] {
                let table = kind == "login" ? "logins" : "token_requests"
                _ = try db.rows("UPDATE sources SET first_time = (SELECT min(time) FROM \(table) WHERE source_id = ?), last_time = (SELECT max(time) FROM \(table) WHERE source_id = ?) WHERE id = ?",
                                [.integer(id), .integer(id), .integer(id)])
            }
        }
        let start = try example.windowStart.map(time) ?? (times.min() ?? 0)
        return try rule.evaluate(try AnalysisContext(db: db, policy: policy, windowStart: start, windowEnd: times.max() ?? 0))
    }

    static func time(_ text: String) throws -> Int64 {
        guard let parsed = TimeParser.parse(text), parsed.hasZone else { throw UsageError("example time '\(text)' must be ISO 8601 with a zone") }
        return parsed.epochMs
    }

    static func loginShape(_ flow: Flow) -> (type: String, subtype: String) {
        switch flow {
        case .jwtBearer, .oauthUnknown: return ("Remote Access 2.0", "")
        case .clientCredentials: return ("Remote Access 2.0", "OAuth Client Credentials")
        case .refreshToken: return ("Remote Access 2.0", "OAuth Refresh Token")
        case .usernamePassword: return ("Remote Access 2.0", "OAuth Username-Password")
        case .webServer: return ("Remote Access 2.0", "OAuth Web Server")
        case .userAgent: return ("Remote Access 2.0", "OAuth User-Agent")
        case .tokenExchange: return ("Remote Access 2.0", "OAuth Token Exchange")
        case .device: return ("Remote Access 2.0", "OAuth Device")
        case .ui: return ("Application", "UI Username-Password")
        case .saml: return ("SAML Sfdc Initiated SSO", "")
        case .soapApi: return ("Other Apex API", "")
        case .other: return ("Partner Product", "")
        }
    }

    static func load(_ event: ExampleEvent, line: Int, source: Int64, store: IngestStore, policy: Policy?) throws -> Int64 {
        let i = store.interner, v = store.vocabulary
        var hasher = store.dedup.hasher()
        hasher.combine(Int64(line))
        let key = hasher.finalize()
        switch event {
        case let .login(at, app, user, flow, status, ip, userId, tls, elf):
            var r = LoginRecord()
            r.time = try time(at); r.key = key; r.source = source; r.line = line
            r.origin = elf ? v.elf : v.loginHistory
            r.app = try i.intern(elf ? nil : app)
            r.username = try i.intern(user)
            r.userId = try i.intern(userId)
            let shape = loginShape(flow)
            r.loginType = try i.intern(shape.type)
            r.subtype = try i.intern(shape.subtype)
            let classified = FlowClassifier.classifyLogin(loginType: shape.type, subtype: shape.subtype,
                                                          jwtOnlyApp: app.map { policy?.declaresJWTOnly(app: $0) ?? false } ?? false,
                                                          recordsSubtype: flow != .oauthUnknown)
            r.flow = v.flow(classified.0); r.flowBasis = v.basis(classified.1)
            r.status = try i.intern(status)
            let (outcome, failure) = LoginStatus.outcome(status)
            r.outcome = v.outcome(outcome); r.failureClass = v.failure(failure)
            r.sourceIp = try i.intern(ip)
            r.tls = try i.intern(tls)
            r.loginUrl = try i.intern("login.salesforce.com")
            try store.add(r)
            return r.time
        case let .token(at, host, clientId, grant, sub, aud, iatOffset, lifetime, status, error, description, serverDate,
                        provider, errorCode, authScheme, integration):
            var r = TokenRequestRecord()
            r.time = try time(at); r.key = key; r.source = source; r.line = line
            r.host = try i.intern(host); r.integration = try i.intern(integration); r.provider = try i.intern(provider)
            r.clientId = try i.intern(clientId); r.iss = try i.intern(clientId)
            r.flow = v.flow(grant)
            r.sub = try i.intern(sub); r.aud = try i.intern(aud)
            if let iatOffset {
                r.iat = r.time / 1000 + iatOffset
                if let lifetime { r.exp = r.iat! + lifetime }
            }
            r.httpStatus = status
            r.error = try i.intern(error); r.errorDescription = try i.intern(description)
            r.errorCode = try i.intern(errorCode); r.authScheme = try i.intern(authScheme)
            let failed = status >= 400 || error != nil || errorCode != nil
            r.outcome = v.outcome(failed ? .failure : .success)
            if failed { r.failureClass = v.failure(FailureClass.classify([error, description, errorCode].compactMap { $0 }.joined(separator: " "))) }
            if let serverDate { r.serverDate = try time(serverDate) }
            try store.add(r)
            return r.time
        case let .loginAs(at, admin, user):
            var r = ApiActivityRecord()
            r.time = try time(at); r.key = key; r.source = source; r.line = line
            r.eventType = try i.intern("LoginAs")
            r.username = try i.intern(user)
            r.delegatedUser = try i.intern(admin)
            try store.add(r)
            return r.time
        case let .reject(at, text):
            try store.reject(source: source, line: line, reason: "example reject", excerpt: Redactor.excerpt(text),
                             tokenLogin: FileContext.looksLikeTokenLogin(text))
            return try time(at)
        }
    }
}
