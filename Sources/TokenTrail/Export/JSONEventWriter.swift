/// One JSON object written straight to bytes, its fields in the order the code gives them.
/// The export writes a million events and more: building each as a `JSONValue` tree and
/// serializing it with sorted keys cost about 28 µs an event, twenty times reading the rows.
/// The field order is fixed by the code, so the same database still gives the same bytes.
/// Keys are the schema's own names (static ASCII, never escaped); every value is escaped.
struct JSONEventWriter {
    private(set) var bytes: [UInt8] = []
    private var needsComma = false

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    mutating func removeAll() { bytes.removeAll(keepingCapacity: true); needsComma = false }

    /// A whole event: `{…}` and its newline.
    mutating func line(_ body: (inout JSONEventWriter) -> Void) {
        bytes.append(UInt8(ascii: "{")); needsComma = false
        body(&self)
        bytes.append(UInt8(ascii: "}")); bytes.append(0x0A); needsComma = false
    }

    private mutating func key(_ name: StaticString) {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\"")); bytes.append(UInt8(ascii: ":"))
        needsComma = true
    }

    mutating func field(_ name: StaticString, _ value: Int64) {
        key(name)
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func field(_ name: StaticString, _ value: Int) { field(name, Int64(value)) }

    mutating func field(_ name: StaticString, _ value: Bool) {
        key(name)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// A string field; absent (nil) values write nothing.
    mutating func field(_ name: StaticString, _ value: String?) {
        guard let value else { return }
        key(name)
        string(value)
    }

    mutating func field(_ name: StaticString, _ value: StaticString) {
        key(name)
        bytes.append(UInt8(ascii: "\""))
        value.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
    }

    /// `"prefix-A-B"`: the events' uids, without building a string for each.
    mutating func field(_ name: StaticString, prefix: StaticString, _ a: Int64, _ b: Int64) {
        key(name)
        bytes.append(UInt8(ascii: "\""))
        prefix.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "-")); bytes.append(contentsOf: String(a).utf8)
        bytes.append(UInt8(ascii: "-")); bytes.append(contentsOf: String(b).utf8)
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func object(_ name: StaticString, _ body: (inout JSONEventWriter) -> Void) {
        key(name)
        bytes.append(UInt8(ascii: "{")); needsComma = false
        body(&self)
        bytes.append(UInt8(ascii: "}")); needsComma = true
    }

    mutating func array(_ name: StaticString, _ body: (inout JSONEventWriter) -> Void) {
        key(name)
        bytes.append(UInt8(ascii: "[")); needsComma = false
        body(&self)
        bytes.append(UInt8(ascii: "]")); needsComma = true
    }

    /// An object inside an array.
    mutating func element(_ body: (inout JSONEventWriter) -> Void) {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "{")); needsComma = false
        body(&self)
        bytes.append(UInt8(ascii: "}")); needsComma = true
    }

    /// A string inside an array.
    mutating func element(_ value: String) {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        string(value)
        needsComma = true
    }

    private mutating func string(_ value: String) {
        var copy = value
        copy.withUTF8 { JSONValue.writeString(UnsafeRawBufferPointer($0), to: &bytes) }
    }
}
