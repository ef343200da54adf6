/// The values of one token-log line as the record builder asks for them. Two readers give
/// them: `SpanTokenFields` straight from the line's bytes (the fast path: no value tree, a
/// string only for a value that is kept as one), and `TreeTokenFields` from a parsed object
/// (the first line of a file, and any line the byte reader leaves to the parser). Both answer
/// as `JSONValue`'s accessors do, so a line gives the same record whichever reads it.
protocol TokenFields {
    func present(_ key: JSONKey) -> Bool
    func isNull(_ key: JSONKey) -> Bool
    /// `JSONValue.text`: a non-empty string, a number as written back, a boolean's word.
    func text(_ key: JSONKey) -> String?
    func number(_ key: JSONKey) -> Double?
    func integer(_ key: JSONKey) -> Int64?
    /// The value when it is a JSON number (not a string holding one).
    func jsonNumber(_ key: JSONKey) -> Double?
    /// `ctx.intern(value, field:)`: the text as a symbol, over-long values cut.
    func symbol(_ key: JSONKey, ctx: FileContext, field: String) throws -> Symbol
    /// `ctx.freeText(value.text, field:)`: scrubbed text as a symbol.
    func freeText(_ key: JSONKey, ctx: FileContext, field: String) throws -> Symbol
    /// The fingerprint of the text (nil when there is none).
    func fingerprint(_ key: JSONKey) -> String?
    /// The JWT claims: the `claims` object when it has members, else the raw assertion's payload.
    func claims(ctx: FileContext) throws -> ClaimValues
}

/// The claims a token request is judged by.
struct ClaimValues {
    var iss: Symbol = 0, sub: Symbol = 0, aud: Symbol = 0
    var iat: Int64?, nbf: Int64?, exp: Int64?
    var jti: String?
}

extension TokenLogFormat {
    static let keys = JSONKeyTable(Array(knownKeys).sorted() + ["data"])
    static let claimKeys = JSONKeyTable(["iss", "sub", "aud", "iat", "nbf", "exp", "jti"])
    enum Key {
        static let timeKeys = TokenLogFormat.timeKeys.map { keys.key($0) }
        static let host = keys.key("host"), hostname = keys.key("hostname"), integration = keys.key("integration")
        static let app = keys.key("app"), service = keys.key("service"), provider = keys.key("provider")
        static let tokenUrl = keys.key("token_url"), url = keys.key("url"), grantType = keys.key("grant_type")
        static let clientId = keys.key("client_id"), claims = keys.key("claims"), assertion = keys.key("assertion")
        static let httpStatus = keys.key("http_status"), status = keys.key("status"), error = keys.key("error")
        static let errorDescription = keys.key("error_description"), errorCode = keys.key("errorCode")
        static let errorSummary = keys.key("errorSummary"), errorId = keys.key("errorId"), errorLink = keys.key("errorLink")
        static let authScheme = keys.key("auth_scheme"), serverDate = keys.key("server_date"), issuedAt = keys.key("issued_at")
        static let instanceUrl = keys.key("instance_url"), id = keys.key("id"), sourceIp = keys.key("source_ip")
        static let durationMs = keys.key("duration_ms"), accessToken = keys.key("access_token")
        static let clientSecret = keys.key("client_secret"), authorization = keys.key("authorization"), data = keys.key("data")
        static let iss = claimKeys.key("iss"), sub = claimKeys.key("sub"), aud = claimKeys.key("aud"), iat = claimKeys.key("iat")
        static let nbf = claimKeys.key("nbf"), exp = claimKeys.key("exp"), jti = claimKeys.key("jti")
    }
}

// MARK: - From a parsed object

struct TreeTokenFields: TokenFields {
    let object: [String: JSONValue]

    func present(_ key: JSONKey) -> Bool { object[key.name] != nil }
    func isNull(_ key: JSONKey) -> Bool { if case .null = object[key.name] { return true }; return false }
    func text(_ key: JSONKey) -> String? { object[key.name]?.text }
    func number(_ key: JSONKey) -> Double? { object[key.name]?.number }
    func integer(_ key: JSONKey) -> Int64? { object[key.name]?.integer }
    func jsonNumber(_ key: JSONKey) -> Double? { if case .number(let n) = object[key.name] { return n }; return nil }
    func symbol(_ key: JSONKey, ctx: FileContext, field: String) throws -> Symbol { try ctx.intern(object[key.name], field: field) }
    func freeText(_ key: JSONKey, ctx: FileContext, field: String) throws -> Symbol { try ctx.freeText(text(key), field: field) }
    func fingerprint(_ key: JSONKey) -> String? { text(key).map(Fingerprint.of) }

    func claims(ctx: FileContext) throws -> ClaimValues {
        var claims = object[TokenLogFormat.Key.claims.name]?.object ?? [:]
        if claims.isEmpty, let assertion = text(TokenLogFormat.Key.assertion), let decoded = JWT.claims(of: assertion) { claims = decoded }
        return try Self.values(claims, ctx: ctx)
    }

