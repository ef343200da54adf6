/// The integration's own token-request log, JSON lines (schema in DESIGN.md / README).
/// Only a time is required. Raw assertions, tokens, secrets and Authorization values are
/// reduced to fingerprints before anything is stored; unknown keys are kept, redacted.
enum TokenLogFormat {
    static let timeKeys = ["ts", "time", "timestamp", "@timestamp", "request_time"]
    static let markerKeys: Set<String> = ["grant_type", "token_url", "http_status", "assertion", "client_id",
                                          "claims", "integration", "provider", "error_description", "errorCode"]
    static let knownKeys: Set<String> = Set(timeKeys).union([
        "host", "hostname", "integration", "app", "service", "provider", "token_url", "url", "grant_type",
        "client_id", "claims", "assertion", "http_status", "status", "error", "error_description",
        "errorCode", "errorSummary", "errorId", "errorLink", "auth_scheme", "server_date", "issued_at",
        "instance_url", "id", "source_ip", "duration_ms", "access_token", "client_secret", "authorization",
    ])

    static func recognizes(_ object: [String: JSONValue]) -> Bool {
        timeKeys.contains { object[$0] != nil } && object.keys.contains { markerKeys.contains($0) }
    }
}

final class TokenLogIngester {
    private let ctx: FileContext

    init(ctx: FileContext) { self.ctx = ctx }

    func ingest(_ object: [String: JSONValue], line: Int, raw: UnsafeRawBufferPointer) throws {
        let fields = TreeTokenFields(object: object)
        try ingest(fields, extra: TokenLogExtra.extra(object), line: line, raw: raw)
    }

    private lazy var members = JSONMembers(TokenLogFormat.keys)
    private lazy var claimMembers = JSONMembers(TokenLogFormat.claimKeys)

    /// One line read straight from its bytes. False when the line is not for this reader (not a
    /// plain object of plain keys, not UTF-8, a key given twice, a hook delivery): the caller
    /// then parses it, and the parser's reading is the reference for those.
    func ingestFast(line: Int, raw: UnsafeRawBufferPointer) throws -> Bool {
        if raw.contains(where: { $0 >= 0x80 }) && String(validating: raw, as: UTF8.self) == nil { return false }
        guard members.read(raw), members[TokenLogFormat.Key.data] == nil else { return false }
        let fields = SpanTokenFields(bytes: raw, members: members, claimMembers: claimMembers)
        guard let extra = fields.extra() else { return false }
        try ingest(fields, extra: extra, line: line, raw: raw)
        return true
    }

    private func ingest<F: TokenFields>(_ fields: F, extra: String?, line: Int, raw: UnsafeRawBufferPointer) throws {
        try ctx.rejectingRow(line: line, raw: raw) {
            var r = try record(fields, line: line)
            r.extra = extra
            var hasher = ctx.store.dedup.hasher()
            hasher.combine(raw)
            r.key = ctx.keyWithOccurrence(time: r.time, identity: hasher.finalize())
            try ctx.add(r)
        }
    }

