import Foundation

/// Runs a rule example the way a user's files run: its events are written as the files they
/// stand for (a Login History export, an Event Monitoring Login or LoginAs file, a client
/// token log) and scanned by the real normalizers into a fresh database, then the rule is
/// evaluated. An example therefore exercises parsing, classification and storage too.
public enum ExampleLoader {
    public struct ExampleError: Error, CustomStringConvertible {
        public let description: String
    }

    public static func evaluate(_ rule: any Rule, _ example: RuleExample, databasePath: String) throws -> [Finding] {
        let policy = try example.policy.map { try Policy.decode(try JSONParser.parse($0), path: "example policy") }
        let directory = databasePath + ".files"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var files = ExampleFiles()
        for event in example.events { try files.add(event) }
        for (name, text) in files.rendered() {
            guard FileManager.default.createFile(atPath: directory + "/" + name, contents: Data(text.utf8)) else {
                throw ExampleError(description: "\(directory)/\(name): cannot write the example file")
            }
        }
        var request = ScanRequest(inputs: [directory])
        request.databasePath = databasePath
        request.arguments = ["example", rule.id, example.name]
        let plan = try Scanner.prepare(request, policy: policy)
        let db = try Scanner.open(request)
        let scan = try Scanner.ingest(request, plan, into: db)
        if let failed = scan.failed.first, case .failed(let message) = failed.status {
            throw ExampleError(description: "example '\(example.name)' of \(rule.id): \(message)")
        }
        let start = try example.windowStart.map(time) ?? (files.times.min() ?? 0)
        // The indicator list is read from a file like scan --iocs reads one (outside the scanned folder).
        var indicators: [Indicator] = []
        if let iocs = example.iocs {
            let path = databasePath + ".iocs.txt"
            guard FileManager.default.createFile(atPath: path, contents: Data(iocs.utf8)) else { throw ExampleError(description: "\(path): cannot write the example's indicators") }
            indicators = try IOCFile.read(path).indicators
        }
        let context = try AnalysisContext(db: db, policy: policy, windowStart: start, windowEnd: files.times.max() ?? 0, indicators: indicators)
        var findings = try rule.evaluate(context)
        try context.facts.resolveEvidence(&findings)
        return findings
    }

    static func time(_ text: String) throws -> Int64 {
        guard let parsed = TimeParser.parse(text), parsed.hasZone else { throw ExampleError(description: "example time '\(text)' must be ISO 8601 with a zone") }
        return parsed.epochMs
    }
}

/// An example's events as the lines of the files a user would have.
struct ExampleFiles {
    private(set) var times: [Int64] = []
    private var loginHistory: [[String]] = [], loginHistoryNoSubtype: [[String]] = [], rejects: [String] = []
    private var elfLogins: [[String]] = [], loginAs: [[String]] = [], tokenLines: [String] = []
    private var activity: [String: [[String]]] = [:], oktaLines: [String] = []

    static let loginHistoryHeader = ["UserId", "Username", "LoginTime", "LoginType", "LoginSubType", "SourceIp", "LoginUrl", "TlsProtocol", "Status",
                                     "Application", "Browser"]
    static let elfLoginHeader = ["EVENT_TYPE", "TIMESTAMP_DERIVED", "REQUEST_ID", "ORGANIZATION_ID", "USER_ID", "USER_NAME", "LOGIN_TYPE",
                                 "LOGIN_SUB_TYPE", "LOGIN_STATUS", "SOURCE_IP", "TLS_PROTOCOL", "URI", "LOGIN_KEY", "BROWSER_TYPE"]
    /// API-activity files, one per event type: the columns every type has, then the type's own.
    static let activityHeader = ["EVENT_TYPE", "TIMESTAMP_DERIVED", "REQUEST_ID", "ORGANIZATION_ID", "USER_NAME", "LOGIN_KEY", "CLIENT_IP",
                                 "CONNECTED_APP_NAME", "CONNECTED_APP_ID", "URI", "ENTITY_NAME", "ROWS_PROCESSED", "USER_AGENT", "CLIENT_NAME"]
    static let bulkColumns = ["JOB_ID", "JOB_STATUS", "OPERATION_TYPE"]
    static let loginAsHeader = ["EVENT_TYPE", "TIMESTAMP_DERIVED", "REQUEST_ID", "ORGANIZATION_ID", "USER_NAME", "DELEGATED_USER_NAME"]