    static func values(_ claims: [String: JSONValue], ctx: FileContext) throws -> ClaimValues {
        var c = ClaimValues()
        c.iss = try ctx.intern(claims["iss"], field: "iss")
        c.sub = try ctx.intern(claims["sub"], field: "sub")
        c.aud = try ctx.intern(claims["aud"]?.array?.first ?? claims["aud"], field: "aud")
        c.iat = claims["iat"]?.integer
        c.nbf = claims["nbf"]?.integer
        c.exp = claims["exp"]?.integer
        c.jti = claims["jti"]?.text
        return c
    }


}

// MARK: - From the line's bytes

struct SpanTokenFields: TokenFields {
    let bytes: UnsafeRawBufferPointer
    let members: JSONMembers
    /// For the claims of a raw assertion (decoded payload).
    let claimMembers: JSONMembers

    func present(_ key: JSONKey) -> Bool { members[key] != nil }
    func isNull(_ key: JSONKey) -> Bool { members[key]?.kind == .null }
    func text(_ key: JSONKey) -> String? { members[key].flatMap { Self.text($0, bytes) } }
    func number(_ key: JSONKey) -> Double? { members[key]?.number(bytes) }
    func integer(_ key: JSONKey) -> Int64? { members[key]?.integer(bytes) }
    func jsonNumber(_ key: JSONKey) -> Double? {
        guard let span = members[key], span.kind == .number else { return nil }
        return JSONSpanReader.double(bytes, span)
    }

    static func text(_ span: JSONSpan, _ bytes: UnsafeRawBufferPointer) -> String? {
        span.withText(bytes) { text in text.flatMap { $0.isEmpty ? nil : String(decoding: $0, as: UTF8.self) } }
    }

    func symbol(_ key: JSONKey, ctx: FileContext, field: String) throws -> Symbol {
        try ctx.intern(members[key], in: bytes, field: field)
    }

    func freeText(_ key: JSONKey, ctx: FileContext, field: String) throws -> Symbol {
        try ctx.freeText(members[key], in: bytes, field: field)
    }

    func fingerprint(_ key: JSONKey) -> String? {
        members[key]?.withText(bytes) { text in text.flatMap { $0.isEmpty ? nil : Fingerprint.of($0) } }
    }

    func claims(ctx: FileContext) throws -> ClaimValues {
        if let span = members[TokenLogFormat.Key.claims], span.kind == .object,
           let values = try claims(of: UnsafeRawBufferPointer(rebasing: bytes[span.start..<span.end]), ctx: ctx, emptyIsNone: true) {
            return values
        }
        guard let span = members[TokenLogFormat.Key.assertion] else { return ClaimValues() }
        return try span.withText(bytes) { assertion -> ClaimValues in
            guard let assertion, !assertion.isEmpty, let payload = JWT.payload(of: assertion) else { return ClaimValues() }
            return try payload.withUnsafeBytes { payload -> ClaimValues? in
                // Bytes that are not UTF-8 become U+FFFD in the parser's strings: leave those to it.
                if !JSONSpanReader.isUTF8(payload) {
                    guard let parsed = (try? JSONParser.parse(payload))?.object else { return nil }
                    return try TreeTokenFields.values(parsed, ctx: ctx)
                }
                return try claims(of: payload, ctx: ctx, emptyIsNone: false)
            } ?? ClaimValues()
        }
    }

    /// The claims of one JSON object's bytes; nil when it has no members and `emptyIsNone`
    /// (then the assertion is read instead) or when it is no JSON object.
    private func claims(of object: UnsafeRawBufferPointer, ctx: FileContext, emptyIsNone: Bool) throws -> ClaimValues? {
        let m = claimMembers
        guard m.read(object) else {
            // What the byte reader leaves (a key given twice, an escaped key): the parser decides.
            guard let parsed = (try? JSONParser.parse(object))?.object else { return nil }
            if parsed.isEmpty && emptyIsNone { return nil }
            return try TreeTokenFields.values(parsed, ctx: ctx)
        }
        if emptyIsNone && m.isEmpty { return nil }
        typealias K = TokenLogFormat.Key
        var c = ClaimValues()
        c.iss = try ctx.intern(m[K.iss], in: object, field: "iss")
        c.sub = try ctx.intern(m[K.sub], in: object, field: "sub")
        var aud = m[K.aud]
        if let span = aud, span.kind == .array { aud = span.elements(object).first }
        c.aud = try ctx.intern(aud, in: object, field: "aud")
        c.iat = m[K.iat]?.integer(object)
        c.nbf = m[K.nbf]?.integer(object)
        c.exp = m[K.exp]?.integer(object)
        c.jti = m[K.jti].flatMap { Self.text($0, object) }
        return c
    }

    /// Unknown keys (and `errorLink`) for `extra`; nil when a nested object repeats a key
    /// (the caller leaves the line to the parser).
    func extra() -> String?? {
        TokenLogExtra.extra(bytes, unknown: members.unknown, errorLink: members[TokenLogFormat.Key.errorLink])
    }
}
