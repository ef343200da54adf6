/// JSON input in every shape it arrives in: JSON lines (one object per line; a broken line is
/// a reject, even the first), one document (an Okta `/api/v1/logs` array, an Okta event hook
/// delivery `{"data":{"events":[…]}}`, a single pretty-printed event or request, a SOQL
/// query result `{"records":[…]}`), read whole under a size cap. Each record keeps the line
/// it starts on.
enum JSONIngest {
    static let maxDocumentBytes = 64 << 20

    static func run(_ source: ByteSource, ctx: FileContext) throws -> SourceFormat {
        let router = JSONRouter(ctx: ctx, file: source.file)
        let lines = try LineReader(source: source)
        var firstLine: UnsafeRawBufferPointer?
        while let line = try lines.next() {
            if lines.oversized || !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { firstLine = line; break }
        }
        guard let firstLine else { throw InputError(path: ctx.path, "empty JSON file", unrecognized: true) }
        var repairedKey: String?
        if !lines.oversized, let value = try? JSONParser.parse(firstLine, repairedKey: &repairedKey) {
            // JSON lines: the first line is one complete value.
            ctx.currentLine = lines.lineNumber
            if let repairedKey { ctx.noteRepair(column: repairedKey, kind: .invalidUTF8) }
            try router.route(value, line: lines.lineNumber, raw: firstLine)
            try ingestLines(lines, router: router, ctx: ctx)
            return router.format
        }
        // Not a complete value on its first line: one document, or JSON lines whose first line is broken.
        try source.rewind(to: 0)
        if let document = try readDocument(source), let walked = try walkDocument(document, router: router, ctx: ctx) {
            return walked
        }
        try source.rewind(to: 0)
        let again = try LineReader(source: source)
        try ingestLines(again, router: router, ctx: ctx)
        guard router.sawObject else {
            throw InputError(path: ctx.path, line: 1, "not JSON: no line holds a JSON object and the file is not one JSON document (expected JSON lines, an Okta System Log array or event hook, or client token-request lines)",
                             unrecognized: true)
        }
        return router.format
    }

    private static func ingestLines(_ reader: LineReader, router: JSONRouter, ctx: FileContext) throws {
        while let line = try reader.next() {
            if reader.oversized {
                try ctx.reject(line: reader.lineNumber, reason: "line longer than \(reader.maxLineBytes / 1024) KiB", excerpt: "")
                continue
            }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            if !ctx.stats.recordPositions, !ctx.options.parseEveryLine {
                ctx.currentLine = reader.lineNumber
                if try router.ingestFast(line: reader.lineNumber, raw: line) { continue }
            }
            var repairedKey: String?
            let value: JSONValue
            do {
                value = try JSONParser.parse(line, repairedKey: &repairedKey)
            } catch let error as JSONError {
                try ctx.reject(line: reader.lineNumber, reason: "invalid JSON: \(error)", excerpt: String(decoding: line, as: UTF8.self))
                continue
            }
            ctx.currentLine = reader.lineNumber
            if let repairedKey { ctx.noteRepair(column: repairedKey, kind: .invalidUTF8) }
            try router.route(value, line: reader.lineNumber, raw: line)
        }
    }

