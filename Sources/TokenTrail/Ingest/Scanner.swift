import Foundation

/// What `tokentrail scan` was asked to do.
public struct ScanRequest {
    public var inputs: [String]
    public var databasePath = "tokentrail.sqlite"
    public var timezone: String?
    public var policyPath: String?
    public var arguments: [String] = []
    /// Progress of the file being read: (path, file number from 1, file count, rows, bytes read, bytes).
    public var progress: ((ScanProgress) -> Void)?
    /// Told when another writer holds the database and this scan waits for it.
    public var onWaitForDatabase: (@Sendable (String) -> Void)?
    /// Count what the files hold for the summary (ScanTally); off when nobody reads it (`--quiet`).
    public var tallies = true
    public init(inputs: [String]) { self.inputs = inputs }
}

public struct ScanProgress: Sendable {
    public var path: String
    public var file: Int
    public var files: Int
    public var rows: Int
    public var bytesRead: Int
    public var bytes: Int
}

/// What a scan did, for the summary, the report and the exit code.
public struct ScanResult {
    public var runId: Int64
    public var policy: Policy?
    public var files: [FileResult]
    public var databasePath: String
    /// The disk filled: the scan stopped at that file (the files after it were not read).
    public var diskFull: DiskFull?
    /// What the committed files held, counted as they were read (the summary's tables).
    public var tally = ScanTally()
    public var failed: [FileResult] { files.filter { if case .failed = $0.status { return true }; return false } }
    /// The time span of the records in this run's files (stored or already known): the
    /// default analysis window.
    public var span: (Int64, Int64)? {
        guard let first = files.compactMap(\.stats.firstTime).min(), let last = files.compactMap(\.stats.lastTime).max() else { return nil }
        return (first, last)
    }
}

/// A scan that cannot start: what was asked is wrong, not a file. The executable names the
/// option behind it.
public enum ScanError: Error, Equatable, CustomStringConvertible {
    /// The zone for times written without one is not an IANA name.
    case unknownTimeZone(String)

    public var description: String {
        switch self {
        case .unknownTimeZone(let name): "'\(name)' is not an IANA time zone name (e.g. America/Los_Angeles, Asia/Tokyo, UTC)"
        }
    }
}

/// Runs a scan: finds the files, ingests each in its own transaction, records the run.
/// A file that fails is reported and rolled back; the others are still ingested.
public enum Scanner {
    public static let version = "0.1.0"

    /// Extensions of files that are expected to be data: an unrecognized one is an error;
    /// other unrecognized files met while walking a directory (README, scripts) are skipped.
    static let dataExtensions: Set<String> = ["csv", "json", "jsonl", "ndjson", "log", "gz"]

    /// Ingests into the database at `request.databasePath` (created if needed), with the
    /// policy at `request.policyPath`: for callers that only store (the tests, back-loading).
    public static func scan(_ request: ScanRequest, progress: ((FileResult) -> Void)? = nil) throws -> ScanResult {
        let policy = try request.policyPath.map { try Policy.load(path: $0) }
        let plan = try prepare(request, policy: policy)
        return try ingest(request, plan, into: try open(request), progress: progress)
    }

