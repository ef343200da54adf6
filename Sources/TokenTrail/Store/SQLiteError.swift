import CSQLite

/// A failed SQLite call: the result code, SQLite's own message and the SQL that was running.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    public let code: Int32
    public let message: String
    public let sql: String?

    public var description: String {
        let name = String(cString: sqlite3_errstr(code))
        if let sql { return "SQLite error \(code) (\(name)): \(message) [SQL: \(sql.prefix(200))]" }
        return "SQLite error \(code) (\(name)): \(message)"
    }
}
