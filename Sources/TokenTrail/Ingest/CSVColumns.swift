/// Bytes of a column's last value that CSVColumns remembers (longer values are not cached).
private let csvLastValueCapacity = 64

/// Header-driven access to one CSV format's fields: columns are found by name through the
/// format's alias table (never by position), unknown columns are ignored, missing optional
/// ones read as empty.
final class CSVColumns<Field: RawRepresentable & CaseIterable & Hashable> where Field.RawValue == Int {
    private var indexOf: [Int]
    let headerCount: Int
    let headerNames: [String]
    var reader: CSVReader!
    let interner: Interner
    /// The last value of each column (up to `csvLastValueCapacity` bytes) and its symbol: most
    /// columns repeat row after row, and a match skips the interner's hashing.
    private let lastBytes: UnsafeMutableRawPointer
    private var lastLength: [Int]
    private var lastSymbol: [Symbol]


    init(header: [String], aliases: [String: Field], interner: Interner) {
        indexOf = Array(repeating: -1, count: Field.allCases.count)
        for (column, name) in header.enumerated() {
            if let field = aliases[FlowClassifier.normalize(name)], indexOf[field.rawValue] < 0 {
                indexOf[field.rawValue] = column
            }
        }
        headerCount = header.count
        headerNames = header
        lastBytes = .allocate(byteCount: header.count * csvLastValueCapacity, alignment: 8)
        lastLength = Array(repeating: -1, count: header.count)
        lastSymbol = Array(repeating: 0, count: header.count)
        self.interner = interner
    }

    deinit { lastBytes.deallocate() }

    func has(_ field: Field) -> Bool { indexOf[field.rawValue] >= 0 }

    func columnName(_ field: Field) -> String {
        let i = indexOf[field.rawValue]
        return i >= 0 ? headerNames[i] : "\(field)"
    }

    @inline(__always)
    func bytes(_ field: Field) -> UnsafeRawBufferPointer {
        let i = indexOf[field.rawValue]
        return i < 0 ? UnsafeRawBufferPointer(start: nil, count: 0) : reader.field(i)
    }

    func isEmpty(_ field: Field) -> Bool { bytes(field).isEmpty }

    /// The field as a symbol (0 when missing or empty); a reject when it is not UTF-8.
    func symbol(_ field: Field) throws -> Symbol {
        let i = indexOf[field.rawValue]
        if i < 0 { return 0 }
        let value = reader.field(i)
        if value.isEmpty { return 0 }
        let slot = lastBytes + i * csvLastValueCapacity
        if lastLength[i] == value.count && Interner.equal(UnsafeRawPointer(slot), value) { return lastSymbol[i] }
        do {
            let symbol = try interner.intern(value)
            if value.count <= csvLastValueCapacity {
                slot.copyMemory(from: value.baseAddress!, byteCount: value.count)
                lastLength[i] = value.count
                lastSymbol[i] = symbol
            }
            return symbol
        } catch is InvalidUTF8 {
            throw RowReject("column '\(headerNames[i])' is not valid UTF-8 (file not saved as UTF-8?)")
        }
    }

    /// The field as a String (nil when missing or empty); a reject when it is not UTF-8.
    func string(_ field: Field) throws -> String? {
        let value = bytes(field)
        if value.isEmpty { return nil }
        guard let text = String(validating: value, as: UTF8.self) else {
            throw RowReject("column '\(columnName(field))' is not valid UTF-8 (file not saved as UTF-8?)")
        }
        return text
    }

    /// For messages: the field's text, shortened and with U+FFFD for bad bytes.
    func display(_ field: Field) -> String {
        String(decoding: bytes(field).prefix(80), as: UTF8.self)
    }
}
