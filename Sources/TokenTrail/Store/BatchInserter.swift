/// Inserts records of one table in multi-row statements (`INSERT … VALUES (…),(…),…`).
/// One statement per `batchSize` rows saves the per-step statement overhead (measured on
/// 200k Login History rows: 1.59 s → 1.39 s end to end against single-row statements).
/// Rows conflicting on the primary key are skipped (`ON CONFLICT DO NOTHING`).
final class BatchInserter<Record> {
    typealias Binder = (Statement, Record, Int32) -> Void

    private let db: Database
    private let table: String
    let columns: Int
    let batchSize: Int
    private let bindRow: Binder
    private var pending: [Record] = []
    private var statements: [Int: Statement] = [:]
    /// Rows handed in, and rows actually inserted (the rest were duplicates).
    private(set) var added = 0
    private(set) var inserted = 0

    init(db: Database, table: String, batchSize: Int = 64, bind: @escaping Binder) throws {
        self.db = db
        self.table = table
        self.columns = Int(try db.scalar("SELECT count(*) FROM pragma_table_info(?)", [.text(table)]).int ?? 0)
        guard columns > 0 else { throw SQLiteError(code: 1, message: "no table \(table)", sql: nil) }
        // SQLite allows at most 32766 parameters per statement.
        self.batchSize = max(1, min(batchSize, 32766 / columns))
        self.bindRow = bind
        pending.reserveCapacity(self.batchSize)
    }

    func add(_ record: Record) throws {
        pending.append(record)
        added += 1
        if pending.count == batchSize { try flush() }
    }

    /// Writes what is pending; call before committing the file's transaction.
    func flush() throws {
        guard !pending.isEmpty else { return }
        let statement = try self.statement(rows: pending.count)
        for (row, record) in pending.enumerated() {
            bindRow(statement, record, Int32(row * columns))
        }
        inserted += try statement.run()
        pending.removeAll(keepingCapacity: true)
    }

    /// Forgets pending rows (the file's transaction is being rolled back).
    func discard() { pending.removeAll(keepingCapacity: true) }

    private func statement(rows: Int) throws -> Statement {
        if let cached = statements[rows] { return cached }
        let tuple = "(" + Array(repeating: "?", count: columns).joined(separator: ",") + ")"
        let sql = "INSERT INTO \(table) VALUES " + Array(repeating: tuple, count: rows).joined(separator: ",") + " ON CONFLICT DO NOTHING"
        let statement = try db.prepare(sql)
        statements[rows] = statement
        return statement
    }
}
