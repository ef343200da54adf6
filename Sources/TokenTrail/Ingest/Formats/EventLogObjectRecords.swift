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
    /// attributes, its own PascalCase fields do (`Timestamp` and a request, session or user
    /// field as the object spells it). A client token-request line (`timestamp`, `request_id`)
    /// is not one: its snake_case keys are not the object's.
    static func recognizes(_ object: [String: JSONValue]) -> Bool {
        if let type = object["attributes"]?["type"]?.string { return ELFField.eventType(objectName: type) != nil }
        return object["Timestamp"] != nil && object["EventDate"] == nil && !TokenLogFormat.recognizes(object)
            && ["RequestIdentifier", "LoginKey", "SessionKey", "UserIdentifier", "UserId"].contains { object[$0] != nil }
    }

    /// The export's format: the object most of its records are (one format per file).
    var format: SourceFormat {
        var counts: [SourceFormat: Int] = [:]
        for reader in readers.values { counts[reader.format, default: 0] += recordCounts[ObjectIdentifier(reader)] ?? 0 }
        return counts.max { ($0.value, $1.key.rawValue) < ($1.value, $0.key.rawValue) }?.key ?? first?.format ?? .eloOther
    }
    private var recordCounts: [ObjectIdentifier: Int] = [:]

    func ingest(_ o: [String: JSONValue], line: Int, raw: UnsafeRawBufferPointer) throws {
        try ctx.rejectingRow(line: line, raw: raw) {
            guard Self.recognizes(o) else { throw RowReject("not an Event Log Object record like the file's first (no Timestamp, or attributes.type is not …EventLog)") }
            let objectName = o["attributes"]?["type"]?.string
            var header: [String] = [], values: [String] = []
            // Only the fields the alias table knows: a record padded with junk keys gets no
            // reader of its own (and cannot use up the field sets).
            for key in o.keys.sorted() where ELFField.aliases[FlowClassifier.normalize(key)] != nil {
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
            recordCounts[ObjectIdentifier(reader), default: 0] += 1
        }
    }

    private static func csvLine(_ fields: [String]) -> String {
        fields.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ",") + "\n"
    }
}
