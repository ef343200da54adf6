import CSQLite

/// A failed SQLite call: the result code, SQLite's own message and the SQL that was running.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    public let code: Int32
    public let message: String
    public let sql: String?
    /// The database file, when the error is about it (every error of a statement is).
    public var path: String?

    public init(code: Int32, message: String, sql: String?, path: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
        self.path = path
    }

    /// What a user can do about it, by SQLite's primary result code.
    var advice: String? {
        switch code & 0xFF {
        case SQLITE_CANTOPEN: return "cannot open the database file: does its directory exist, and may this user write there?"
        case SQLITE_CORRUPT, SQLITE_NOTADB: return "the database file is damaged or is no SQLite database: restore it from a backup, or scan into a new --db"
        case SQLITE_READONLY: return "the database is read-only: scan needs write access to the file and its directory (check permissions, or copy it)"
        case SQLITE_PERM, SQLITE_AUTH: return "access to the database was refused: check the file's permissions"
        case SQLITE_FULL: return "the disk of the database is full: free space, then scan again"
        case SQLITE_IOERR: return "the database file could not be read or written (a disk or network-mount error)"
        case SQLITE_BUSY, SQLITE_LOCKED: return "another process holds the database: wait for it, or use another --db"
        default: return nil
        }
    }

    public var description: String {
        let name = String(cString: sqlite3_errstr(code))
        let place = path.map { "\($0): " } ?? ""
        if let advice { return "\(place)\(advice) (SQLite: \(name): \(message))" }
        if let sql { return "\(place)SQLite error \(code) (\(name)): \(message) [SQL: \(sql.prefix(200))]" }
        return "\(place)SQLite error \(code) (\(name)): \(message)"
    }
}
