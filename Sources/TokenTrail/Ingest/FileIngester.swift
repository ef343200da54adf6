/// What happened to one input file.
public struct FileResult: Sendable {
    public enum Status: Sendable, Equatable {
        case ingested
        /// Byte-identical to a file already in the database; nothing was written.
        case unchanged(previousSource: Int64)
        /// Not a data file (found while walking a directory): policy, README, …
        case skipped(reason: String)
        case failed(message: String)
    }
    public var path: String
    public var format: String
    public var status: Status
    public var stats = FileStats()
    public var sha256 = ""
    public var bytes = 0
    /// Failed because the content is no supported export at all (not because it is broken).
    public var unrecognized = false
    /// Failed because the database's disk is full: the scan stops here.
    public var diskFull = false
}

/// Reads one file end to end in one transaction: sniff, parse, normalize, store, record
/// the source. An error rolls the whole file back, so no file is ever half-ingested.
enum FileIngester {
    enum Shape { case csv, json }

    private struct Unchanged: Error { let previous: Int64; let stats: FileStats; let sha: String; let format: String }
    struct SkipFile: Error { let reason: String }

    static func ingest(path: String, store: IngestStore, run: Int64, options: IngestOptions) -> FileResult {
        var result = FileResult(path: path, format: "unknown", status: .ingested)
        do {
            let source = try openByteSource(path: path)
            let shape = try sniff(source)
            defer { store.discardPending() }  // after a rollback nothing may linger in a batch
            try store.db.transaction { try discardingOnFailure(store) {
                let sourceId = try store.beginSource(run: run, path: path, format: "unknown", timezone: options.timezone?.identifier)
                let ctx = FileContext(path: path, store: store, sourceId: sourceId, options: options)
                if let progress = options.progress { ctx.onProgress = { rows in progress(rows, source.file.bytesRead, source.file.size) } }
                let format: SourceFormat
                switch shape {
                case .csv: format = try ingestCSV(source, ctx: ctx)
                case .json: format = try JSONIngest.run(source, ctx: ctx)
                }
                try ctx.finish()
                let sha = try source.file.finishDigest()
                if ctx.stats.stored == 0, let previous = try store.db.scalar(
                    "SELECT id FROM sources WHERE sha256 = ? AND id <> ? AND coalesce(timezone, '') = ? ORDER BY id LIMIT 1",
                    [.text(sha), .integer(sourceId), .text(options.timezone?.identifier ?? "")]).int {
                    throw Unchanged(previous: previous, stats: ctx.stats, sha: sha, format: format.rawValue)
                }
                try store.finishSource(sourceId, format: format.rawValue, sha256: sha, bytes: source.file.size, stats: ctx.stats)
                result.format = format.rawValue
                result.stats = ctx.stats
                result.sha256 = sha
                result.bytes = source.file.size
            } }
            store.commitTally()
        } catch let unchanged as Unchanged {
            result.status = .unchanged(previousSource: unchanged.previous)
            result.stats = unchanged.stats
            result.sha256 = unchanged.sha
            result.format = unchanged.format
        } catch let skip as SkipFile {
            result.status = .skipped(reason: skip.reason)
        } catch let error as InputError {
            result.status = .failed(message: "\(error)")
            result.unrecognized = error.unrecognized
        } catch {
            result.status = .failed(message: "\(error)")
            result.diskFull = DiskFull.isDiskFull(error)
        }
        return result
    }

    /// Runs a file's body; when it fails, waits out the writer thread's in-flight batches and
    /// drops the rest *before* the rollback, and forgets the ids learned in it. (Rolled back first, a batch still in flight was
    /// then inserted in autocommit: rows of a failed file were kept.)
    private static func discardingOnFailure(_ store: IngestStore, _ body: () throws -> Void) throws {
        do { try body() } catch {
            store.discardPending()
            store.forgetUncommittedIds()
            throw error
        }
    }

