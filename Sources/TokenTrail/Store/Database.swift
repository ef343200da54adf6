import Foundation
import CSQLite

/// One SQLite connection, opened without SQLite's own mutex. While a file is ingested a
/// writer thread (BatchInserter) uses it too: both sides take `lock` around their calls.
public final class Database: @unchecked Sendable {
    let handle: OpaquePointer
    let lock = NSLock()

    public let path: String
    public let readOnly: Bool

    public convenience init(path: String, readOnly: Bool = false) throws {
        try self.init(path: path, readOnly: readOnly, immutable: false)
    }

    private init(path: String, readOnly: Bool, immutable: Bool) throws {
        var db: OpaquePointer?
        let flags = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        let name = immutable ? "file:" + Self.uriEscaped(path) + "?immutable=1" : path
        let rc = sqlite3_open_v2(name, &db, flags | SQLITE_OPEN_NOMUTEX | (immutable ? SQLITE_OPEN_URI : 0), nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(code: rc, message: message, sql: nil, path: path)
        }
        handle = db
        self.path = path
        self.readOnly = readOnly
        sqlite3_extended_result_codes(db, 1)
        if readOnly {
            sqlite3_busy_timeout(db, 5000)
        } else {
            sqlite3_busy_handler(db, Database.busyHandler, Unmanaged.passUnretained(self).toOpaque())
        }
        if Timings.statements { sqlite3_trace_v2(db, UInt32(SQLITE_TRACE_PROFILE), Database.profile, nil) }
    }

    /// TOKENTRAIL_TIMINGS=sql: each statement that ran 20 ms or more, with its time, on stderr
    /// (the SQL text as written, its values not expanded: no record value is printed). The time
    /// runs from the first step to the reset, so a cursor's includes the caller's work per row.
    private static let profile: @convention(c) (UInt32, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Int32 = { _, _, statement, elapsed in
        guard let statement, let elapsed else { return 0 }
        let nanoseconds = elapsed.load(as: Int64.self)
        guard nanoseconds >= 20_000_000, let sql = sqlite3_sql(OpaquePointer(statement)) else { return 0 }
        let text = String(cString: sql).split(whereSeparator: \.isWhitespace).joined(separator: " ").prefix(160)
        FileHandle.standardError.write(Data(String(format: "sql %7.3f s  %@\n", Double(nanoseconds) / 1e9, String(text)).utf8))
        return 0
    }

    /// Told once per wait, after a second, that another writer holds the database (a writer
    /// waits for it rather than failing: two scans run one after the other).
    public var onWait: (@Sendable (String) -> Void)?
    /// How long a writer waits for another one before it gives up.
    public var maxWaitSeconds = 3600.0
    private var waitStarted = 0.0
    private var waitAnnounced = false

    private static let busyHandler: @convention(c) (UnsafeMutableRawPointer?, Int32) -> Int32 = { context, count in
        guard let context else { return 0 }
        return Unmanaged<Database>.fromOpaque(context).takeUnretainedValue().keepWaiting(attempt: count) ? 1 : 0
    }

    private func keepWaiting(attempt: Int32) -> Bool {
        let now = Date().timeIntervalSinceReferenceDate
        if attempt == 0 { waitStarted = now; waitAnnounced = false }
        let waited = now - waitStarted
        if waited > 1, !waitAnnounced {
            waitAnnounced = true
            onWait?("waiting for the database \(path): another scan holds it (this one goes on when that one finishes)")
        }
        if waited > maxWaitSeconds { return false }
        usleep(attempt < 10 ? 10_000 : 100_000)
        return true
    }

    /// A connection for the commands that only read (report, timeline, diff, policy suggest):
    /// it takes no lock a writer waits for, so it runs while a scan writes, and it works on a
    /// read-only copy (read-only media, where SQLite cannot create the WAL index: then the
    /// file is opened as immutable, which is what it is there).
    public static func reader(path: String) throws -> Database {
        let db = try Database(path: path, readOnly: true)
        do {
            _ = try db.scalar("SELECT count(*) FROM sqlite_master")
            return db
        } catch let error as SQLiteError where error.code & 0xff == SQLITE_CANTOPEN || error.code & 0xff == SQLITE_READONLY {
            let immutable = try Database(path: path, readOnly: true, immutable: true)
            _ = try immutable.scalar("SELECT count(*) FROM sqlite_master")
            return immutable
        }
    }

    static func uriEscaped(_ path: String) -> String {
        var out = ""
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "%"), UInt8(ascii: "?"), UInt8(ascii: "#"), 0x80...0xFF: out += String(format: "%%%02X", byte)
            default: out.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return out
    }

    deinit { sqlite3_close_v2(handle) }

    /// Runs one or more statements that take no parameters and return nothing of interest.
    public func execute(_ sql: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if rc != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? lastErrorMessage
            sqlite3_free(errorMessage)
            throw SQLiteError(code: rc, message: message, sql: sql, path: self.path)
        }
    }

    /// Runs one statement with its values bound; returns the rows it changed.
    @discardableResult
    public func execute(_ sql: String, _ values: [SQLValue]) throws -> Int {
        let statement = try prepare(sql)
        try statement.bind(values)
        return try statement.run()
    }

    public func prepare(_ sql: String) throws -> Statement {
        try Statement(database: self, sql: sql)
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    /// `immediate: false` for a reader's writes to its TEMP schema, which take no write lock.
    public func transaction<T>(immediate: Bool = true, _ body: () throws -> T) throws -> T {
        try execute(immediate ? "BEGIN IMMEDIATE" : "BEGIN")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Rows changed by the last INSERT/UPDATE/DELETE (0 when ON CONFLICT DO NOTHING skipped it).
    public var changes: Int { Int(sqlite3_changes(handle)) }
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    var lastErrorMessage: String { String(cString: sqlite3_errmsg(handle)) }

    /// Convenience for one-value queries (counts, meta values).
    public func scalar(_ sql: String, _ values: [SQLValue] = []) throws -> SQLValue {
        let statement = try prepare(sql)
        try statement.bind(values)
        return try statement.step() ? statement.value(at: 0) : .null
    }

    /// Every row of a query as values; for small result sets (summaries, tests).
    public func rows(_ sql: String, _ values: [SQLValue] = []) throws -> [[SQLValue]] {
        let statement = try prepare(sql)
        try statement.bind(values)
        var result: [[SQLValue]] = []
        while try statement.step() {
            result.append((0..<statement.columnCount).map { statement.value(at: $0) })
        }
        return result
    }

    /// Every row of a query by column name: what a table's owner decodes its rows from.
    public func records(_ sql: String, _ values: [SQLValue] = []) throws -> [NamedRow] {
        try records(try prepare(sql), values)
    }

    /// The same from a statement prepared once and run for many values (reset after).
    public func records(_ statement: Statement, _ values: [SQLValue]) throws -> [NamedRow] {
        try statement.bind(values)
        defer { statement.reset() }
        let names = (0..<statement.columnCount).map { statement.columnName(at: $0) }
        var result: [NamedRow] = []
        while try statement.step() {
            var record = NamedRow()
            for (i, name) in names.enumerated() { record.values[name] = statement.value(at: i) }
            result.append(record)
        }
        return result
    }
}

/// One row by column name; a column the query did not select reads as NULL.
public struct NamedRow: Sendable {
    var values: [String: SQLValue] = [:]
    public subscript(_ column: String) -> SQLValue { values[column] ?? .null }
}
