import CSQLite

/// SQLITE_TRANSIENT: SQLite copies the bytes before the bind call returns.
let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A value read from or bound to SQLite.
public enum SQLValue: Equatable, Sendable, CustomStringConvertible {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)

    public var int: Int64? {
        switch self {
        case .integer(let v): return v
        case .real(let v): return Int64(v)
        case .text(let s): return Int64(s)
        case .null: return nil
        }
    }
    public var string: String? {
        switch self {
        case .text(let s): return s
        case .integer(let v): return String(v)
        case .real(let v): return String(v)
        case .null: return nil
        }
    }
    public var description: String { string ?? "NULL" }
}

/// A prepared statement; reused for every row of a batch (bind, step, reset).
public final class Statement: @unchecked Sendable {
    let handle: OpaquePointer
    let sql: String
    unowned let database: Database

    /// SQL after the first statement (a panel must hold exactly one).
    let trailing: String

    init(database: Database, sql: String) throws {
        var statement: OpaquePointer?
        var rest = ""
        let rc = sql.withCString { text in
            var tail: UnsafePointer<CChar>?
            let rc = sqlite3_prepare_v3(database.handle, text, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, &tail)
            if let tail { rest = String(cString: tail) }
            return rc
        }
        guard rc == SQLITE_OK, let statement else {
            throw SQLiteError(code: rc, message: database.lastErrorMessage, sql: sql, path: database.path)
        }
        self.handle = statement
        self.sql = sql
        self.database = database
        trailing = rest
    }

    deinit { sqlite3_finalize(handle) }

    public var columnCount: Int { Int(sqlite3_column_count(handle)) }
    public func columnName(at index: Int) -> String { sqlite3_column_name(handle, Int32(index)).map { String(cString: $0) } ?? "" }

    // MARK: binding (1-based indexes, as SQLite counts them)

    // Every bind's result code is checked: the first failure (a parameter index out of range,
    // a value too big, no memory) is kept and thrown by the next `step`, so a row is never
    // written with a parameter silently left NULL. (Binds stay non-throwing: they are the hot path.)
    private var bindFailure: (code: Int32, index: Int32)?

    @inline(__always)
    private func check(_ rc: Int32, _ index: Int32) {
        if rc != SQLITE_OK && bindFailure == nil { bindFailure = (rc, index) }
    }

    public func bind(_ value: Int64, at index: Int32) {
        check(sqlite3_bind_int64(handle, index, value), index)
    }

    /// Binds an interned symbol; 0 means "no value" and binds NULL.
    public func bindSymbol(_ value: Int64, at index: Int32) {
        check(value == 0 ? sqlite3_bind_null(handle, index) : sqlite3_bind_int64(handle, index, value), index)
    }

    public func bindNull(at index: Int32) {
        check(sqlite3_bind_null(handle, index), index)
    }

    public func bind(_ value: Int64?, at index: Int32) {
        if let value { bind(value, at: index) } else { bindNull(at: index) }
    }

    public func bind(_ value: Double?, at index: Int32) {
        if let value { check(sqlite3_bind_double(handle, index, value), index) } else { bindNull(at: index) }
    }

    public func bind(_ value: String?, at index: Int32) {
        guard let value else { bindNull(at: index); return }
        var copy = value
        let rc = copy.withUTF8 { bytes in
            sqlite3_bind_text(handle, index, bytes.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) },
                              Int32(bytes.count), sqliteTransient)
        }
        check(rc, index)
    }

    public func bind(_ value: SQLValue, at index: Int32) {
        switch value {
        case .null: bindNull(at: index)
        case .integer(let v): bind(v, at: index)
        case .real(let v): bind(v, at: index)
        case .text(let s): bind(s, at: index)
        }
    }

    /// Binds every parameter, in order: as many values as the statement has parameters.
    public func bind(_ values: [SQLValue]) throws {
        let parameters = Int(sqlite3_bind_parameter_count(handle))
        guard values.count == parameters else {
            throw SQLiteError(code: SQLITE_RANGE, message: "\(values.count) value(s) for \(parameters) parameter(s)", sql: sql)
        }
        for (offset, value) in values.enumerated() { bind(value, at: Int32(offset + 1)) }
    }

    // MARK: stepping

    /// Advances; true while a row is available. Throws with the statement's SQL on error.
    @discardableResult
    public func step() throws -> Bool {
        if let failure = bindFailure {
            bindFailure = nil
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
            throw SQLiteError(code: failure.code, message: "binding parameter \(failure.index) failed: \(String(cString: sqlite3_errstr(failure.code)))", sql: sql)
        }
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let message = database.lastErrorMessage
            sqlite3_reset(handle)
            throw SQLiteError(code: rc, message: message, sql: sql, path: database.path)
        }
    }

    /// Runs an INSERT/UPDATE once with what is bound, then resets for the next row.
    /// Returns the number of rows it changed (0 when a conflict was ignored).
    @discardableResult
    public func run() throws -> Int {
        defer { sqlite3_reset(handle) }
        try step()
        return database.changes
    }

    /// Binds `:name` parameters from `values`; a parameter not given is NULL.
    public func bind(named values: [String: SQLValue]) {
        let count = sqlite3_bind_parameter_count(handle)
        guard count > 0 else { return }
        for index in 1...count {
            guard let cName = sqlite3_bind_parameter_name(handle, index) else { continue }
            bind(values[String(String(cString: cName).dropFirst())] ?? .null, at: index)
        }
    }

    public var columnNames: [String] {
        (0..<sqlite3_column_count(handle)).map { String(cString: sqlite3_column_name(handle, $0)) }
    }

    /// True for a statement that only reads (panels must not change the database).
    public var isReadOnly: Bool { sqlite3_stmt_readonly(handle) != 0 }

    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    // MARK: reading columns (0-based, as SQLite counts them)

    public func int(at index: Int32) -> Int64 { sqlite3_column_int64(handle, index) }
    public func isNull(at index: Int32) -> Bool { sqlite3_column_type(handle, index) == SQLITE_NULL }
    public func text(at index: Int32) -> String? {
        guard let pointer = sqlite3_column_text(handle, index) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, index))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    public func value(at index: Int) -> SQLValue {
        let column = Int32(index)
        switch sqlite3_column_type(handle, column) {
        case SQLITE_INTEGER: return .integer(int(at: column))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(handle, column))
        case SQLITE_NULL: return .null
        default: return .text(text(at: column) ?? "")
        }
    }
}
