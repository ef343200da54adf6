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
    let freeTextInterner: Interner
    /// The last value of each column (up to `csvLastValueCapacity` bytes) and its symbol: most
    /// columns repeat row after row, and a match skips the interner's hashing.
    private let lastBytes: UnsafeMutableRawPointer
    private var lastLength: [Int]
    private var lastSymbol: [Symbol]
    /// Told of every value stored other than as it came (invalid UTF-8, cut): the row is kept
    /// and the repair counted, never rejected (hostile bytes must not hide a login).
    var onRepair: ((_ column: String, _ kind: RepairKind) -> Void)?

    init(header: [String], aliases: [String: Field], interner: Interner, freeText: Interner) {
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
        freeTextInterner = freeText
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

    /// The field as a symbol (0 when missing or empty). Bytes that are not UTF-8 become
    /// U+FFFD and an over-long value is cut with a marker; either is reported as a repair.
    func symbol(_ field: Field) throws -> Symbol { try symbol(field, interner: interner) }

    /// A free-text field (URL, user agent, status, message) as a symbol, scrubbed of
    /// credentials before it is stored (Redactor.scrub).
    func freeText(_ field: Field) throws -> Symbol { try symbol(field, interner: freeTextInterner) }

    private func symbol(_ field: Field, interner: Interner) throws -> Symbol {
        let symbol = try rawSymbol(field, interner: interner)
        // A value whose credential was scrubbed out is a repair of its field (rare: the set is
        // usually empty, and then this costs nothing).
        if !interner.redacted.isEmpty, interner.redacted.contains(symbol) { onRepair?(headerNames[indexOf[field.rawValue]], .redacted) }
        return symbol
    }

    private func rawSymbol(_ field: Field, interner: Interner) throws -> Symbol {
        let i = indexOf[field.rawValue]
        if i < 0 { return 0 }
        let value = reader.field(i)
        if value.isEmpty { return 0 }
        let slot = lastBytes + i * csvLastValueCapacity
        if lastLength[i] == value.count && Interner.equal(UnsafeRawPointer(slot), value) { return lastSymbol[i] }
        if value.count > FieldRepair.maxFieldBytes {
            return try interner.intern(repaired(value, column: i))
        }
        do {
            let symbol = try interner.intern(value)
            if value.count <= csvLastValueCapacity {
                slot.copyMemory(from: value.baseAddress!, byteCount: value.count)
                lastLength[i] = value.count
                lastSymbol[i] = symbol
            }
            return symbol
        } catch is InvalidUTF8 {
            return try interner.intern(repaired(value, column: i))
        }
    }

    /// A Salesforce id field as a symbol, in its 18-character form (ids join across exports).
    func idSymbol(_ field: Field) throws -> Symbol {
        if let stored = SalesforceId.normalized(bytes(field)) { return try interner.intern(stored) }
        return try symbol(field)
    }

    /// An address field as a symbol, in one spelling (`IPText`: `::ffff:203.0.113.77` is
    /// `203.0.113.77`), so one address is one symbol whichever export wrote it.
    func ipSymbol(_ field: Field) throws -> Symbol {
        let value = bytes(field)
        // The same address as the row before (most rows): already checked, already a symbol.
        let i = indexOf[field.rawValue]
        if i >= 0, !value.isEmpty, lastLength[i] == value.count,
           Interner.equal(UnsafeRawPointer(lastBytes + i * csvLastValueCapacity), value) { return lastSymbol[i] }
        if let canonical = IPText.canonical(value) { return try interner.intern(canonical) }
        // Not an address (a masked `xxx.xxx.xxx.xxx`): no network to judge; the row is kept
        // without it and listed (`dropped`). ELF's `Salesforce.com IP` placeholder is the export's own.
        if !value.isEmpty, !IPText.isAddress(value), !value.elementsEqual("Salesforce.com IP".utf8) {
            onRepair?(headerNames[indexOf[field.rawValue]], .dropped)
            return 0
        }
        return try symbol(field)
    }

    /// The field as a String (nil when missing or empty), repaired like `symbol`.
    func string(_ field: Field) throws -> String? {
        let i = indexOf[field.rawValue]
        if i < 0 { return nil }
        let value = reader.field(i)
        if value.isEmpty { return nil }
        if value.count <= FieldRepair.maxFieldBytes, let text = String(validating: value, as: UTF8.self) { return text }
        return repaired(value, column: i)
    }

    private func repaired(_ value: UnsafeRawBufferPointer, column i: Int) -> String {
        let (text, kind) = FieldRepair.repair(value)
        if let kind { onRepair?(headerNames[i], kind) }
        return text
    }

    /// The row loop every CSV format shares: each record of `reader` whose structure is sound
    /// goes to `row` with its line; a malformed record, a wrong field count, or a `RowReject`
    /// thrown by `row` becomes a reject of that line (repairs are noted through `ctx`).
    func forEachRow(_ reader: CSVReader, ctx: FileContext, _ row: (_ line: Int) throws -> Void) throws {
        bind(reader, ctx: ctx)
        while try reader.next() {
            let line = reader.recordLine
            ctx.currentLine = line
            if let reason = reader.malformedReason {
                try ctx.reject(line: line, reason: reason, excerpt: reader.malformedExcerpt)
                continue
            }
            let fields = { (0..<reader.fieldCount).map(reader.string).joined(separator: ",") }
            if reader.fieldCount != headerCount {
                try ctx.reject(line: line, reason: "expected \(headerCount) fields as in the header, found \(reader.fieldCount)", excerpt: fields())
                continue
            }
            do { try row(line) } catch let reject as RowReject {
                try ctx.reject(line: line, reason: reject.reason, excerpt: fields())
            }
        }
    }

    /// Reads the fields of `reader`'s current record from now on; repairs are noted through `ctx`.
    func bind(_ reader: CSVReader, ctx: FileContext) {
        self.reader = reader
        if onRepair == nil { onRepair = { [ctx] column, kind in ctx.noteRepair(column: column, kind: kind) } }
    }

    /// For messages: the field's text, shortened and with U+FFFD for bad bytes.
    func display(_ field: Field) -> String {
        String(decoding: bytes(field).prefix(80), as: UTF8.self)
    }
}
