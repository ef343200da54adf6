/// Inserts rows 64 to a statement: for narrow rows a statement per row costs more than the
/// row. Used for what the analysis writes in bulk (matches, daily rollups); ingest has its
/// own writer thread (BatchInserter).
struct RowWriter {
    static let rowsPerStatement = 64
    private let db: Database
    private let verb: String
    let columns: [String]
    private let full: Statement
    private var values: [SQLValue] = []

    /// `verb` is the statement up to the table, e.g. "INSERT INTO" or "INSERT OR REPLACE INTO";
    /// `columns` the table's columns each row gives, in order (the one place they are listed).
    init(_ db: Database, _ verb: String, _ table: String, columns: [String]) throws {
        self.db = db
        self.verb = verb + " " + table + "(" + columns.joined(separator: ",") + ")"
        self.columns = columns
        full = try db.prepare(Self.sql(self.verb, columns: columns.count, rows: Self.rowsPerStatement))
        values.reserveCapacity(Self.rowsPerStatement * columns.count)
    }

    private static func sql(_ verb: String, columns: Int, rows: Int) -> String {
        let row = "(" + Array(repeating: "?", count: columns).joined(separator: ",") + ")"
        return verb + " VALUES " + Array(repeating: row, count: rows).joined(separator: ",")
    }

    mutating func add(_ row: [SQLValue]) throws {
        guard row.count == columns.count else {
            throw SQLiteError(code: 25, message: "\(row.count) value(s) for the \(columns.count) columns of \(verb)", sql: nil)   // 25: SQLITE_RANGE
        }
        values += row
        if values.count == Self.rowsPerStatement * columns.count { try write(full) }
    }

    /// Writes what is left; call before the transaction ends.
    mutating func flush() throws {
        guard !values.isEmpty else { return }
        try write(try db.prepare(Self.sql(verb, columns: columns.count, rows: values.count / columns.count)))
    }

    private mutating func write(_ statement: Statement) throws {
        try statement.bind(values)
        _ = try statement.run()
        values.removeAll(keepingCapacity: true)
    }
}
