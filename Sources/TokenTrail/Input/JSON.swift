/// A parsed JSON value. Objects keep their keys in a dictionary; key order is not needed.
public indirect enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }
    public var string: String? {
        switch self {
        case .string(let s): return s
        case .number(let n): return Self.numberText(n)
        case .bool(let b): return b ? "true" : "false"
        default: return nil
        }
    }
    /// How a number is written: whole numbers without a fraction, others as Swift prints them.
    static func numberText(_ n: Double) -> String {
        n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : String(n)
    }
    /// A non-empty string value (empty strings and null count as absent).
    public var text: String? {
        guard let s = string, !s.isEmpty else { return nil }
        return s
    }
    /// A number as a whole Int64, or nil when it is not finite or out of range (a crafted
    /// `1e300` must not trap the conversion).
    public var integer: Int64? {
        guard let n = number, n.isFinite, abs(n) < 9.0e15 else { return nil }
        return Int64(n)
    }

    public var number: Double? {
        switch self {
        case .number(let n): return n
        case .string(let s): return Double(s)
        default: return nil
        }
    }
    public var object: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }
    public var array: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    /// Compact JSON text, keys sorted so the same value always serializes the same way.
    public var serialized: String {
        var out: [UInt8] = []
        write(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    func write(to out: inout [UInt8]) {
        switch self {
        case .null: out += "null".utf8
        case .bool(let b): out += (b ? "true" : "false").utf8
        case .number(let n): out += (n.isFinite ? Self.numberText(n) : "null").utf8   // JSON has no infinity
        case .string(let s): var copy = s; copy.withUTF8 { JSONValue.writeString(UnsafeRawBufferPointer($0), to: &out) }
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() { if i > 0 { out.append(UInt8(ascii: ",")) }; item.write(to: &out) }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (i, key) in members.keys.sorted().enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                var copy = key
                copy.withUTF8 { JSONValue.writeString(UnsafeRawBufferPointer($0), to: &out) }
                out.append(UInt8(ascii: ":"))
                members[key]!.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// A JSON string of UTF-8 bytes: quotes, backslashes and control characters escaped, the rest as is.
    static func writeString(_ s: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        if !s.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out.append(contentsOf: s)   // nothing to escape: one copy
            out.append(UInt8(ascii: "\""))
            return
        }
        for b in s {
            switch b {
            case UInt8(ascii: "\""): out += "\\\"".utf8
            case UInt8(ascii: "\\"): out += "\\\\".utf8
            case 0x0A: out += "\\n".utf8
            case 0x0D: out += "\\r".utf8
            case 0x09: out += "\\t".utf8
            case 0..<0x20: out += "\\u00".utf8; out.append(hexDigits[Int(b >> 4)]); out.append(hexDigits[Int(b & 0xf)])
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
    private static let hexDigits = Array("0123456789abcdef".utf8)
}

public struct JSONError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public let offset: Int
    public var description: String { "\(message) at byte \(offset + 1)" }
}

/// Recursive-descent JSON parser over bytes. Nesting is capped: log content is hostile
/// and must not be able to exhaust the stack.
public struct JSONParser {
    let bytes: UnsafeRawBufferPointer
    public private(set) var index: Int
    static let maxDepth = 64
    /// The key of the first string that held invalid UTF-8 (stored as U+FFFD), if any.
    public private(set) var repairedKey: String?
    private var currentKey: String?

    public init(bytes: UnsafeRawBufferPointer, index: Int = 0) {
        self.bytes = bytes
        self.index = index
    }

    /// Parses exactly one value filling the whole input (surrounding white space allowed).
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws -> JSONValue {
        var repaired: String?
        return try parse(bytes, repairedKey: &repaired)
    }

    /// The same, telling which key first held invalid UTF-8 (nil when none did).
    public static func parse(_ bytes: UnsafeRawBufferPointer, repairedKey: inout String?) throws -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        let value = try parser.parseValue()
        parser.skipWhitespace()
        if parser.index != bytes.count { throw parser.error("unexpected text after the JSON value") }
        repairedKey = parser.repairedKey
        return value
    }

    /// Text from bytes; invalid UTF-8 becomes U+FFFD and is noted.
    private mutating func text(_ bytes: UnsafeRawBufferPointer) -> String {
        if let valid = String(validating: bytes, as: UTF8.self) { return valid }
        if repairedKey == nil { repairedKey = currentKey ?? "(value)" }
        return String(decoding: bytes, as: UTF8.self)
    }

    func error(_ message: String) -> JSONError { JSONError(message: message, offset: index) }

    public mutating func skipWhitespace() {
        while index < bytes.count {
            let b = bytes[index]
            if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { index += 1 } else { break }
        }
    }

    public mutating func peek() -> UInt8? {
        skipWhitespace()
        return index < bytes.count ? bytes[index] : nil
    }

    public mutating func expect(_ byte: UInt8) throws {
        guard peek() == byte else { throw error("expected '\(Character(UnicodeScalar(byte)))'") }
        index += 1
    }

    public mutating func parseValue(depth: Int = 0) throws -> JSONValue {
        guard depth < Self.maxDepth else { throw error("JSON nested deeper than \(Self.maxDepth) levels") }
        guard let b = peek() else { throw error("unexpected end of JSON") }
        switch b {
        case UInt8(ascii: "{"):
            index += 1
            var members: [String: JSONValue] = [:]
            if peek() == UInt8(ascii: "}") { index += 1; return .object(members) }
            while true {
                guard peek() == UInt8(ascii: "\"") else { throw error("expected a quoted object key") }
                let key = try parseString()
                try expect(UInt8(ascii: ":"))
                let outer = currentKey
                currentKey = key
                members[key] = try parseValue(depth: depth + 1)
                currentKey = outer
                guard let next = peek() else { throw error("unterminated object") }
                index += 1
                if next == UInt8(ascii: "}") { return .object(members) }
                if next != UInt8(ascii: ",") { index -= 1; throw error("expected ',' or '}' in object") }
            }
        case UInt8(ascii: "["):
            index += 1
            var items: [JSONValue] = []
            if peek() == UInt8(ascii: "]") { index += 1; return .array(items) }
            while true {
                items.append(try parseValue(depth: depth + 1))
                guard let next = peek() else { throw error("unterminated array") }
                index += 1
                if next == UInt8(ascii: "]") { return .array(items) }
                if next != UInt8(ascii: ",") { index -= 1; throw error("expected ',' or ']' in array") }
            }
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        default:
            return .number(try parseNumber())
        }
    }

    private mutating func literal(_ word: StaticString, _ value: JSONValue) throws -> JSONValue {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw error("unexpected end of JSON") }
        for i in 0..<count where bytes[index + i] != word.utf8Start[i] { throw error("invalid literal") }
        index += count
        return value
    }

    private mutating func parseNumber() throws -> Double {
        let start = index
        while index < bytes.count {
            let b = bytes[index]
            if (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: "-") || b == UInt8(ascii: "+") || b == UInt8(ascii: ".")
                || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") { index += 1 } else { break }
        }
        guard index > start, let value = Double(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)) else {
            index = start
            throw error("invalid value")
        }
        return value
    }

    private mutating func parseString() throws -> String {
        index += 1 // opening quote
        let start = index
        // Fast path: no escapes.
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                let s = text(UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
                index += 1
                return s
            }
            if b == UInt8(ascii: "\\") { break }
            index += 1
        }
        var out = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
        try Self.unescape(bytes, at: &index, into: &out)
        return out.withUnsafeBytes { text($0) }
    }

    /// Reads a string's content from `index` (inside the quotes) to its closing quote,
    /// appending the unescaped bytes to `out`; `index` ends after the quote. Shared by the tree
    /// parser and the byte-level readers, so both read every escape alike.
    static func unescape(_ bytes: UnsafeRawBufferPointer, at index: inout Int, into out: inout [UInt8]) throws {
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                index += 1
                return
            }
            if b != UInt8(ascii: "\\") { out.append(b); index += 1; continue }
            index += 1
            guard index < bytes.count else { break }
            let e = bytes[index]
            index += 1
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                var scalar = try hex4(bytes, at: &index)
                if scalar >= 0xD800 && scalar < 0xDC00, index + 1 < bytes.count,
                   bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                    index += 2
                    let low = try hex4(bytes, at: &index)
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low &- 0xDC00)
                }
                let unicode = UnicodeScalar(scalar) ?? "\u{FFFD}"
                out.append(contentsOf: Array(String(Character(unicode)).utf8))
            default: out.append(e)
            }
        }
        throw JSONError(message: "unterminated string", offset: index)
    }

    private static func hex4(_ bytes: UnsafeRawBufferPointer, at index: inout Int) throws -> UInt32 {
        guard index + 4 <= bytes.count else { throw JSONError(message: "short \\u escape", offset: index) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[index]
            let digit: UInt32
            switch b {
            case 0x30...0x39: digit = UInt32(b - 0x30)
            case 0x41...0x46: digit = UInt32(b - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(b - 0x61 + 10)
            default: throw JSONError(message: "invalid \\u escape", offset: index)
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }
}

extension JSONParser {
    public static func parse(_ text: String) throws -> JSONValue {
        var copy = text
        return try copy.withUTF8 { try parse(UnsafeRawBufferPointer($0)) }
    }
}

/// Literals for documents written in code (the OCSF export's constant fields).
extension JSONValue: ExpressibleByIntegerLiteral, ExpressibleByStringLiteral, ExpressibleByBooleanLiteral {
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}
