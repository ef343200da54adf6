import CSQLite

/// While a report panel is compiled and run, SQLite asks this authorizer about every action:
/// only SELECT, functions and reading the database's own tables and views (main and the
/// report's TEMP rollups) pass. ATTACH (which creates files and lets a later panel read
/// another database), PRAGMA, writes and schema changes are refused by name.
final class ReadAuthorizer {
    /// The first refused action, for the message.
    private(set) var refused: String?
    /// The tables and views a panel may read: the database's own, listed before the
    /// authorizer is installed (SQLite does not always name the schema of a read).
    private let readable: Set<String>

    init(db: Database) throws {
        readable = Set(try db.rows("""
            SELECT name FROM main.sqlite_master WHERE type IN ('table', 'view') UNION SELECT name FROM temp.sqlite_master WHERE type IN ('table', 'view')
            """).compactMap { $0[0].string }.filter { !$0.hasPrefix("sqlite_") })
    }

    private static let callback: @convention(c) (UnsafeMutableRawPointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?,
                                                 UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Int32 = { context, action, first, _, schema, _ in
        guard let context else { return SQLITE_DENY }
        let authorizer = Unmanaged<ReadAuthorizer>.fromOpaque(context).takeUnretainedValue()
        switch action {
        case SQLITE_SELECT, SQLITE_FUNCTION, SQLITE_RECURSIVE:
            return SQLITE_OK
        case SQLITE_READ:
            let table = first.map { String(cString: $0) } ?? ""
            let database = schema.map { String(cString: $0) } ?? ""
            if ["main", "temp", ""].contains(database) && authorizer.readable.contains(table) { return SQLITE_OK }
            authorizer.note("reading \(database.isEmpty ? "" : database + ".")\(table)")
            return SQLITE_DENY
        default:
            let object = first.map { " " + String(cString: $0) } ?? ""
            authorizer.note((actionNames[action] ?? "action \(action)") + object)
            return SQLITE_DENY
        }
    }

    private func note(_ action: String) { if refused == nil { refused = action } }

    static let actionNames: [Int32: String] = [
        SQLITE_ATTACH: "ATTACH", SQLITE_DETACH: "DETACH", SQLITE_PRAGMA: "PRAGMA", SQLITE_INSERT: "INSERT", SQLITE_UPDATE: "UPDATE",
        SQLITE_DELETE: "DELETE", SQLITE_TRANSACTION: "a transaction", SQLITE_SAVEPOINT: "SAVEPOINT", SQLITE_ANALYZE: "ANALYZE",
        SQLITE_CREATE_TABLE: "CREATE TABLE", SQLITE_CREATE_TEMP_TABLE: "CREATE TEMP TABLE", SQLITE_CREATE_VIEW: "CREATE VIEW",
        SQLITE_CREATE_TEMP_VIEW: "CREATE TEMP VIEW", SQLITE_CREATE_INDEX: "CREATE INDEX", SQLITE_CREATE_TRIGGER: "CREATE TRIGGER",
        SQLITE_CREATE_TEMP_TRIGGER: "CREATE TEMP TRIGGER", SQLITE_DROP_TABLE: "DROP TABLE", SQLITE_DROP_VIEW: "DROP VIEW",
        SQLITE_DROP_INDEX: "DROP INDEX", SQLITE_DROP_TRIGGER: "DROP TRIGGER", SQLITE_ALTER_TABLE: "ALTER TABLE", SQLITE_REINDEX: "REINDEX",
        SQLITE_CREATE_VTABLE: "CREATE VIRTUAL TABLE", SQLITE_DROP_VTABLE: "DROP VIRTUAL TABLE",
    ]

    /// Runs `body` with the authorizer installed on `db`, then removes it.
    func run<T>(on db: Database, _ body: () throws -> T) rethrows -> T {
        sqlite3_set_authorizer(db.handle, Self.callback, Unmanaged.passUnretained(self).toOpaque())
        defer { sqlite3_set_authorizer(db.handle, nil, nil) }
        return try body()
    }
}
