/// A token-log line's `extra`: its unknown keys (and `errorLink`) as compact JSON with keys
/// sorted, secrets fingerprinted and free text scrubbed. Written from a parsed object, or
/// straight from the line's bytes to the same text.
enum TokenLogExtra {
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

    // MARK: - From bytes

    private static let errorLinkKey = Array("errorLink".utf8)

    /// `unknown` is sorted by key with no key twice (`JSONMembers.read`); nil when the line
    /// has nothing to keep, or when a nested object repeats a key (the caller then parses).
    static func extra(_ bytes: UnsafeRawBufferPointer, unknown: [(key: Range<Int>, value: JSONSpan)], errorLink: JSONSpan?) -> String?? {
        if unknown.isEmpty && errorLink == nil { return .some(nil) }
        var out: [UInt8] = [UInt8(ascii: "{")]
        var linkWritten = errorLink == nil
        var first = true
        func member(_ key: UnsafeRawBufferPointer, _ value: JSONSpan) -> Bool {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            JSONValue.writeString(key, to: &out)
            out.append(UInt8(ascii: ":"))
            return write(bytes, value, key: key, redacting: true, into: &out)
        }
        for (key, value) in unknown {
            let keyBytes = UnsafeRawBufferPointer(rebasing: bytes[key])
            if !linkWritten, let link = errorLink, errorLinkKey.lexicographicallyPrecedes(keyBytes) {
                guard errorLinkKey.withUnsafeBytes({ member($0, link) }) else { return nil }
                linkWritten = true
            }
            guard member(keyBytes, value) else { return nil }
        }
        if !linkWritten, let link = errorLink { guard errorLinkKey.withUnsafeBytes({ member($0, link) }) else { return nil } }
        out.append(UInt8(ascii: "}"))
        return .some(String(decoding: out, as: UTF8.self))
    }

    /// One value as `redact(key:)` then `serialized` write it; false when an object in it
    /// repeats a key.
    static func write(_ bytes: UnsafeRawBufferPointer, _ span: JSONSpan, key: UnsafeRawBufferPointer, redacting: Bool,
                      into out: inout [UInt8]) -> Bool {
        if redacting && Redactor.isSecretKey(ascii: key) {
            if span.kind == .null { out += "null".utf8; return true }
            if span.kind == .object || span.kind == .array {
                var plain: [UInt8] = []
                guard write(bytes, span, key: key, redacting: false, into: &plain) else { return false }
                Array(Fingerprint.of(plain).utf8).withUnsafeBytes { JSONValue.writeString($0, to: &out) }
            } else {
                span.withText(bytes) { text in Array(Fingerprint.of(text ?? UnsafeRawBufferPointer(start: nil, count: 0)).utf8) }
                    .withUnsafeBytes { JSONValue.writeString($0, to: &out) }
            }
            return true
        }
        switch span.kind {
        case .string:
            span.withContent(bytes) { content in
                if redacting, let scrubbed = Redactor.scrubbed(Array(content)) {
                    scrubbed.withUnsafeBytes { JSONValue.writeString($0, to: &out) }
                } else {
                    JSONValue.writeString(content, to: &out)
                }
            }
        case .number:
            let n = JSONSpanReader.double(bytes, span) ?? 0
            out += (n.isFinite ? JSONValue.numberText(n) : "null").utf8   // JSON has no infinity
        case .bool, .null: out += UnsafeRawBufferPointer(rebasing: bytes[span.start..<span.end])
        case .object:
            var members = span.members(bytes)
            members.sort { JSONSpanReader.less(bytes, $0.key, $1.key) }
            out.append(UInt8(ascii: "{"))
            for (i, member) in members.enumerated() {
                if i > 0 {
                    guard !JSONSpanReader.equal(bytes, members[i - 1].key, member.key) else { return false }
                    out.append(UInt8(ascii: ","))
                }
                let memberKey = UnsafeRawBufferPointer(rebasing: bytes[member.key])
                JSONValue.writeString(memberKey, to: &out)
                out.append(UInt8(ascii: ":"))
                guard write(bytes, member.value, key: memberKey, redacting: redacting, into: &out) else { return false }
            }
            out.append(UInt8(ascii: "}"))
        case .array:
            out.append(UInt8(ascii: "["))
            for (i, item) in span.elements(bytes).enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                guard write(bytes, item, key: key, redacting: redacting, into: &out) else { return false }
            }
            out.append(UInt8(ascii: "]"))
        }
        return true
    }
}
