/// Event Log Objects as JSON records (`sf data query --json`, a saved REST `query` page, one
/// record per line): each record's fields are laid out as a one-row CSV and read by the
/// Event Monitoring reader, so the same alias table and the same normalization apply to the
/// CSV and the JSON shape of one object.
final class EventLogObjectRecords {
    private let ctx: FileContext
    private let file: FileSource
    /// One reader per object and field set (a record with other fields gets its own columns).
    private var readers: [String: EventLogFileIngester] = [:]
    private var first: EventLogFileIngester?
    /// A file whose records keep changing their field sets is no export: past this many it is
    /// refused record by record instead of growing without bound.
    static let maxFieldSets = 64

    init(ctx: FileContext, file: FileSource) {
        self.ctx = ctx
        self.file = file
    }

    /// An Event Log Object record: `attributes.type` names one (`…EventLog`), or, without
    /// attributes, its fields do as they do for a CSV header.
    static func recognizes(_ object: [String: JSONValue]) -> Bool {
        if let type = object["attributes"]?["type"]?.string { return ELFField.eventType(objectName: type) != nil }
        return ELFField.recognizesObject(Array(object.keys))
    }

    /// The export's format: a login export when any of its objects held logins.
    var format: SourceFormat {
        readers.values.map(\.format).first { $0.kind == .serverLogin } ?? first?.format ?? .eloOther
    }

    func ingest(_ o: [String: JSONValue], line: Int, raw: UnsafeRawBufferPointer) throws {
        try ctx.rejectingRow(line: line, raw: raw) {
            guard Self.recognizes(o) else { throw RowReject("not an Event Log Object record like the file's first (no Timestamp, or attributes.type is not …EventLog)") }
            let objectName = o["attributes"]?["type"]?.string
            var header: [String] = [], values: [String] = []
            for key in o.keys.sorted() where key != "attributes" {
                guard let value = o[key], value.object == nil, value.array == nil else { continue }
                header.append(key)
                values.append(value.string ?? "")
            }
            let id = ([objectName ?? ""] + header).joined(separator: "\u{1}")
            let reader: EventLogFileIngester
            if let known = readers[id] {
                reader = known
            } else {
                guard readers.count < Self.maxFieldSets else {
                    throw RowReject("more than \(Self.maxFieldSets) different field sets in one export: not read")
                }
                reader = try EventLogFileIngester(ctx: ctx, header: header, objects: true, objectName: objectName)
                readers[id] = reader
                if first == nil { first = reader }
            }
            let csv = Array((Self.csvLine(header) + Self.csvLine(values)).utf8)
            let row = try CSVReader(source: MemorySource(csv, of: file), maxRecordBytes: max(4096, csv.count + 16))
            guard try row.next(), try row.next(), row.malformedReason == nil, row.fieldCount == header.count else {
                throw RowReject("a record whose fields cannot be read")
            }
            try reader.ingest(record: row, line: line, raw: raw)
        }
    }

    private static func csvLine(_ fields: [String]) -> String {
        fields.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ",") + "\n"
    }
}
