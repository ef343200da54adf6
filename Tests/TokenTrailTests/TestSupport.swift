import Foundation
@testable import TokenTrail

/// Paths and helpers shared by the tests. Fixtures and samples are found from this file's
/// location, so the tests run from any working directory.
enum TestSupport {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let samples = packageRoot.appendingPathComponent("samples").path

    static func fixture(_ name: String) -> String {
        packageRoot.appendingPathComponent("Tests/TokenTrailTests/Fixtures/\(name)").path
    }

    /// A file's ingest context on a fresh database, for feeding a reader lines directly.
    static func fileContext(format: String) throws -> (ctx: FileContext, store: IngestStore, db: Database) {
        let db = try Database(path: try temporaryDirectory() + "/lines.sqlite")
        let store = try IngestStore(db: db)
        let run = try store.beginRun(toolVersion: "test", arguments: [])
        let sourceId = try store.beginSource(run: run, path: "x.jsonl", format: format, timezone: nil)
        return (FileContext(path: "x.jsonl", store: store, sourceId: sourceId, options: IngestOptions()), store, db)
    }

    static func temporaryDirectory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tokentrail-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.path
    }

    /// Scans `inputs` into a fresh (or the given) database and opens it for queries.
    static func scan(_ inputs: [String], db: String? = nil, timezone: String? = nil,
                     policy: String? = nil) throws -> (ScanResult, Database) {
        let path = try db ?? (temporaryDirectory() + "/test.sqlite")
        var request = ScanRequest(inputs: inputs)
        request.databasePath = path
        request.timezone = timezone
        request.policyPath = policy
        let result = try Scanner.scan(request)
        return (result, try Database(path: path))
    }

    static func count(_ db: Database, _ sql: String, _ values: [SQLValue] = []) throws -> Int {
        Int(try db.scalar(sql, values).int ?? -1)
    }

    /// Runs the built `tokentrail` executable (a dependency of the test target).
    static func runCLI(_ arguments: [String], cwd: String? = nil, environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        try run(binary, arguments, cwd: cwd, environment: environment)
    }

    /// Runs a program, returns its exit status and output.
    static func run(_ executable: URL, _ arguments: [String], cwd: String? = nil,
                    environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        let (process, out, err) = try start(executable, arguments, cwd: cwd, environment: environment)
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    /// Starts a program without waiting for it.
    static func start(_ executable: URL, _ arguments: [String], cwd: String? = nil,
                      environment: [String: String] = [:]) throws -> (Process, Pipe, Pipe) {
        let process = Process()
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        process.executableURL = executable
        process.arguments = arguments
        if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        return (process, out, err)
    }

    static var binary: URL {
        let candidates = [Bundle.main.executableURL?.deletingLastPathComponent(),
                          Bundle.main.bundleURL.deletingLastPathComponent(),
                          packageRoot.appendingPathComponent(".build/debug")]
        for dir in candidates.compactMap({ $0 }) {
            let url = dir.appendingPathComponent("tokentrail")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return packageRoot.appendingPathComponent(".build/debug/tokentrail")
    }

    /// Parses CSV text held in memory, through a temporary file (the reader streams files).
    static func csvRecords(_ bytes: [UInt8], maxRecordBytes: Int = CSVReader.defaultMaxRecordBytes) throws -> [(line: Int, fields: [String]?, error: String?)] {
        let path = try temporaryDirectory() + "/input.csv"
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        let reader = try CSVReader(source: try openByteSource(path: path), maxRecordBytes: maxRecordBytes)
        var out: [(Int, [String]?, String?)] = []
        while try reader.next() {
            if let reason = reader.malformedReason {
                out.append((reader.recordLine, nil, reason))
            } else {
                out.append((reader.recordLine, (0..<reader.fieldCount).map(reader.string), nil))
            }
        }
        return out
    }

    static func csvRecords(_ text: String) throws -> [(line: Int, fields: [String]?, error: String?)] {
        try csvRecords(Array(text.utf8))
    }
}

extension TestSupport {
    /// A tmpfs of `megabytes` at a fresh directory, or nil where this machine cannot mount
    /// one (the tests that need it say so and skip).
    static func mountTmpfs(kilobytes: Int) throws -> String? {
        let dir = try temporaryDirectory()
        let mounted = try run(URL(fileURLWithPath: "/bin/mount"), ["-t", "tmpfs", "-o", "size=\(kilobytes)k", "tmpfs", dir])
        return mounted.status == 0 ? dir : nil
    }

    static func remountReadOnly(_ dir: String) throws -> Bool {
        try run(URL(fileURLWithPath: "/bin/mount"), ["-o", "remount,ro", dir]).status == 0
    }

    static func unmount(_ dir: String) {
        _ = try? run(URL(fileURLWithPath: "/bin/umount"), [dir])
    }

    static let canMount: Bool = {
        guard let dir = try? mountTmpfs(kilobytes: 1024) else { return false }
        unmount(dir)
        return true
    }()

    /// Starts the CLI without waiting for it.
    static func startCLI(_ arguments: [String], cwd: String? = nil) throws -> (Process, Pipe, Pipe) {
        try start(binary, arguments, cwd: cwd)
    }
}
