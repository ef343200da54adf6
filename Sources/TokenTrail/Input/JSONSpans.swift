import Glibc

/// Where one JSON value sits in its bytes, left unparsed. A string's span is its content
/// between the quotes; `escaped` says a backslash occurs in it.
struct JSONSpan {
    enum Kind: UInt8 { case string, number, bool, null, object, array }
    var kind: Kind
    var escaped = false
    var start: Int
    var end: Int
}

/// The keys a byte-level reader looks for, each with a slot number.
struct JSONKeyTable {
    let names: [String]
    private let byLength: [[(bytes: [UInt8], slot: Int)]]

    init(_ names: [String]) {
        self.names = names
        var table = [[(bytes: [UInt8], slot: Int)]](repeating: [], count: (names.map(\.utf8.count).max() ?? 0) + 1)
        for (slot, name) in names.enumerated() { table[name.utf8.count].append((Array(name.utf8), slot)) }
        byLength = table
    }

    func key(_ name: String) -> JSONKey {
        guard let slot = names.firstIndex(of: name) else { preconditionFailure("\(name) is not in the key table") }
        return JSONKey(name: name, slot: slot)
    }

    @inline(__always)
    func slot(of key: UnsafeRawBufferPointer) -> Int? {
        guard key.count < byLength.count, let first = key.first else { return nil }
        for candidate in byLength[key.count] where candidate.bytes[0] == first {
            if candidate.bytes.withUnsafeBytes({ memcmp($0.baseAddress!, key.baseAddress!, key.count) == 0 }) { return candidate.slot }
        }
        return nil
    }
}

struct JSONKey {
    let name: String
    let slot: Int
}

/// One JSON object's members as spans: the table's keys by slot, the others sorted by key.
/// Reused from line to line, so reading a line allocates nothing here.
final class JSONMembers {
    let table: JSONKeyTable
    private(set) var known: [JSONSpan?]
    /// Members whose key is not in the table: key span (no quotes) and value, sorted by key.
    private(set) var unknown: [(key: Range<Int>, value: JSONSpan)] = []

    init(_ table: JSONKeyTable) {
        self.table = table
        known = Array(repeating: nil, count: table.names.count)
    }

    subscript(key: JSONKey) -> JSONSpan? { known[key.slot] }
    var isEmpty: Bool { unknown.isEmpty && known.allSatisfy { $0 == nil } }

    /// Reads the object that fills `bytes` (white space around it allowed). False when the
    /// bytes are anything the tree parser might read differently or refuse: not an object,
    /// invalid JSON, a key with an escape or a non-ASCII byte, a key given twice, nesting past
    /// the parser's cap. The caller then parses the tree, which is the reference.
    func read(_ bytes: UnsafeRawBufferPointer) -> Bool {
        for i in known.indices { known[i] = nil }
        unknown.removeAll(keepingCapacity: true)
        var reader = JSONSpanReader(bytes: bytes, index: 0)
        reader.skipWhitespace()
        guard reader.index < bytes.count, bytes[reader.index] == UInt8(ascii: "{") else { return false }
        let ok = reader.members(depth: 0) { key, value in
            let keyBytes = UnsafeRawBufferPointer(rebasing: bytes[key])
            if let slot = table.slot(of: keyBytes) {
                if known[slot] != nil { return false }
                known[slot] = value
            } else {
                unknown.append((key, value))
            }
            return true
        }
        guard ok else { return false }
        reader.skipWhitespace()
        guard reader.index == bytes.count else { return false }
        // Two unknown members with one key: the tree keeps the last; leave that to it.
        if unknown.count > 1 {
            unknown.sort { JSONSpanReader.less(bytes, $0.key, $1.key) }
            for i in 1..<unknown.count where JSONSpanReader.equal(bytes, unknown[i - 1].key, unknown[i].key) { return false }
        }
        return true
    }
}

/// A validating scan over JSON bytes that accepts exactly what `JSONParser` accepts (it
/// shares its escape reader and number rule) and records spans instead of building values.
struct JSONSpanReader {
    let bytes: UnsafeRawBufferPointer
    var index: Int

    @inline(__always)
    mutating func skipWhitespace() {
        while index < bytes.count {
            let b = bytes[index]
            if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { index += 1 } else { break }
        }
    }