    /// The whole file, or nil when it is larger than the cap (then it is no single document).
    private static func readDocument(_ source: ByteSource) throws -> [UInt8]? {
        var bytes: [UInt8] = []
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 1)
        defer { chunk.deallocate() }
        while true {
            let n = try source.read(into: chunk)
            if n == 0 { return bytes }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<n]))
            if bytes.count > maxDocumentBytes { return nil }
        }
    }

    /// Routes the records of one JSON document; nil when the bytes are not one document
    /// (the caller then reads them as JSON lines). An array that is broken is an error: no
    /// line-by-line reading can recover it.
    private static func walkDocument(_ bytes: [UInt8], router: JSONRouter, ctx: FileContext) throws -> SourceFormat? {
        try bytes.withUnsafeBytes { all -> SourceFormat? in
            let begin = all.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
            var parser = JSONParser(bytes: all, index: begin)
            var lines = LineCounter(bytes: all)
            let isArray = parser.peek() == UInt8(ascii: "[")
            do {
                if isArray {
                    try routeArray(&parser, lines: &lines, router: router)
                } else {
                    let start = parser.index
                    var routed = false
                    let members = try walkObject(&parser, lines: &lines, router: router, routed: &routed, depth: 0)
                    if !routed {
                        guard !(members["apps"] != nil || (members["version"] != nil && members["rules"] != nil)) else {
                            throw FileIngester.SkipFile(reason: "a TokenTrail policy file; pass it with --policy")
                        }
                        guard router.recognizes(members) else {
                            throw InputError(path: ctx.path, line: 1, "a JSON document that is no supported export: expected Okta System Log events (eventType, published), an Okta event hook delivery (data.events), a SOQL query result (records, or result.records from sf data query --json) of LoginEvent or an Event Log Object, or client token-request lines; found keys \(members.keys.sorted().prefix(10).joined(separator: ", "))",
                                             unrecognized: true)
                        }
                        try router.route(.object(members), line: lines.line(at: start), raw: UnsafeRawBufferPointer(rebasing: all[start..<parser.index]))
                    }
                }
                parser.skipWhitespace()
                if parser.index != all.count { return nil }   // more after the value: JSON lines
            } catch let error as JSONError {
                if isArray { throw InputError(path: ctx.path, line: lines.line(at: min(error.offset, all.count)), "invalid JSON array: \(error)") }
                return nil
            }
            return router.format
        }
    }

    /// An object's members; arrays under `events` or `records` (at the top or under `data`)
    /// are routed element by element instead of being kept.
    private static func walkObject(_ parser: inout JSONParser, lines: inout LineCounter, router: JSONRouter,
                                   routed: inout Bool, depth: Int) throws -> [String: JSONValue] {
        try parser.expect(UInt8(ascii: "{"))
        var members: [String: JSONValue] = [:]
        if parser.peek() == UInt8(ascii: "}") { parser = JSONParser(bytes: parser.bytes, index: parser.index + 1); return members }
        while true {
            guard parser.peek() == UInt8(ascii: "\"") else { throw parser.error("expected a quoted object key") }
            guard case .string(let key) = try parser.parseValue(depth: 1) else { throw parser.error("expected a quoted object key") }
            try parser.expect(UInt8(ascii: ":"))
            let next = parser.peek()
            // Envelopes: an Okta event hook's `data`, `sf data query --json`'s `result`.
            if depth == 0 && (key == "data" || key == "result") && next == UInt8(ascii: "{") {
                members[key] = .object(try walkObject(&parser, lines: &lines, router: router, routed: &routed, depth: 1))
            } else if (key == "events" || key == "records") && next == UInt8(ascii: "[") {
                try routeArray(&parser, lines: &lines, router: router)
                routed = true
            } else {
                members[key] = try parser.parseValue(depth: depth + 1)
            }
            guard let separator = parser.peek() else { throw parser.error("unterminated object") }
            parser = JSONParser(bytes: parser.bytes, index: parser.index + 1)
            if separator == UInt8(ascii: "}") { return members }
            if separator != UInt8(ascii: ",") { throw JSONError(message: "expected ',' or '}' in object", offset: parser.index - 1) }
        }
    }

    private static func routeArray(_ parser: inout JSONParser, lines: inout LineCounter, router: JSONRouter) throws {
        try parser.expect(UInt8(ascii: "["))
        if parser.peek() == UInt8(ascii: "]") { parser = JSONParser(bytes: parser.bytes, index: parser.index + 1); return }
        while true {
            _ = parser.peek()
            let start = parser.index
            let value = try parser.parseValue(depth: 1)
            try router.route(value, line: lines.line(at: start), raw: UnsafeRawBufferPointer(rebasing: parser.bytes[start..<parser.index]))
            guard let next = parser.peek() else { throw JSONError(message: "unterminated array", offset: parser.index) }
            parser = JSONParser(bytes: parser.bytes, index: parser.index + 1)
            if next == UInt8(ascii: "]") { return }
            if next != UInt8(ascii: ",") { throw JSONError(message: "expected ',' or ']' between array elements", offset: parser.index - 1) }
        }
    }
}

/// Line numbers of byte offsets, counted forward once.
struct LineCounter {
    let bytes: UnsafeRawBufferPointer
    private var counted = 0, current = 1
    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }
    mutating func line(at offset: Int) -> Int {
        while counted < offset && counted < bytes.count { if bytes[counted] == 0x0A { current += 1 }; counted += 1 }
        return current
    }
}

/// Routes each JSON object to the format the first object revealed.
final class JSONRouter {
    let ctx: FileContext
    var token: TokenLogIngester?
    var okta: OktaIngester?
    var loginEvents: LoginEventIngester?
    var eventLogObjects: EventLogObjectRecords?
    private let file: FileSource
    private(set) var sawObject = false
    init(ctx: FileContext, file: FileSource) {
        self.ctx = ctx
        self.file = file
    }

