/// The values of one Okta System Log event as the record builder asks for them, from a parsed
/// object (`TreeOktaFields`: the first line, a document, any line the byte reader leaves) or
/// straight from a JSON line's bytes (`SpanOktaFields`). Both answer as `JSONValue`'s
/// accessors do, so an event gives the same record whichever reads it.
protocol OktaFields {
    func present(_ path: OktaPath) -> Bool
    /// `JSONValue.string` at the path.
    func string(_ path: OktaPath) -> String?
    /// `JSONValue.text`: a non-empty string, a number as written back, a boolean's word.
    func text(_ path: OktaPath) -> String?
    /// `ctx.intern(value, field:)`.
    func symbol(_ path: OktaPath, ctx: FileContext, field: String) throws -> Symbol
    /// `ctx.freeText(value.text, field:)`.
    func freeText(_ path: OktaPath, ctx: FileContext, field: String) throws -> Symbol
    /// The value when it is a JSON boolean.
    func bool(_ path: OktaPath) -> Bool?
    /// The `target` array's elements when it has any.
    func targets() -> [JSONValue]?
}

/// The key paths an event is read by.
enum OktaPath: Int, CaseIterable {
    case published, uuid, eventType, severity, displayMessage, data
    case actorId, actorType, actorAlternateId, actorDisplayName
    case clientIp, clientId, rawUserAgent
    case outcomeResult, outcomeReason
    case grantType, requestUri, dtHash
    case transactionId, requestApiTokenId
    case externalSessionId, rootSessionId, rootApiTokenId, debugAction
    case asNumber, asOrg, isp, isProxy
    case target

    var keys: [String] {
        switch self {
        case .published: ["published"]
        case .uuid: ["uuid"]
        case .eventType: ["eventType"]
        case .severity: ["severity"]
        case .displayMessage: ["displayMessage"]
        case .data: ["data"]
        case .actorId: ["actor", "id"]
        case .actorType: ["actor", "type"]
        case .actorAlternateId: ["actor", "alternateId"]
        case .actorDisplayName: ["actor", "displayName"]
        case .clientIp: ["client", "ipAddress"]
        case .clientId: ["client", "id"]
        case .rawUserAgent: ["client", "userAgent", "rawUserAgent"]
        case .outcomeResult: ["outcome", "result"]
        case .outcomeReason: ["outcome", "reason"]
        case .grantType: ["debugContext", "debugData", "grantType"]
        case .requestUri: ["debugContext", "debugData", "requestUri"]
        case .dtHash: ["debugContext", "debugData", "dtHash"]
        case .transactionId: ["transaction", "id"]
        case .requestApiTokenId: ["transaction", "detail", "requestApiTokenId"]
        case .externalSessionId: ["authenticationContext", "externalSessionId"]
        // Lineage (2025): every session of one sign-in, every event one API token caused.
        case .rootSessionId: ["authenticationContext", "rootSessionId"]
        case .rootApiTokenId: ["transaction", "detail", "rootApiTokenId"]
        // What Identity Threat Protection did (`policy.continuous_access.action`).
        case .debugAction: ["debugContext", "debugData", "Action"]
        case .asNumber: ["securityContext", "asNumber"]
        case .asOrg: ["securityContext", "asOrg"]
        case .isp: ["securityContext", "isp"]
        case .isProxy: ["securityContext", "isProxy"]
        case .target: ["target"]
        }
    }
}

// MARK: - From a parsed object

struct TreeOktaFields: OktaFields {
    let object: [String: JSONValue]

    private func value(_ path: OktaPath) -> JSONValue? {
        let keys = path.keys
        var value = object[keys[0]]
        for key in keys.dropFirst() { value = value?[key] }
        return value
    }

    func present(_ path: OktaPath) -> Bool { value(path) != nil }
    func string(_ path: OktaPath) -> String? { value(path)?.string }
    func text(_ path: OktaPath) -> String? { value(path)?.text }
    func symbol(_ path: OktaPath, ctx: FileContext, field: String) throws -> Symbol { try ctx.intern(value(path), field: field) }
    func freeText(_ path: OktaPath, ctx: FileContext, field: String) throws -> Symbol { try ctx.freeText(text(path), field: field) }
    func bool(_ path: OktaPath) -> Bool? { if case .bool(let b) = value(path) { return b }; return nil }
    func targets() -> [JSONValue]? { value(.target)?.array }
}

// MARK: - From the line's bytes

struct SpanOktaFields: OktaFields {
    static func paths() -> JSONPathSpans { JSONPathSpans(OktaPath.allCases.map(\.keys)) }

    let bytes: UnsafeRawBufferPointer
    let spans: JSONPathSpans

    private func span(_ path: OktaPath) -> JSONSpan? { spans[path.rawValue] }

    func present(_ path: OktaPath) -> Bool { span(path) != nil }
    func string(_ path: OktaPath) -> String? { span(path)?.string(bytes) }
    func text(_ path: OktaPath) -> String? { span(path).flatMap { SpanTokenFields.text($0, bytes) } }
    func symbol(_ path: OktaPath, ctx: FileContext, field: String) throws -> Symbol { try ctx.intern(span(path), in: bytes, field: field) }
    func freeText(_ path: OktaPath, ctx: FileContext, field: String) throws -> Symbol { try ctx.freeText(span(path), in: bytes, field: field) }
    func bool(_ path: OktaPath) -> Bool? {
        guard let span = span(path), span.kind == .bool else { return nil }
        return bytes[span.start] == UInt8(ascii: "t")
    }

    /// The one nested value read as a tree: a few small objects whose kept members are
    /// serialized back, which the parser's own writer does exactly.
    func targets() -> [JSONValue]? {
        guard let span = span(.target), span.kind == .array else { return nil }
        return (try? JSONParser.parse(UnsafeRawBufferPointer(rebasing: bytes[span.start..<span.end])))?.array
    }
}
