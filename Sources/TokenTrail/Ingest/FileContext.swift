/// Why one row could not be stored; it becomes a reject with this reason.
public struct RowReject: Error, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// Settings that shape normalization of every file in a scan.
public struct IngestOptions {
    /// Zone for local (zone-less) times in Setup downloads; nil means such files are refused.
    public var timezone: LocalTimeZone?
    public var policy: Policy?
    /// Progress within the file being read: rows so far, bytes read of its size.
    public var progress: ((_ rows: Int, _ bytesRead: Int, _ bytes: Int) -> Void)?
    /// Token-log lines through the JSON parser only, never the byte reader: the test that
    /// both read every line alike compares the two.
    var parseEveryLine = false
    public init(timezone: LocalTimeZone? = nil, policy: Policy? = nil) {
        self.timezone = timezone
        self.policy = policy
    }
}

/// State for ingesting one file: where rows go, how they are counted, how rejects are kept.
final class FileContext {
    let path: String
    let store: IngestStore
    let sourceId: Int64
    let options: IngestOptions
    var stats = FileStats()
    private var occurrences = OccurrenceCounter()
    /// Called every `progressEvery` rows with the rows read so far (progress display).
    var onProgress: ((Int) -> Void)?
    static let progressEvery = 4096

    init(path: String, store: IngestStore, sourceId: Int64, options: IngestOptions) {
        self.path = path
        self.store = store
        self.sourceId = sourceId
        self.options = options
    }

    var vocabulary: Vocabulary { store.vocabulary }
    var interner: Interner { store.interner }

    func add(_ record: LoginRecord) throws {
        var r = record
        r.source = sourceId
        try store.add(r)
        counted(r.time)
        if r.origin == vocabulary.elf { loginSides.merged = true }
        if r.origin == vocabulary.loginHistory || r.origin == vocabulary.loginEvent { loginSides.kept = true }
    }
    /// Which side of a Login History ↔ ELF Login twin this file's logins are on (`LoginTwins`).
    private(set) var loginSides = (kept: false, merged: false)
    func add(_ record: TokenRequestRecord) throws { var r = record; r.source = sourceId; try store.add(r); counted(r.time) }
    func add(_ record: ApiActivityRecord) throws { var r = record; r.source = sourceId; try store.add(r); counted(r.time) }
    func add(_ record: IdpEventRecord) throws { var r = record; r.source = sourceId; try store.add(r); counted(r.time); sawIdpEvents = true }
    private var sawIdpEvents = false
    /// Set by the Event Monitoring reader: which family of export the file is (ELF files or Event Log Objects).
    enum EventMonitoringFamily { case files, objects }
    var eventMonitoringFamily: EventMonitoringFamily?

    private func counted(_ time: Int64) {
        lastRecordTime = time
        stats.rowsRead += 1
        stats.noteTime(time)
        if stats.rowsRead % Self.progressEvery == 0 { onProgress?(stats.rowsRead) }
    }

    /// Writes what is pending and settles how many rows were new and how many duplicates.
    func finish() throws {
        if let repairError { throw repairError }
        let (added, inserted) = try store.flush()
        stats.stored = inserted
        stats.duplicates = added - inserted
        if sawIdpEvents { try noteConflicts() }
        // An event an ELF file and an Event Log Object export both hold is stored once.
        if let family = eventMonitoringFamily, let first = stats.firstTime, let last = stats.lastTime {
            let copies = try EventMonitoringCopies.remove(store.db, source: sourceId, objects: family == .objects, from: first, to: last)
            stats.stored -= copies
            stats.duplicates += copies
        }
        // Rows rejected before any record was read are dated by the file's first record; a
        // rejected row's own time stays within the file's records (a crafted time must not
        // move it, or its file, to another week).
        if stats.rejects > 0, let first = stats.firstTime, let last = stats.lastTime {
            try store.db.execute("UPDATE rejects SET time = CASE WHEN time IS NULL OR time < ? THEN ? WHEN time > ? THEN ? ELSE time END WHERE source_id = ?",
                                 [.integer(first), .integer(first), .integer(last), .integer(last), .integer(sourceId)])
        }
        // A login another export already holds is stored once: the file's twins.
        if let first = stats.firstTime, let last = stats.lastTime, loginSides.kept != loginSides.merged {
            let twins = try LoginTwins.resolve(store.db, vocabulary: vocabulary, source: sourceId, mergedSide: loginSides.merged, from: first, to: last)
            stats.stored -= twins.leftFromFile
            stats.duplicates += twins.known
            stats.twins = twins.merged
        }
    }