    func record<F: TokenFields>(_ o: F, line: Int) throws -> TokenRequestRecord {
        typealias K = TokenLogFormat.Key
        let v = ctx.vocabulary
        var r = TokenRequestRecord()
        r.line = line
        guard let timeKey = K.timeKeys.first(where: { o.present($0) }) else {
            throw RowReject("missing request time (expected \"ts\" as ISO 8601 or epoch seconds/milliseconds)")
        }
        let time = try parseTime(o, timeKey, name: "ts")
        r.time = time.epochMs
        r.precisionMs = time.precisionMs
        r.host = try o.symbol(o.present(K.host) ? K.host : K.hostname, ctx: ctx, field: "host")
        r.integration = try o.symbol(o.present(K.integration) ? K.integration : o.present(K.app) ? K.app : K.service, ctx: ctx, field: "integration")
        let tokenUrl = o.text(o.present(K.tokenUrl) ? K.tokenUrl : K.url)
        r.tokenUrl = try ctx.freeText(tokenUrl, field: "token_url")
        r.provider = try ctx.interner.intern(o.text(K.provider) ?? Self.provider(fromURL: tokenUrl))
        let grantType = o.text(K.grantType)
        r.grantType = try ctx.interner.intern(grantType)
        if let grantType, let flow = FlowClassifier.flow(forGrantType: grantType) { r.flow = v.flow(flow) }
        r.clientId = try o.symbol(K.clientId, ctx: ctx, field: "client_id")

        r.assertionFingerprint = o.fingerprint(K.assertion)
        let claims = try o.claims(ctx: ctx)
        r.iss = claims.iss
        r.sub = claims.sub
        r.aud = claims.aud
        r.iat = claims.iat
        r.nbf = claims.nbf
        r.exp = claims.exp
        r.jti = claims.jti
        if r.clientId == 0 { r.clientId = r.iss }

        r.httpStatus = o.present(K.httpStatus) ? o.integer(K.httpStatus) : o.integer(K.status)
        let error = o.text(K.error)
        let description = o.text(K.errorDescription)
        let errorCode = o.text(K.errorCode)
        let errorSummary = o.text(K.errorSummary)
        r.error = try ctx.freeText(error, field: "error")
        r.errorDescription = try ctx.freeText(description, field: "error_description")
        r.errorCode = try ctx.freeText(errorCode, field: "errorCode")
        r.errorSummary = try ctx.freeText(errorSummary, field: "errorSummary")
        r.errorId = o.text(K.errorId)
        let failed = error != nil || errorCode != nil || (r.httpStatus ?? 0) >= 400
        let succeeded = !failed && ((r.httpStatus.map { (200..<300).contains($0) } ?? false) || o.present(K.accessToken))
        r.outcome = v.outcome(failed ? .failure : succeeded ? .success : .unknown)
        if failed {
            let text = [error, description, errorCode, errorSummary].compactMap { $0 }.joined(separator: " ")
            r.failureClass = v.failure(failureClass(text))
        }

        var scheme = o.text(K.authScheme)
        if let authorization = o.text(K.authorization) {
            scheme = scheme ?? authorization.split(separator: " ").first.map(String.init)
            r.secretFingerprint = Fingerprint.of(authorization)
        }
        // Only the scheme word is kept: "SSWS 00ab…" must not leak the token after it.
        r.authScheme = try ctx.interner.intern(scheme?.split(separator: " ").first.map(String.init))
        if let secret = o.fingerprint(K.clientSecret) { r.secretFingerprint = secret }
        if let token = o.fingerprint(K.accessToken) { r.tokenFingerprint = token }

        // Optional: an unreadable server date costs only itself, never the request.
        if o.present(K.serverDate) {
            if let parsed = try? parseTime(o, K.serverDate, name: "server_date") { r.serverDate = parsed.epochMs }
            else if !o.isNull(K.serverDate) { ctx.noteRepair(column: "server_date", kind: .dropped) }
        }
        if let issuedAt = o.number(K.issuedAt) { r.issuedAt = TimeParser.fromEpoch(issuedAt)?.epochMs }
        r.instanceUrl = try o.freeText(K.instanceUrl, ctx: ctx, field: "instance_url")
        if let identity = o.text(K.id) {
            let parts = Self.pathParts(identity)
            if parts.count >= 2, parts[parts.count - 2].hasPrefix("00D"), parts[parts.count - 1].hasPrefix("005") {
                r.orgId = try ctx.interner.intern(SalesforceId.canonical(String(parts[parts.count - 2])))
                r.userId = try ctx.interner.intern(SalesforceId.canonical(String(parts[parts.count - 1])))
            }
        }
        r.durationMs = o.integer(K.durationMs)
        r.sourceIp = try o.symbol(K.sourceIp, ctx: ctx, field: "source_ip")
        return r
    }