    /// Decides the shape from the first bytes (after a BOM and white space); never from the name.
    static func sniff(_ source: ByteSource) throws -> Shape {
        let prefix = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 1)
        defer { prefix.deallocate() }
        var filled = 0
        while filled < prefix.count {
            let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: prefix[filled...]))
            if n == 0 { break }
            filled += n
        }
        try source.rewind(to: 0)
        let bytes = UnsafeRawBufferPointer(rebasing: prefix[0..<filled])
        let path = source.file.path
        if filled == 0 { throw InputError(path: path, "empty file (expected a CSV export or JSON log)", unrecognized: true) }
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            throw InputError(path: path, "a ZIP/XLSX file: export Login History or Event Monitoring as CSV (or .csv.gz)", unrecognized: true)
        }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            throw InputError(path: path, "UTF-16 text: re-save the export as UTF-8", unrecognized: true)
        }
        // Binary files are full of NUL bytes; one NUL inside a line of text is that line's
        // problem (a reject or a repair), not a reason to refuse the file.
        if bytes.starts(with: Array("SQLite format 3".utf8)) || bytes.count(where: { $0 == 0 }) * 64 > filled {
            throw InputError(path: path, "binary content (NUL bytes): expected a CSV export or JSON log", unrecognized: true)
        }
        var i = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        if startsJSON(bytes, at: i) { return .json }
        // A JSON-lines log whose first line was cut at its start: the next lines decide.
        var lineStarts: [Int] = []
        var k = i
        while lineStarts.count < 2, let newline = bytes[k...].firstIndex(of: 0x0A) {
            k = newline + 1
            if k < filled { lineStarts.append(k) }
        }
        if !lineStarts.isEmpty && lineStarts.allSatisfy({ startsJSON(bytes, at: $0) }) { return .json }
        return .csv
    }

    /// The first byte after white space at `start` opens a JSON object or array.
    private static func startsJSON(_ bytes: UnsafeRawBufferPointer, at start: Int) -> Bool {
        var i = start
        while i < bytes.count && [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
        return i < bytes.count && (bytes[i] == UInt8(ascii: "[") || bytes[i] == UInt8(ascii: "{"))
    }

    /// The CSV exports, in the order the sniffer asks them: each recognizes a header and
    /// reads the file. Event Monitoring first: its headers are unambiguous.
    static let csvFormats: [(recognizes: @Sendable ([String]) -> Bool, read: @Sendable (CSVReader, [String], FileContext) throws -> SourceFormat)] = [
        (ELFField.recognizes, { reader, header, ctx in
            let ingester = try EventLogFileIngester(ctx: ctx, header: header)
            try ingester.run(reader)
            return ingester.format
        }),
        (ELFField.recognizesObject, { reader, header, ctx in
            let ingester = try EventLogFileIngester(ctx: ctx, header: header, objects: true)
            try ingester.run(reader)
            return ingester.format
        }),
        (LoginHistoryField.recognizes, { reader, header, ctx in
            try LoginHistoryIngester(ctx: ctx, header: header).run(reader)
            return LoginHistoryField.format(header)
        }),
    ]

    static func ingestCSV(_ source: ByteSource, ctx: FileContext) throws -> SourceFormat {
        let reader = try CSVReader(source: source)
        guard try reader.next() else { throw InputError(path: ctx.path, "empty file (expected a CSV header)") }
        if let reason = reader.malformedReason { throw InputError(path: ctx.path, line: 1, "unreadable CSV header: \(reason)") }
        var header: [String] = []
        for i in 0..<reader.fieldCount {
            guard let name = String(validating: reader.field(i), as: UTF8.self) else {
                throw InputError(path: ctx.path, line: 1, "CSV header is not UTF-8 (saved as Shift_JIS or another encoding?): re-save the export as UTF-8")
            }
            header.append(name.trimmingCharacters(in: .whitespaces))
        }
        if let format = csvFormats.first(where: { $0.recognizes(header) }) { return try format.read(reader, header, ctx) }
        let shown = header.prefix(12).map { "'\($0.prefix(40))'" }.joined(separator: ", ")
        throw InputError(path: ctx.path, line: 1,
                         "unrecognized CSV header: expected Login History or LoginEvent (a LoginTime / Login Time / ログイン時間 / EventDate column), an Event Monitoring log file (EVENT_TYPE and TIMESTAMP columns) or an Event Log Object query (Timestamp with RequestIdentifier, LoginKey or UserId); found \(shown)",
                         unrecognized: true)
    }
}
