/// Inserts rows 64 to a statement: for narrow rows a statement per row costs more than the
/// row. Used for what the analysis writes in bulk (matches, daily rollups); ingest has its
/// own writer thread (BatchInserter).
struct RowWriter {
    static let rowsPerStatement = 64
    private let db: Database
    private let verb: String
    private let columns: Int
    private let full: Statement
    private var values: [SQLValue] = []

    /// `verb` is the statement up to VALUES, e.g. "INSERT INTO t" or "INSERT OR REPLACE INTO t".
    init(_ db: Database, _ verb: String, columns: Int) throws {
        self.db = db
        self.verb = verb
        self.columns = columns
        full = try db.prepare(Self.sql(verb, columns: columns, rows: Self.rowsPerStatement))
        values.reserveCapacity(Self.rowsPerStatement * columns)
    }

    private static func sql(_ verb: String, columns: Int, rows: Int) -> String {
        let row = "(" + Array(repeating: "?", count: columns).joined(separator: ",") + ")"
        return verb + " VALUES " + Array(repeating: row, count: rows).joined(separator: ",")
    }

    mutating func add(_ row: [SQLValue]) throws {
        precondition(row.count == columns, "RowWriter: \(row.count) values for \(columns) columns")
        values += row
        if values.count == Self.rowsPerStatement * columns { try write(full) }
    }

    /// Writes what is left; call before the transaction ends.
    mutating func flush() throws {
        guard !values.isEmpty else { return }
        try write(try db.prepare(Self.sql(verb, columns: columns, rows: values.count / columns)))
    }

    private mutating func write(_ statement: Statement) throws {
        try statement.bind(values)
        _ = try statement.run()
        values.removeAll(keepingCapacity: true)
    }
}