    var format: SourceFormat {
        if okta != nil { return .oktaSystemLog }
        if let loginEvents { return loginEvents.sawLogin ? .loginEvent : .rtemActivity }
        if let eventLogObjects { return eventLogObjects.format }
        return .tokenLog
    }

    func recognizes(_ object: [String: JSONValue]) -> Bool {
        OktaFormat.recognizes(object) || OktaFormat.unwrapped(object) != nil || TokenLogFormat.recognizes(object) || LoginEventFormat.recognizes(object)
            || EventLogObjectRecords.recognizes(object) || object["data"]?["events"]?.array != nil
    }

    func route(_ value: JSONValue, line: Int, raw: UnsafeRawBufferPointer) throws {
        // A compact array on one line (`/api/v1/logs` saved as is): its elements are the
        // records, and each gets its own position (its number in the file) and its own bytes.
        if let items = value.array {
            ctx.stats.recordPositions = true
            for item in items { try routeElement(item) }
            return
        }
        let line = ctx.stats.recordPositions ? ctx.nextRecordNumber() : line
        ctx.currentLine = line
        guard var object = value.object else {
            try ctx.reject(line: line, reason: "expected a JSON object", excerpt: String(decoding: raw.prefix(240), as: UTF8.self))
            return
        }
        if let event = OktaFormat.unwrapped(object) { object = event }
        // A SOQL query result on one line (a REST `query` page saved by curl, `sf data query
        // --json`): its records are the records.
        if let records = (object["records"] ?? object["result"]?["records"])?.array, object["EventDate"] == nil {
            ctx.stats.recordPositions = true
            for record in records { try routeElement(record) }
            return
        }
        // An Okta event hook delivery stored one per line: its events are the records.
        if let events = object["data"]?["events"]?.array, object["eventType"]?.string == "com.okta.event_hook" || object["published"] == nil {
            ctx.stats.recordPositions = true
            for event in events { try routeElement(event) }
            return
        }
        if token == nil && okta == nil && loginEvents == nil && eventLogObjects == nil {
            if OktaFormat.recognizes(object) {
                okta = OktaIngester(ctx: ctx)
            } else if LoginEventFormat.recognizes(object) {
                loginEvents = LoginEventIngester(ctx: ctx)
            } else if EventLogObjectRecords.recognizes(object) {   // never a token-log line (see `recognizes`)
                eventLogObjects = EventLogObjectRecords(ctx: ctx, file: file)
            } else if TokenLogFormat.recognizes(object) {
                token = TokenLogIngester(ctx: ctx)
            } else if object["apps"] != nil || (object["version"] != nil && object["rules"] != nil) {
                throw FileIngester.SkipFile(reason: "a TokenTrail policy file; pass it with --policy")
            } else {
                throw InputError(path: ctx.path, line: line,
                                 "unrecognized JSON: expected Okta System Log events (eventType, published), an Okta event hook delivery (data.events), LoginEvent records (EventDate), Event Log Object records (Timestamp, attributes.type …EventLog) or client token-request lines (ts plus grant_type / token_url / http_status; see README); found keys \(object.keys.sorted().prefix(10).joined(separator: ", "))",
                                 unrecognized: true)
            }
        }
        sawObject = true
        if let okta { try okta.ingest(object, line: line, raw: raw) }
        else if let loginEvents { try loginEvents.ingest(object, line: line, raw: raw) }
        else if let eventLogObjects { try eventLogObjects.ingest(object, line: line, raw: raw) }
        else { try token!.ingest(object, line: line, raw: raw) }
    }

    /// A line read straight from its bytes by the format's byte-level reader, once the first
    /// object has chosen the format; false when the line is left to the parser.
    func ingestFast(line: Int, raw: UnsafeRawBufferPointer) throws -> Bool {
        if let token { return try token.ingestFast(line: line, raw: raw) }
        if let okta { return try okta.ingestFast(line: line, raw: raw) }
        return false
    }

    /// One record of an array or hook delivery that shares its line with others: its
    /// position is its number in the file, its bytes its own (keys sorted, as serialized).
    private func routeElement(_ item: JSONValue) throws {
        var bytes = Array(item.serialized.utf8)
        if bytes.isEmpty { bytes = [0x20] }
        try bytes.withUnsafeBytes { try route(item, line: 0, raw: $0) }
    }
}