    /// How an export spells a flow: Login History's login type and subtype.
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
        case .unknown: return ("", "")
        }
    }

    /// How a client log spells a flow: the request's `grant_type`.
    static func grantType(_ flow: Flow) -> String {
        switch flow {
        case .jwtBearer: return "urn:ietf:params:oauth:grant-type:jwt-bearer"
        case .clientCredentials: return "client_credentials"
        case .refreshToken: return "refresh_token"
        case .usernamePassword: return "password"
        case .webServer: return "authorization_code"
        case .userAgent: return "implicit"
        case .tokenExchange: return "urn:ietf:params:oauth:grant-type:token-exchange"
        case .device: return "urn:ietf:params:oauth:grant-type:device_code"
        case .saml: return "urn:ietf:params:oauth:grant-type:saml2-bearer"
        case .oauthUnknown, .ui, .soapApi, .other, .unknown: return "other"
        }
    }

    mutating func add(_ event: ExampleEvent) throws {
        switch event {
        case let .login(at, app, user, flow, status, ip, userId, tls, elf, loginKey, browser):
            times.append(try ExampleLoader.time(at))
            let shape = Self.loginShape(flow)
            if elf {
                let code = FlowClassifier.loginTypeLabelOfCode.first { $0.value == shape.type }?.key ?? shape.type
                elfLogins.append(["Login", at, "4Zt\(elfLogins.count)Example", "00D5g000004Acme", userId ?? "", user, code, shape.subtype,
                                  status == "Success" ? "LOGIN_NO_ERROR" : status, ip, tls.replacingOccurrences(of: "TLS ", with: "TLSv"),
                                  flow.isOAuth ? "/services/oauth2/token" : "/", loginKey ?? "", browser])
            } else {
                // A flow the export did not record: a narrow export without the subtype column.
                if flow == .oauthUnknown {
                    loginHistoryNoSubtype.append([userId ?? "", user, at, shape.type, ip, "login.salesforce.com", tls, status, app ?? "", browser])
                } else {
                    loginHistory.append([userId ?? "", user, at, shape.type, shape.subtype, ip, "login.salesforce.com", tls, status, app ?? "", browser])
                }
            }
        case let .token(at, host, clientId, grant, sub, aud, iatOffset, lifetime, status, error, description, serverDate,
                        provider, errorCode, authScheme, integration, userId):
            let time = try ExampleLoader.time(at)
            times.append(time)
            var claims: [String: JSONValue] = ["iss": .string(clientId)]
            if let sub { claims["sub"] = .string(sub) }
            if let aud { claims["aud"] = .string(aud) }
            if let iatOffset {
                claims["iat"] = .number(Double(time / 1000 + iatOffset))
                if let lifetime { claims["exp"] = .number(Double(time / 1000 + iatOffset + lifetime)) }
            }
            var line: [String: JSONValue] = ["ts": .string(at), "host": .string(host), "integration": .string(integration),
                                             "provider": .string(provider), "grant_type": .string(Self.grantType(grant)),
                                             "client_id": .string(clientId), "claims": .object(claims), "http_status": .number(Double(status))]
            for (key, value) in [("error", error), ("error_description", description), ("errorCode", errorCode),
                                 ("auth_scheme", authScheme), ("server_date", serverDate)] {
                if let value { line[key] = .string(value) }
            }
            if let userId { line["id"] = .string("https://login.salesforce.com/id/00D5g000004AcmeEAA/" + userId) }
            tokenLines.append(JSONValue.object(line).serialized)
        case let .loginAs(at, admin, user):
            times.append(try ExampleLoader.time(at))
            loginAs.append(["LoginAs", at, "4ZtS\(loginAs.count)Example", "00D5g000004Acme", user, admin])
        case let .reject(at, text):
            times.append(try ExampleLoader.time(at))
            rejects.append(text)
        case let .api(at, type, user, loginKey, ip, app, appId, uri, entity, rows, agent, client, job, state, operation):
            times.append(try ExampleLoader.time(at))
            var row = [type, at, "4ZtX\(activity.values.map(\.count).reduce(0, +))Example", "00D5g000004Acme", user, loginKey ?? "", ip,
                       app ?? "", appId ?? "", uri, entity ?? "", rows.map(String.init) ?? "", agent ?? "", client ?? ""]
            if type.hasPrefix("BulkApi") { row += [job ?? "", state ?? "", operation ?? ""] }
            activity[type, default: []].append(row)
        case let .okta(at, event, user, ip, agent, session, dtHash, token, client, result, rootSession, rootToken, action):
            times.append(try ExampleLoader.time(at))
            var line: [String: JSONValue] = ["uuid": .string("example-\(oktaLines.count)"), "published": .string(at), "eventType": .string(event),
                                             "actor": .object(["id": .string("00u" + user), "type": .string("User"), "alternateId": .string(user)]),
                                             "outcome": .object(["result": .string(result)])]
            var clientObject: [String: JSONValue] = ["ipAddress": .string(ip), "userAgent": .object(["rawUserAgent": .string(agent)])]
            if let client { clientObject["id"] = .string(client) }
            line["client"] = .object(clientObject)
            var authentication: [String: JSONValue] = [:], debugData: [String: JSONValue] = [:], detail: [String: JSONValue] = [:]
            if let session { authentication["externalSessionId"] = .string(session) }
            if let rootSession { authentication["rootSessionId"] = .string(rootSession) }
            if let dtHash { debugData["dtHash"] = .string(dtHash) }
            if let action { debugData["Action"] = .string(action) }
            if let token { detail["requestApiTokenId"] = .string(token) }
            if let rootToken { detail["rootApiTokenId"] = .string(rootToken) }
            if !authentication.isEmpty { line["authenticationContext"] = .object(authentication) }
            if !debugData.isEmpty { line["debugContext"] = .object(["debugData": .object(debugData)]) }
            if !detail.isEmpty { line["transaction"] = .object(["type": .string("WEB"), "detail": .object(detail)]) }
            oktaLines.append(JSONValue.object(line).serialized)
        }
    }

    /// (file name, content) of each file the events need. A reject is a raw line at the end
    /// of the Login History export, where a cut download leaves one.
    func rendered() -> [(String, String)] {
        func csv(_ rows: [[String]]) -> String {
            rows.map { $0.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
        }
        var files: [(String, String)] = []
        if !loginHistory.isEmpty || !rejects.isEmpty {
            files.append(("LoginHistory.csv", csv([Self.loginHistoryHeader] + loginHistory) + rejects.map { $0 + "\r\n" }.joined()))
        }
        if !loginHistoryNoSubtype.isEmpty {
            files.append(("LoginHistory_no_subtype.csv", csv([Self.loginHistoryHeader.filter { $0 != "LoginSubType" }] + loginHistoryNoSubtype)))
        }
        if !elfLogins.isEmpty { files.append(("ELF_Login.csv", csv([Self.elfLoginHeader] + elfLogins))) }
        if !loginAs.isEmpty { files.append(("ELF_LoginAs.csv", csv([Self.loginAsHeader] + loginAs))) }
        if !tokenLines.isEmpty { files.append(("token-requests.jsonl", tokenLines.map { $0 + "\n" }.joined())) }
        for (type, rows) in activity.sorted(by: { $0.key < $1.key }) {
            files.append(("ELF_\(type).csv", csv([Self.activityHeader + (type.hasPrefix("BulkApi") ? Self.bulkColumns : [])] + rows)))
        }
        if !oktaLines.isEmpty { files.append(("okta-system-log.jsonl", oktaLines.map { $0 + "\n" }.joined())) }
        return files
    }
}