    /// Events of this file whose id was stored already with other content: not stored (the
    /// first is kept) and listed on the data-quality page, never passed as a plain duplicate.
    /// The upsert that remembered them counted them as changes: they are duplicates.
    private func noteConflicts() throws {
        let lines = try store.db.rows("SELECT conflict_line FROM idp_events WHERE conflict_source = ?", [.integer(sourceId)]).compactMap { $0[0].int }
        for line in lines {
            try store.repair(source: sourceId, line: Int(line), field: "uuid", kind: .conflict)
            stats.repaired += 1
        }
        stats.stored -= lines.count
        stats.duplicates += lines.count
    }

    /// The line of the row being normalized, for repairs noted while reading its fields.
    var currentLine = 0
    private var recordNumber = 0

    /// The next record's number in the file, for files whose records share lines
    /// (`stats.recordPositions`): it stands in for the line in evidence (`file#n`).
    func nextRecordNumber() -> Int {
        recordNumber += 1
        return recordNumber
    }
    private var lastRepairedLine = -1

    /// A value of the current row stored other than as it came (invalid UTF-8, cut): the row
    /// is kept, counted as repaired once, and the field listed on the data-quality page.
    func noteRepair(column: String, kind: RepairKind) {
        if currentLine != lastRepairedLine {
            stats.repaired += 1
            lastRepairedLine = currentLine
        }
        repairError = repairError ?? Result { try store.repair(source: sourceId, line: currentLine, field: column, kind: kind) }.failure
    }
    /// The first failure to record a repair, thrown at `finish` (noteRepair runs inside readers that do not throw).
    private var repairError: Error?

    /// Text from a JSON value, repaired like a CSV field (an over-long value is cut).
    func text(_ value: String?, field: String) -> String? {
        guard let value, value.utf8.count > FieldRepair.maxFieldBytes else { return value }
        let (text, kind) = FieldRepair.repair(value)
        if let kind { noteRepair(column: field, kind: kind) }
        return text
    }

    /// An address from a JSON field in one spelling (`IPText`); a value that is no address (a
    /// masked `xxx.xxx.xxx.xxx`) is no network to judge: left out and listed (`dropped`), as in CSV.
    func address(_ text: String?, field: String) -> String? {
        guard let text, !text.isEmpty else { return nil }
        if IPText.isAddress(text) { return IPText.canonical(text) }
        if text == "Salesforce.com IP" { return text }   // the export's own placeholder, kept as ELF keeps it
        noteRepair(column: field, kind: .dropped)
        return nil
    }

    /// A JSON value's text as a symbol, repaired like a CSV field.
    func intern(_ value: JSONValue?, field: String) throws -> Symbol {
        noteIfRedacted(try interner.intern(text(value?.text, field: field)), in: interner, field: field)
    }

    /// A value whose credential the interner scrubbed out is a `redacted` repair of its field.
    @inline(__always)
    func noteIfRedacted(_ symbol: Symbol, in interner: Interner, field: String) -> Symbol {
        if !interner.redacted.isEmpty, interner.redacted.contains(symbol) { noteRepair(column: field, kind: .redacted) }
        return symbol
    }

    /// `intern(value, field:)` for a value left as a span of its line's bytes: interned from
    /// the bytes (no string on a hit); an over-long value goes through the repair that cuts it.
    func intern(_ span: JSONSpan?, in bytes: UnsafeRawBufferPointer, field: String) throws -> Symbol {
        try intern(span, in: bytes, into: interner, field: field)
    }

    /// `freeText(value.text, field:)` for a value left as a span: scrubbed text as a symbol.
    func freeText(_ span: JSONSpan?, in bytes: UnsafeRawBufferPointer, field: String) throws -> Symbol {
        try intern(span, in: bytes, into: store.freeText, field: field)
    }

    private func intern(_ span: JSONSpan?, in bytes: UnsafeRawBufferPointer, into interner: Interner, field: String) throws -> Symbol {
        guard let span else { return 0 }
        return noteIfRedacted(try span.withText(bytes) { text in
            guard let text, !text.isEmpty else { return 0 }
            if text.count > FieldRepair.maxFieldBytes { return try interner.intern(self.text(String(decoding: text, as: UTF8.self), field: field)) }
            return try interner.intern(text)
        }, in: interner, field: field)
    }