    /// An object's members from its `{` to after its `}`; `body` sees each key span (ASCII,
    /// unescaped) and value, and may stop the scan by returning false.
    mutating func members(depth: Int, _ body: (Range<Int>, JSONSpan) -> Bool) -> Bool {
        membersReading(depth: depth) { key, reader in
            guard let value = reader.value(depth: depth + 1) else { return false }
            return body(key, value)
        }
    }

    /// `members`, where `body` reads each member's value itself from `reader.index` (to
    /// descend into it in the same pass) and returns false for invalid JSON or to stop.
    mutating func membersReading(depth: Int, _ body: (Range<Int>, inout JSONSpanReader) -> Bool) -> Bool {
        index += 1   // {
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "}") { index += 1; return true }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return false }
            let keyStart = index + 1
            var k = keyStart
            while k < bytes.count {
                let b = bytes[k]
                if b == UInt8(ascii: "\"") { break }
                if b == UInt8(ascii: "\\") || b >= 0x80 { return false }
                k += 1
            }
            guard k < bytes.count else { return false }
            index = k + 1
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return false }
            index += 1
            guard body(keyStart..<k, &self) else { return false }
            skipWhitespace()
            guard index < bytes.count else { return false }
            let separator = bytes[index]
            index += 1
            if separator == UInt8(ascii: "}") { return true }
            if separator != UInt8(ascii: ",") { return false }
        }
    }

    /// The value at `index`, which ends up after it; nil for invalid JSON.
    mutating func value(depth: Int) -> JSONSpan? {
        guard depth < JSONParser.maxDepth else { return nil }
        skipWhitespace()
        guard index < bytes.count else { return nil }
        let start = index
        switch bytes[index] {
        case UInt8(ascii: "\""): return string()
        case UInt8(ascii: "{"):
            // Nested keys must be plain ASCII too (`members` checks): they are sorted when serialized.
            return members(depth: depth, { _, _ in true }) ? JSONSpan(kind: .object, start: start, end: index) : nil
        case UInt8(ascii: "["):
            index += 1
            skipWhitespace()
            if index < bytes.count && bytes[index] == UInt8(ascii: "]") { index += 1; return JSONSpan(kind: .array, start: start, end: index) }
            while true {
                guard value(depth: depth + 1) != nil else { return nil }
                skipWhitespace()
                guard index < bytes.count else { return nil }
                let separator = bytes[index]
                index += 1
                if separator == UInt8(ascii: "]") { return JSONSpan(kind: .array, start: start, end: index) }
                if separator != UInt8(ascii: ",") { return nil }
            }
        case UInt8(ascii: "t"): return literal("true", .bool)
        case UInt8(ascii: "f"): return literal("false", .bool)
        case UInt8(ascii: "n"): return literal("null", .null)
        default: return number()
        }
    }

    private mutating func string() -> JSONSpan? {
        index += 1
        let start = index
        // The closing quote by memchr, then no backslash before it: the common case in two
        // library calls however long the value (an assertion is ~700 bytes).
        if index < bytes.count, let base = bytes.baseAddress,
           let quote = memchr(base + index, Int32(UInt8(ascii: "\"")), bytes.count - index) {
            let end = base.distance(to: UnsafeRawPointer(quote))
            if memchr(base + index, Int32(UInt8(ascii: "\\")), end - index) == nil {
                index = end + 1
                return JSONSpan(kind: .string, start: start, end: end)
            }
        }
        // Escapes: validated by the parser's own reader; the content is unescaped again when used.
        var scratch: [UInt8] = []
        guard (try? JSONParser.unescape(bytes, at: &index, into: &scratch)) != nil else { return nil }
        return JSONSpan(kind: .string, escaped: true, start: start, end: index - 1)
    }

    private mutating func literal(_ word: StaticString, _ kind: JSONSpan.Kind) -> JSONSpan? {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return nil }
        for i in 0..<count where bytes[index + i] != word.utf8Start[i] { return nil }
        index += count
        return JSONSpan(kind: kind, start: index - count, end: index)
    }

    /// The parser's number rule: a run of `0-9 + - . e E` that `Double` reads.
    private mutating func number() -> JSONSpan? {
        let start = index
        while index < bytes.count {
            let b = bytes[index]
            if (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: "-") || b == UInt8(ascii: "+") || b == UInt8(ascii: ".")
                || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") { index += 1 } else { break }
        }
        let span = JSONSpan(kind: .number, start: start, end: index)
        guard index > start, JSONSpanReader.double(bytes, span) != nil else { return nil }
        return span
    }

    /// A number span's value as the parser computes it: whole numbers of up to 15 digits
    /// directly, everything else through `Double(String)`.
    static func double(_ bytes: UnsafeRawBufferPointer, _ span: JSONSpan) -> Double? {
        var i = span.start
        let negative = i < span.end && bytes[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        let digits = span.end - i
        if digits > 0 && digits <= 15 {
            var value: Int64 = 0
            var plain = true
            while i < span.end {
                let b = bytes[i]
                guard b >= 0x30 && b <= 0x39 else { plain = false; break }
                value = value * 10 + Int64(b - 0x30)
                i += 1
            }
            if plain { return negative ? -Double(value) : Double(value) }
        }
        return Double(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[span.start..<span.end]), as: UTF8.self))
    }

    /// False for bytes that are not UTF-8: the parser turns them into U+FFFD and records a
    /// repair, so a byte-level reader leaves such a line to it. ASCII is checked first, cheaply.
    static func isUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        !bytes.contains(where: { $0 >= 0x80 }) || String(validating: bytes, as: UTF8.self) != nil
    }

    static func less(_ bytes: UnsafeRawBufferPointer, _ a: Range<Int>, _ b: Range<Int>) -> Bool {
        UnsafeRawBufferPointer(rebasing: bytes[a]).lexicographicallyPrecedes(UnsafeRawBufferPointer(rebasing: bytes[b]))
    }

    static func equal(_ bytes: UnsafeRawBufferPointer, _ a: Range<Int>, _ b: Range<Int>) -> Bool {
        a.count == b.count && UnsafeRawBufferPointer(rebasing: bytes[a]).elementsEqual(UnsafeRawBufferPointer(rebasing: bytes[b]))
    }
}

