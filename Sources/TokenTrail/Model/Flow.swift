/// How a login obtained its session. Values are a contract (DESIGN.md, the `flow` column).
public enum Flow: String, CaseIterable, Sendable {
    case clientCredentials = "client_credentials"
    case jwtBearer = "jwt_bearer"
    case refreshToken = "refresh_token"
    case usernamePassword = "username_password"
    case webServer = "web_server"
    case userAgent = "user_agent"
    case tokenExchange = "token_exchange"
    case device
    /// A token-endpoint login in an export that does not record the subtype at all: the
    /// flow is not known (never assumed JWT bearer: a missing column is not a blank value).
    case oauthUnknown = "oauth_unknown"
    case saml
    case ui
    case soapApi = "soap_api"
    case other
    /// An export that cannot tell a token login from any other (an ELF Login file with neither
    /// `LOGIN_TYPE` nor `URI`): basis `not_exported`; no rule judges it as a token login.
    case unknown

    /// Flows through the OAuth token endpoint: the ones a connected app's policy speaks of.
    public var isOAuth: Bool {
        switch self {
        case .clientCredentials, .jwtBearer, .refreshToken, .usernamePassword, .webServer, .userAgent, .tokenExchange, .device,
             .oauthUnknown: return true
        case .saml, .ui, .soapApi, .other, .unknown: return false
        }
    }
}

/// How sure a flow classification is (the `flow_basis` column).
public enum FlowBasis: String, CaseIterable, Sendable {
    /// The server recorded the flow (Login Subtype).
    case subtype
    /// The login type alone settles it (UI, SAML, SOAP): not an OAuth token-endpoint login.
    case loginType = "login_type"
    /// The client's own token request says which grant it used (`grant_type`).
    case clientLog = "client_log"
    /// Empty subtype on an OAuth login of an app the policy declares JWT-only.
    case policy
    /// Empty subtype on an OAuth login: JWT bearer, or an org that does not record the flow.
    case inferred
    /// The export has no subtype column (older ELF, a narrow Login History query): flow `oauth_unknown`.
    case notExported = "not_exported"
    /// A token-endpoint login whose subtype is a label TokenTrail does not know (a new
    /// Salesforce label, a UI language not in the tables): flow `oauth_unknown`, never `other`.
    case unknownSubtype = "unknown_subtype"
}

/// Maps server-side login type / subtype and client-side grant types onto flows.
/// Keys are compared after `FlowClassifier.normalize` (any case, spaces, `-`, `_` ignored),
/// so API values (`OauthClientCredentials`), English labels (`OAuth Client Credentials`)
/// and Japanese labels all land in one table.
public enum FlowClassifier {
    public enum LoginKind: Sendable { case oauth, ui, saml, soap, other }

