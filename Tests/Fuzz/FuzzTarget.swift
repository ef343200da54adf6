import Foundation

// libFuzzer entry point for the readers and normalizers (CSV exports, JSON lines, Okta
// documents). Not part of the SwiftPM package: `.ci/fuzz` compiles it together with the
// library's sources into one module (so it reaches internal types) with
// -sanitize=fuzzer,address, and runs each target for a bounded time over its committed corpus
// in Tests/Fuzz/corpus/TARGET. Every input is ingested as a whole file in a transaction that
// is rolled back, so the database stays small; errors are expected, crashes are findings.

private struct RollBack: Error {}

private final class Harness: @unchecked Sendable {
    let target = ProcessInfo.processInfo.environment["TOKENTRAIL_FUZZ_TARGET"] ?? "csv"
    let directory = NSTemporaryDirectory() + "tokentrail-fuzz-\(getpid())"
    let store: IngestStore
    let run: Int64
    let input: String

    init() {
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        input = directory + "/input." + (target == "csv" ? "csv" : "json")
        do {
            store = try IngestStore(db: try Database(path: directory + "/fuzz.sqlite"))
            run = try store.beginRun(toolVersion: "fuzz", arguments: [target])
        } catch {
            FileHandle.standardError.write(Data("cannot open the fuzz database: \(error)\n".utf8))
            exit(2)
        }
    }

    func ingest(_ bytes: UnsafeRawBufferPointer) {
        guard FileManager.default.createFile(atPath: input, contents: Data(bytes)) else { return }
        let read = stored(parseEveryLine: false)
        // JSON: the byte-level token-log and Okta readers must store exactly what the parser does.
        if target != "csv", let read, let parsed = stored(parseEveryLine: true), read != parsed {
            fatalError("the byte reader and the parser disagree:\n\(read.joined(separator: "\n"))\n---\n\(parsed.joined(separator: "\n"))")
        }
    }

    /// Ingests the input in a transaction that is rolled back; the rows it stored, or nil when
    /// the file was refused.
    private func stored(parseEveryLine: Bool) -> [String]? {
        defer { store.discardPending(); store.forgetUncommittedIds() }   // as after a failed file: the rollback frees their ids
        var rows: [String]?
        _ = try? store.db.transaction {
            let source = try openByteSource(path: input)
            let sourceId = try store.beginSource(run: run, path: input, format: "unknown", timezone: nil)
            var options = IngestOptions(timezone: LocalTimeZone(identifier: "UTC"))
            options.parseEveryLine = parseEveryLine
            let ctx = FileContext(path: input, store: store, sourceId: sourceId, options: options)
            if target == "csv" { _ = try FileIngester.ingestCSV(source, ctx: ctx) } else { _ = try JSONIngest.run(source, ctx: ctx) }
            try ctx.finish()
            if target != "csv" {
                rows = try ["SELECT * FROM v_token_requests ORDER BY line, time_ms", "SELECT * FROM v_idp_events ORDER BY line, time_ms",
                            "SELECT line, reason, excerpt FROM v_rejects ORDER BY line",
                            "SELECT line, field, kind FROM v_repairs ORDER BY line, field"].flatMap { sql in
                    try store.db.rows(sql).map { row in row.map { "\($0)" }.joined(separator: " | ") }
                }
            }
            throw RollBack()
        }
        return rows
    }
}

private let harness = Harness()

@_cdecl("LLVMFuzzerTestOneInput")
public func tokentrailFuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    harness.ingest(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