    /// The database a scan writes, its directory created first.
    public static func open(_ request: ScanRequest) throws -> Database {
        let parent = (request.databasePath as NSString).deletingLastPathComponent
        if !parent.isEmpty { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) }
        let db = try Database(path: request.databasePath)
        db.onWait = request.onWaitForDatabase
        return db
    }

    /// What a scan will read, checked before any database is created: a request refused for
    /// its arguments (an unknown zone, a missing input) leaves nothing behind.
    public struct Plan {
        let policy: Policy?
        /// The zone for times written without one: the request's, else the policy's.
        let zone: LocalTimeZone?
        let files: [(String, Bool)]
    }

    public static func prepare(_ request: ScanRequest, policy: Policy?) throws -> Plan {
        var zone: LocalTimeZone?
        if let name = request.timezone ?? policy?.timezone {
            guard let parsed = LocalTimeZone(identifier: name) else { throw ScanError.unknownTimeZone(name) }
            zone = parsed
        }
        return Plan(policy: policy, zone: zone, files: try collect(request.inputs))
    }

    /// Ingests the planned files into `db` as one run.
    public static func ingest(_ request: ScanRequest, _ plan: Plan, into db: Database, progress: ((FileResult) -> Void)? = nil) throws -> ScanResult {
        let (policy, zone, files) = (plan.policy, plan.zone, plan.files)
        func bookkeeping<T>(_ body: () throws -> T) throws -> T {
            do { return try body() } catch where DiskFull.isDiskFull(error) {
                db.truncateWAL()
                throw DiskFull(databasePath: request.databasePath, during: "the run's bookkeeping")
            }
        }
        let store = try bookkeeping { try IngestStore(db: db) }
        store.tallying = request.tallies
        let run = try bookkeeping { try store.beginRun(toolVersion: version, arguments: request.arguments) }
        var diskFull: DiskFull?
        var options = IngestOptions(timezone: zone, policy: policy)
        var results: [FileResult] = []
        for (index, (path, explicit)) in files.enumerated() {
            // What is committed goes into the database file before each file: the WAL then
            // starts over and holds at most one file's writes, which a disk-full rollback
            // lets truncateWAL hand back to the volume.
            try? db.execute("PRAGMA wal_checkpoint(PASSIVE)")
            if let report = request.progress {
                report(ScanProgress(path: path, file: index + 1, files: files.count, rows: 0, bytesRead: 0, bytes: 0))
                options.progress = { rows, read, size in
                    report(ScanProgress(path: path, file: index + 1, files: files.count, rows: rows, bytesRead: read, bytes: size))
                }
            }
            var result = FileIngester.ingest(path: path, store: store, run: run, options: options)
            // Met while walking a directory, a file that is no export (an image, an archive, a
            // document: unrecognized, or failing at its first bytes) is skipped with a note, not
            // an error that stops a cron run; a file named on the command line, or one with an
            // export's extension, still fails loudly.
            if !explicit, !isDataFile(path), !result.diskFull, case .failed = result.status, result.stats.stored == 0 {
                result.status = .skipped(reason: "not a supported export")
            }
            if result.diskFull {
                db.truncateWAL()
                diskFull = DiskFull(databasePath: request.databasePath, during: path)
                result.status = .failed(message: "\(path): not stored: the disk of the database is full")
            }
            progress?(result)
            results.append(result)
            if diskFull != nil { break }
        }
        if diskFull != nil { try? store.finishRun(run) } else { try bookkeeping { try store.finishRun(run) } }
        db.truncateWAL()
        return ScanResult(runId: run, policy: policy, files: results, databasePath: request.databasePath, diskFull: diskFull, tally: store.runTally)
    }

    static func isDataFile(_ path: String) -> Bool {
        dataExtensions.contains((path as NSString).pathExtension.lowercased())
    }

    /// Files to read: explicit files as given, directories walked recursively in name order
    /// (hidden entries skipped). Directories reached through symbolic links are walked too
    /// (an export folder is often a link to a mount); each real directory once, so a link
    /// back up the tree ends the walk instead of looping. The flag says whether the user named
    /// the file itself.
    static func collect(_ inputs: [String]) throws -> [(String, Bool)] {
        let fm = FileManager.default
        var out: [(String, Bool)] = []
        for input in inputs {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: input, isDirectory: &isDirectory) else {
                throw InputError(path: input, "no such file or directory")
            }
            if !isDirectory.boolValue { out.append((input, true)); continue }
            var visited: Set<String> = []
            var found: [String] = []
            func walk(_ directory: String) throws {
                let real = (directory as NSString).resolvingSymlinksInPath
                guard visited.insert(real).inserted else { return }
                guard let names = try? fm.contentsOfDirectory(atPath: directory) else { throw InputError(path: directory, "cannot list directory") }
                for name in names.sorted() where !name.hasPrefix(".") {
                    let full = (directory as NSString).appendingPathComponent(name)
                    var dir: ObjCBool = false
                    guard fm.fileExists(atPath: full, isDirectory: &dir) else { continue }   // a dangling link
                    if dir.boolValue { try walk(full) } else { found.append(full) }
                }
            }
            try walk(input)
            out.append(contentsOf: found.sorted().map { ($0, false) })
        }
        return out
    }
}