    private func parseTime<F: TokenFields>(_ o: F, _ key: JSONKey, name: String) throws -> ParsedTime {
        let parsed: ParsedTime?
        let text = o.text(key)
        if let n = o.jsonNumber(key) { parsed = TimeParser.fromEpoch(n) } else { parsed = text.flatMap(TimeParser.parse) }
        guard var time = parsed else {
            throw RowReject("unparseable \(name) '\(String((text ?? "").prefix(60)))' (expected ISO 8601 or epoch seconds/milliseconds)")
        }
        if !time.hasZone {
            guard let zone = ctx.options.timezone else {
                throw RowReject("\(name) '\(text ?? "")' has no time zone; write UTC (…Z) or pass --timezone")
            }
            time.epochMs = zone.toUTC(time.epochMs)
            time.hasZone = true
        }
        return time
    }

    /// Failure texts repeat: each distinct one is classified once (bounded).
    private var failureClasses: [String: FailureClass] = [:]
    private func failureClass(_ text: String) -> FailureClass {
        if let known = failureClasses[text] { return known }
        if failureClasses.count > 4096 { failureClasses.removeAll() }
        let failure = FailureClass.classify(text)
        failureClasses[text] = failure
        return failure
    }

    /// `text.split(separator: "/")`, by bytes when the text is ASCII (the same parts, faster).
    static func pathParts(_ text: String) -> [Substring] {
        guard text.utf8.allSatisfy({ $0 < 0x80 }) else { return text.split(separator: "/") }
        return text.utf8.split(separator: UInt8(ascii: "/")).map { Substring($0) }
    }

    static func provider(fromURL url: String?) -> String? {
        guard let url = url?.lowercased() else { return nil }
        if url.contains("okta") { return "okta" }
        if url.contains("salesforce") || url.contains("force.com") { return "salesforce" }
        return nil
    }

}

/// Decodes a JWT's claims (payload) without verifying it: TokenTrail audits what was sent.
public enum JWT {
    public static func claims(of token: String) -> [String: JSONValue]? {
        var copy = token
        guard let payload = copy.withUTF8({ payload(of: UnsafeRawBufferPointer($0)) }) else { return nil }
        return payload.withUnsafeBytes { try? JSONParser.parse($0) }?.object
    }

    /// The decoded payload (the part after the first `.`, up to the next), straight from the
    /// token's bytes; nil when it is not base64url.
    static func payload(of token: UnsafeRawBufferPointer) -> [UInt8]? {
        guard let dot = token.firstIndex(of: UInt8(ascii: ".")) else { return nil }
        let rest = UnsafeRawBufferPointer(rebasing: token[(dot + 1)...])
        let end = rest.firstIndex(of: UInt8(ascii: ".")) ?? rest.count
        return base64URLDecode(UnsafeRawBufferPointer(rebasing: rest[0..<end]))
    }

    static func base64URLDecode(_ text: UnsafeRawBufferPointer) -> [UInt8]? {
        var values: [UInt8] = []
        values.reserveCapacity(text.count)
        for byte in text {
            switch byte {
            case 0x41...0x5A: values.append(byte - 0x41)
            case 0x61...0x7A: values.append(byte - 0x61 + 26)
            case 0x30...0x39: values.append(byte - 0x30 + 52)
            case UInt8(ascii: "-"), UInt8(ascii: "+"): values.append(62)
            case UInt8(ascii: "_"), UInt8(ascii: "/"): values.append(63)
            case UInt8(ascii: "="): continue
            default: return nil
            }
        }
        var out: [UInt8] = []
        var i = 0
        while i + 1 < values.count {
            let chunk = values[i..<min(i + 4, values.count)]
            let a = UInt32(chunk[chunk.startIndex]), b = UInt32(chunk[chunk.startIndex + 1])
            let c = chunk.count > 2 ? UInt32(chunk[chunk.startIndex + 2]) : 0
            let d = chunk.count > 3 ? UInt32(chunk[chunk.startIndex + 3]) : 0
            let n = a << 18 | b << 12 | c << 6 | d
            out.append(UInt8(n >> 16 & 0xff))
            if chunk.count > 2 { out.append(UInt8(n >> 8 & 0xff)) }
            if chunk.count > 3 { out.append(UInt8(n & 0xff)) }
            i += 4
        }
        return out
    }
}
