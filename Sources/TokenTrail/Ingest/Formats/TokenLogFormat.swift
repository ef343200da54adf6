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
        try ctx.rejectingRow(line: line, raw: raw) {
            var r = try record(object, line: line)
            var hasher = ctx.store.dedup.hasher()
            hasher.combine(raw)
            r.key = ctx.keyWithOccurrence(time: r.time, identity: hasher.finalize())
            try ctx.add(r)
        }
    }

    private func intern(_ value: JSONValue?, _ field: String = "value") throws -> Symbol { try ctx.intern(value, field: field) }

    func record(_ o: [String: JSONValue], line: Int) throws -> TokenRequestRecord {
        let v = ctx.vocabulary
        var r = TokenRequestRecord()
        r.line = line
        guard let timeValue = TokenLogFormat.timeKeys.lazy.compactMap({ o[$0] }).first else {
            throw RowReject("missing request time (expected \"ts\" as ISO 8601 or epoch seconds/milliseconds)")
        }
        let time = try parseTime(timeValue, name: "ts")
        r.time = time.epochMs
        r.precisionMs = time.precisionMs
        r.host = try intern(o["host"] ?? o["hostname"], "host")
        r.integration = try intern(o["integration"] ?? o["app"] ?? o["service"], "integration")
        let tokenUrl = (o["token_url"] ?? o["url"])?.text
        r.tokenUrl = try ctx.freeText(tokenUrl, field: "token_url")
        r.provider = try ctx.interner.intern(o["provider"]?.text ?? Self.provider(fromURL: tokenUrl))
        let grantType = o["grant_type"]?.text
        r.grantType = try ctx.interner.intern(grantType)
        if let grantType, let flow = FlowClassifier.flow(forGrantType: grantType) { r.flow = v.flow(flow) }
        r.clientId = try intern(o["client_id"], "client_id")

        var claims = o["claims"]?.object ?? [:]
        if let assertion = o["assertion"]?.string, !assertion.isEmpty {
            r.assertionFingerprint = Fingerprint.of(assertion)
            if claims.isEmpty, let decoded = JWT.claims(of: assertion) { claims = decoded }
        }
        r.iss = try intern(claims["iss"], "iss")
        r.sub = try intern(claims["sub"], "sub")
        r.aud = try intern(claims["aud"]?.array?.first ?? claims["aud"], "aud")
        r.iat = claims["iat"]?.integer
        r.nbf = claims["nbf"]?.integer
        r.exp = claims["exp"]?.integer
        r.jti = claims["jti"]?.text
        if r.clientId == 0 { r.clientId = r.iss }

        r.httpStatus = (o["http_status"] ?? o["status"])?.integer
        let error = o["error"]?.text
        let description = o["error_description"]?.text
        let errorCode = o["errorCode"]?.text
        let errorSummary = o["errorSummary"]?.text
        r.error = try ctx.freeText(error, field: "error")
        r.errorDescription = try ctx.freeText(description, field: "error_description")
        r.errorCode = try ctx.freeText(errorCode, field: "errorCode")
        r.errorSummary = try ctx.freeText(errorSummary, field: "errorSummary")
        r.errorId = o["errorId"]?.text
        let failed = error != nil || errorCode != nil || (r.httpStatus ?? 0) >= 400
        let succeeded = !failed && ((r.httpStatus.map { (200..<300).contains($0) } ?? false) || o["access_token"] != nil)
        r.outcome = v.outcome(failed ? .failure : succeeded ? .success : .unknown)
        if failed {
            let text = [error, description, errorCode, errorSummary].compactMap { $0 }.joined(separator: " ")
            r.failureClass = v.failure(FailureClass.classify(text))
        }

        var scheme = o["auth_scheme"]?.text
        if let authorization = o["authorization"]?.text {
            scheme = scheme ?? authorization.split(separator: " ").first.map(String.init)
            r.secretFingerprint = Fingerprint.of(authorization)
        }
        // Only the scheme word is kept: "SSWS 00ab…" must not leak the token after it.
        r.authScheme = try ctx.interner.intern(scheme?.split(separator: " ").first.map(String.init))
        if let secret = o["client_secret"]?.text { r.secretFingerprint = Fingerprint.of(secret) }
        if let token = o["access_token"]?.text { r.tokenFingerprint = Fingerprint.of(token) }

        // Optional: an unreadable server date costs only itself, never the request.
        if let serverDate = o["server_date"] {
            if let parsed = try? parseTime(serverDate, name: "server_date") { r.serverDate = parsed.epochMs }
            else if case .null = serverDate {} else { ctx.noteRepair(column: "server_date", kind: .dropped) }
        }
        if let issuedAt = o["issued_at"]?.number { r.issuedAt = TimeParser.fromEpoch(issuedAt)?.epochMs }
        r.instanceUrl = try ctx.freeText(o["instance_url"]?.text, field: "instance_url")
        if let identity = o["id"]?.text {
            let parts = identity.split(separator: "/")
            if parts.count >= 2, parts[parts.count - 2].hasPrefix("00D"), parts[parts.count - 1].hasPrefix("005") {
                r.orgId = try ctx.interner.intern(SalesforceId.canonical(String(parts[parts.count - 2])))
                r.userId = try ctx.interner.intern(SalesforceId.canonical(String(parts[parts.count - 1])))
            }
        }
        r.durationMs = o["duration_ms"]?.integer
        r.sourceIp = try intern(o["source_ip"], "source_ip")
        r.extra = Self.extra(o)
        return r
    }

    private func parseTime(_ value: JSONValue, name: String) throws -> ParsedTime {
        let parsed: ParsedTime?
        if case .number(let n) = value { parsed = TimeParser.fromEpoch(n) } else { parsed = value.string.flatMap(TimeParser.parse) }
        guard var time = parsed else {
            throw RowReject("unparseable \(name) '\(String((value.string ?? "").prefix(60)))' (expected ISO 8601 or epoch seconds/milliseconds)")
        }
        if !time.hasZone {
            guard let zone = ctx.options.timezone else {
                throw RowReject("\(name) '\(value.string ?? "")' has no time zone; write UTC (…Z) or pass --timezone")
            }
            time.epochMs = zone.toUTC(time.epochMs)
            time.hasZone = true
        }
        return time
    }

    static func provider(fromURL url: String?) -> String? {
        guard let url = url?.lowercased() else { return nil }
        if url.contains("okta") { return "okta" }
        if url.contains("salesforce") || url.contains("force.com") { return "salesforce" }
        return nil
    }

    /// Unknown keys as compact JSON, secrets fingerprinted and free text scrubbed.
    static func extra(_ object: [String: JSONValue]) -> String? {
        var kept: [String: JSONValue] = [:]
        for (key, value) in object where !TokenLogFormat.knownKeys.contains(key) {
            kept[key] = redact(key: key, value)
        }
        if let link = object["errorLink"] { kept["errorLink"] = redact(key: "errorLink", link) }
        return kept.isEmpty ? nil : JSONValue.object(kept).serialized
    }

    static func redact(key: String, _ value: JSONValue) -> JSONValue {
        if Redactor.isSecretKey(key) {
            if case .null = value { return .null }
            return .string(Fingerprint.of(value.string ?? value.serialized))
        }
        switch value {
        case .string(let s): return .string(Redactor.scrub(s))
        case .object(let members):
            var out: [String: JSONValue] = [:]
            for (k, v) in members { out[k] = redact(key: k, v) }
            return .object(out)
        case .array(let items): return .array(items.map { redact(key: key, $0) })
        default: return value
        }
    }
}

/// Decodes a JWT's claims (payload) without verifying it: TokenTrail audits what was sent.
public enum JWT {
    public static func claims(of token: String) -> [String: JSONValue]? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2, let payload = base64URLDecode(parts[1]) else { return nil }
        return payload.withUnsafeBytes { try? JSONParser.parse($0) }?.object
    }

    static func base64URLDecode(_ text: Substring) -> [UInt8]? {
        var values: [UInt8] = []
        values.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
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