    public static func normalize(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case " ", "-", "_", "(", ")", "\u{3000}", "\t": continue
            default:
                if scalar.isASCII { out.unicodeScalars.append(Unicode.Scalar(UInt8(ascii: scalar).lowercasedASCII)) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    static let subtypes: [String: Flow] = [
        "oauthclientcredentials": .clientCredentials,
        "oauthクライアントログイン情報": .clientCredentials, // documented Japanese label
        "oauthクライアント資格情報": .clientCredentials,      // likely variant (inferred)
        "oauthrefreshtoken": .refreshToken, "oauthhybridrefreshtoken": .refreshToken,
        "oauthusernamepassword": .usernamePassword,
        "oauthwebserver": .webServer, "oauthhybridwebserver": .webServer,
        "oauthuseragent": .userAgent, "oauthuseragentidtoken": .userAgent,
        "oauthuseragentwithidtoken": .userAgent, "oauthhybriduseragent": .userAgent,
        "oauthtokenexchange": .tokenExchange, "oauthhybridtokenexchange": .tokenExchange,
        "oauthdevice": .device, "oauthdeviceflow": .device,
        "oauthotplogin": .other,
        "usernamepassworduilogin": .ui, "uiusernamepasswordlogin": .ui, "uiusernamepassword": .ui, "uipasswordreset": .ui,
        "internalsalesforceauthentication": .other,
    ]

    /// ELF `LOGIN_TYPE` codes and the labels Login History shows for them (FORMATS.md §1):
    /// ELF rows store the label, so both sources read alike.
    public static let loginTypeLabelOfCode: [String: String] = [
        "i": "Remote Access 2.0", "A": "Application", "6": "Remote Access Client", "I": "Other Apex API",
        "5": "SAML Idp Initiated SSO", "8": "SAML Sfdc Initiated SSO", "j": "Third Party SSO", "R": "Partner Product",
        "7": "AppExchange", "s": "Certificate-based login", "z": "Lightning Login", "w": "Passwordless Login",
        "x": "Cross Tenant Login", "r": "Employee Login to Community",
    ]

    /// ELF single-letter codes are case-sensitive (`i` OAuth, `I` SOAP), so they come first.
    static let loginTypeCodes: [String: LoginKind] = [
        "i": .oauth, "A": .ui, "I": .soap, "5": .saml, "8": .saml,
    ]

    static let loginTypeLabels: [String: LoginKind] = [
        "remoteaccess2.0": .oauth, "リモートアクセス2.0": .oauth,
        "application": .ui, "アプリケーション": .ui,
        "otherapexapi": .soap, "その他のapexapi": .soap,
        "samlidpinitiatedsso": .saml, "samlsfdcinitiatedsso": .saml,
    ]

    /// What an ELF `URI` says about a login when the file has no login type: the token
    /// endpoint, a UI page or a SOAP `login()`.
    public static func loginKind(uri: String) -> LoginKind? {
        let path = uri.lowercased()
        if path.isEmpty { return nil }
        if path.hasPrefix("/services/oauth2/token") { return .oauth }
        if path.hasPrefix("/services/soap/") { return .soap }
        if path.hasPrefix("/saml/") || path.contains("/saml") { return .saml }
        if path == "/" || path.hasPrefix("/index.jsp") || path.hasPrefix("/secur/") || path.hasPrefix("/login") { return .ui }
        return .other
    }

    public static func loginKind(_ loginType: String) -> LoginKind? {
        if loginType.isEmpty { return nil }
        if let kind = loginTypeCodes[loginType] { return kind }
        if let kind = loginTypeLabels[normalize(loginType)] { return kind }
        return .other
    }

    /// The subtype is a label of the tables (or a SOAP label), not a guess.
    static func isKnownSubtype(_ subtype: String) -> Bool {
        let key = normalize(subtype)
        return subtypes[key] != nil || key.hasPrefix("soap")
    }

    public static func flow(forSubtype subtype: String) -> Flow? {
        let key = normalize(subtype)
        if key.isEmpty { return nil }   // blank, or white space only: no subtype
        if let flow = subtypes[key] { return flow }
        if key.hasPrefix("soapapilogin") || key.hasPrefix("soap") { return .soapApi }
        return .other
    }

    /// Classifies a server-side login. `jwtOnlyApp`: the policy declares this app JWT-only.
    /// `recordsSubtype`: the export has a subtype column (older ELF files and narrow Login
    /// History queries do not). `uri`: the ELF `URI`, which tells the kind when the login
    /// type is missing.
    public static func classifyLogin(loginType: String, subtype: String, jwtOnlyApp: Bool,
                                     recordsSubtype: Bool = true, uri: String = "") -> (Flow, FlowBasis) {
        let kind = loginKind(loginType) ?? loginKind(uri: uri)
        if let flow = flow(forSubtype: subtype) {
            // A label not in the tables on a token-endpoint login: a token login of unknown
            // flow (the integration rules judge it), not `other` (which they would not).
            if kind == .oauth, !isKnownSubtype(subtype) { return (.oauthUnknown, .unknownSubtype) }
            return (flow, .subtype)
        }
        switch kind {
        case .oauth?:
            if !recordsSubtype { return (.oauthUnknown, .notExported) }
            return (.jwtBearer, jwtOnlyApp ? .policy : .inferred)
        case .ui?: return (.ui, .loginType)
        case .saml?: return (.saml, .loginType)
        case .soap?: return (.soapApi, .loginType)
        case .other?, nil: return (.other, .loginType)
        }
    }

    /// UI and SSO logins show `Application` = `Browser`: that is no connected app.
    public static func isBrowserPlaceholder(application: String, flow: Flow) -> Bool {
        guard !flow.isOAuth else { return false }
        let name = application.lowercased()
        return name == "browser" || name == "ブラウザ"
    }

    public static func flow(forGrantType grantType: String) -> Flow? {
        switch grantType.lowercased() {
        case "": return nil
        case "urn:ietf:params:oauth:grant-type:jwt-bearer", "jwt-bearer", "jwt_bearer": return .jwtBearer
        case "client_credentials": return .clientCredentials
        case "refresh_token": return .refreshToken
        case "password": return .usernamePassword
        case "authorization_code": return .webServer
        case "implicit": return .userAgent
        case "urn:ietf:params:oauth:grant-type:token-exchange": return .tokenExchange
        case "urn:ietf:params:oauth:grant-type:device_code", "device_code": return .device
        case "urn:ietf:params:oauth:grant-type:saml2-bearer": return .saml
        default: return .other
        }
    }
}

extension UInt8 {
    var lowercasedASCII: UInt8 { (self >= 0x41 && self <= 0x5A) ? self + 0x20 : self }
}