    /// Runs one JSON record's normalization; a `RowReject` becomes a reject of `line` with
    /// the record's bytes (scrubbed) as excerpt.
    func rejectingRow(line: Int, raw: UnsafeRawBufferPointer, _ body: () throws -> Void) throws {
        do { try body() } catch let reject as RowReject {
            try self.reject(line: line, reason: reject.reason, excerpt: String(decoding: raw, as: UTF8.self))
        }
    }

    /// Free text from a JSON value (URL, user agent, message), repaired and scrubbed of
    /// credentials, as a symbol.
    func freeText(_ value: String?, field: String) throws -> Symbol {
        noteIfRedacted(try store.freeText.intern(text(value, field: field)), in: store.freeText, field: field)
    }

    /// `text` is as much of the row as is known; only a scrubbed excerpt of it is stored.
    func reject(line: Int, reason: String, excerpt text: String) throws {
        stats.rowsRead += 1
        stats.rejects += 1
        let head = String(text.prefix(2000))
        try store.reject(source: sourceId, line: line, reason: reason, excerpt: Redactor.excerpt(head),
                         tokenLogin: Self.looksLikeTokenLogin(text), time: Self.rejectTime(own: Self.time(in: head), previous: lastRecordTime))
    }
    /// The time of the record read last.
    private var lastRecordTime: Int64?

    /// When a rejected row happened: the first written time in it, unless that is before the
    /// record read just before it (exports are in time order, and any value of the row may be
    /// crafted: a user agent reading like an earlier date must not move it back), then that
    /// record's time. `finish` keeps it within the file's records.
    static func rejectTime(own: Int64?, previous: Int64?) -> Int64? {
        guard let previous else { return own }
        guard let own, own >= previous else { return previous }
        return own
    }

    /// The first value of a rejected row that reads as a time with a zone (a field of a CSV
    /// row, a quoted JSON value): the row happened then, whatever made it unreadable.
    static func time(in text: String) -> Int64? {
        // A written time (with `:`), not a number: epoch numbers are ids as often as times.
        for part in text.split(whereSeparator: { $0 == "," || $0 == "\"" || $0 == "\t" }) where part.count >= 14 && part.count <= 40 && part.contains(":") {
            // Between 1990 and 2200: a long number that happens to parse is no date.
            if let time = TimeParser.parse(part.trimmingCharacters(in: .whitespaces)), time.hasZone,
               (631_152_000_000...7_258_118_400_000).contains(time.epochMs) { return time.epochMs }
        }
        return nil
    }

    func reject(line: Int, reason: String, excerpt: [UInt8]) throws {
        try reject(line: line, reason: reason, excerpt: String(decoding: excerpt, as: UTF8.self))
    }

    /// Markers of an OAuth token-endpoint login or token request in a row's text: such a
    /// reject may be exactly the login a rule needed, so coverage-gap raises it (low).
    static let tokenLoginMarkers = ["/services/oauth2/token", "remote access 2.0", "リモートアクセス 2.0", "remoteaccess2.0",
                                    "oauth client credentials", "oauthclientcredentials", "jwt-bearer", "client_credentials",
                                    "oauth クライアントログイン情報"]

    static func looksLikeTokenLogin(_ text: String) -> Bool {
        let lowered = text.lowercased()
        return tokenLoginMarkers.contains { lowered.contains($0) }
    }

    /// A row's key for exports without a row id: identical rows in the same instant get
    /// ordinals 0, 1, 2… so that two real, identical logins are both kept, while the same
    /// file (or an overlapping export of that instant) maps onto the same keys again.
    func keyWithOccurrence(time: Int64, identity: Int64) -> Int64 {
        let ordinal = occurrences.ordinal(time: time, key: identity)
        if ordinal == 0 { return identity }
        var hasher = store.dedup.hasher()
        hasher.combine(identity)
        hasher.combine(ordinal)
        return hasher.finalize()
    }
}

/// Counts identical rows per instant. Exports are sorted by time, so only the current
/// instant's rows are remembered: memory stays flat whatever the file size.
extension Result {
    var failure: Failure? { if case .failure(let error) = self { return error }; return nil }
}

struct OccurrenceCounter {
    private var currentTime = Int64.min
    private var seen: [Int64: Int64] = [:]

    mutating func ordinal(time: Int64, key: Int64) -> Int64 {
        if time != currentTime {
            seen.removeAll(keepingCapacity: true)
            currentTime = time
        }
        let n = seen[key, default: 0]
        seen[key] = n + 1
        return n
    }
}
