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
        guard JSONSpanReader.isUTF8(raw) else { return false }
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

        let statusKey = o.present(K.httpStatus) ? K.httpStatus : K.status
        r.httpStatus = o.integer(statusKey)
        // A status that is no number (`"200x"`) is not silently empty: the value is dropped and
        // the row listed as repaired; the request's outcome is then unknown, not a failure.
        if r.httpStatus == nil, o.present(statusKey), !o.isNull(statusKey) {
            if let text = o.text(statusKey), let n = Int64(text.trimmingCharacters(in: .whitespaces)), (100...599).contains(n) {
                r.httpStatus = n
            } else {
                ctx.noteRepair(column: statusKey.name, kind: .dropped)
            }
        }
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
            if let (org, user) = Self.lastTwoPathParts(identity), org.hasPrefix("00D"), user.hasPrefix("005") {
                r.orgId = try ctx.interner.intern(SalesforceId.canonical(String(org)))
                r.userId = try ctx.interner.intern(SalesforceId.canonical(String(user)))
            }
        }
        r.durationMs = o.integer(K.durationMs)
        r.sourceIp = try ctx.interner.intern(ctx.address(o.text(K.sourceIp), field: "source_ip"))
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

    /// The last two non-empty parts of `text.split(separator: "/")` (the identity URL's org
    /// and user ids), found from the end by bytes when the text is ASCII.
    static func lastTwoPathParts(_ text: String) -> (Substring, Substring)? {
        guard text.utf8.allSatisfy({ $0 < 0x80 }) else {
            let parts = text.split(separator: "/")
            return parts.count >= 2 ? (parts[parts.count - 2], parts[parts.count - 1]) : nil
        }
        var copy = text
        let ranges = copy.withUTF8 { bytes -> [Range<Int>]? in
            var end = bytes.count
            var found: [Range<Int>] = []
            while found.count < 2 {
                while end > 0, bytes[end - 1] == UInt8(ascii: "/") { end -= 1 }
                guard end > 0 else { return nil }
                var start = end
                while start > 0, bytes[start - 1] != UInt8(ascii: "/") { start -= 1 }
                found.append(start..<end)
                end = start
            }
            return found
        }
        guard let ranges else { return nil }
        let utf8 = text.utf8
        func part(_ r: Range<Int>) -> Substring {
            Substring(utf8[utf8.index(utf8.startIndex, offsetBy: r.lowerBound)..<utf8.index(utf8.startIndex, offsetBy: r.upperBound)])
        }
        return (part(ranges[1]), part(ranges[0]))
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

    /// Base64url (or base64) without padding checks, in one pass; nil at a byte outside
    /// both alphabets. A last lone character is ignored, as it carries no whole byte.
    static func base64URLDecode(_ text: UnsafeRawBufferPointer) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.count * 3 / 4 + 3)
        var accumulator: UInt32 = 0, count = 0
        for byte in text {
            let value = base64Values[Int(byte)]
            if value == 0xFF { return nil }
            if value == 0xFE { continue }   // "="
            accumulator = accumulator << 6 | UInt32(value)
            count += 1
            if count == 4 {
                out.append(UInt8(accumulator >> 16 & 0xff)); out.append(UInt8(accumulator >> 8 & 0xff)); out.append(UInt8(accumulator & 0xff))
                accumulator = 0
                count = 0
            }
        }
        if count == 2 { out.append(UInt8(accumulator >> 4 & 0xff)) }
        if count == 3 { out.append(UInt8(accumulator >> 10 & 0xff)); out.append(UInt8(accumulator >> 2 & 0xff)) }
        return out
    }

    /// Each byte's 6-bit value; 0xFE for `=` (skipped), 0xFF for a byte of neither alphabet.
    private static let base64Values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8.enumerated() { table[Int(c)] = UInt8(i) }
        table[Int(UInt8(ascii: "-"))] = 62; table[Int(UInt8(ascii: "+"))] = 62
        table[Int(UInt8(ascii: "_"))] = 63; table[Int(UInt8(ascii: "/"))] = 63
        table[Int(UInt8(ascii: "="))] = 0xFE
        return table
    }()
}