// MARK: - Reading a span's value, as `JSONValue`'s accessors read the parsed one

extension JSONSpan {
    /// A string's content, unescaped when it needs it.
    func withContent<T>(_ bytes: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        if !escaped { return try body(UnsafeRawBufferPointer(rebasing: bytes[start..<end])) }
        var out: [UInt8] = []
        var i = start
        _ = try? JSONParser.unescape(bytes, at: &i, into: &out)   // validated when the span was read
        return try out.withUnsafeBytes(body)
    }

    /// `JSONValue.string`'s bytes: a string's content, a number as it is written back, a
    /// boolean's word; nil for null, objects and arrays.
    func withText<T>(_ bytes: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer?) throws -> T) rethrows -> T {
        switch kind {
        case .string: return try withContent(bytes) { try body($0) }
        case .number:
            var text = JSONValue.numberText(JSONSpanReader.double(bytes, self) ?? 0)
            return try text.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
        case .bool: return try body(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
        case .null, .object, .array: return try body(nil)
        }
    }

    /// `JSONValue.string`.
    func string(_ bytes: UnsafeRawBufferPointer) -> String? {
        withText(bytes) { $0.map { String(decoding: $0, as: UTF8.self) } }
    }

    /// `JSONValue.number`: a number, or a string that reads as one.
    func number(_ bytes: UnsafeRawBufferPointer) -> Double? {
        switch kind {
        case .number: return JSONSpanReader.double(bytes, self)
        case .string: return withContent(bytes) { Double(String(decoding: $0, as: UTF8.self)) }
        default: return nil
        }
    }

    /// `JSONValue.integer`.
    func integer(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        guard let n = number(bytes), n.isFinite, abs(n) < 9.0e15 else { return nil }
        return Int64(n)
    }

    /// The members of an object span (already validated), in order.
    func members(_ bytes: UnsafeRawBufferPointer) -> [(key: Range<Int>, value: JSONSpan)] {
        var out: [(key: Range<Int>, value: JSONSpan)] = []
        var reader = JSONSpanReader(bytes: bytes, index: start)
        _ = reader.members(depth: 0) { out.append(($0, $1)); return true }
        return out
    }

    /// The elements of an array span (already validated), in order.
    func elements(_ bytes: UnsafeRawBufferPointer) -> [JSONSpan] {
        var out: [JSONSpan] = []
        var reader = JSONSpanReader(bytes: bytes, index: start + 1)
        while true {
            reader.skipWhitespace()
            if reader.index >= end - 1 { return out }
            guard let item = reader.value(depth: 0) else { return out }
            out.append(item)
            reader.skipWhitespace()
            if reader.index < bytes.count && bytes[reader.index] == UInt8(ascii: ",") { reader.index += 1 }
        }
    }
}
