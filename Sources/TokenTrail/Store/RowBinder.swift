/// Binds one record's values to consecutive statement parameters, each call naming its
/// column. The binder is the one place a table's insert lists its columns: run once over an
/// empty record without a statement (`columns(of:)`), it yields the column list the INSERT
/// names, and a test checks that list against the schema's columns.
struct RowBinder {
    private let statement: Statement?
    private var index: Int32
    /// Recording mode (no statement): the columns bound, in order.
    private(set) var columns: [String] = []

    init(_ statement: Statement, offset: Int32) {
        self.statement = statement
        index = offset
    }

    private init() {
        statement = nil
        index = 0
    }

    /// The columns `bind` binds, in order.
    static func columns<Record>(of bind: (inout RowBinder, Record) -> Void, _ empty: Record) -> [String] {
        var recorder = RowBinder()
        bind(&recorder, empty)
        return recorder.columns
    }

    @inline(__always)
    private mutating func next(_ column: StaticString) -> Int32? {
        index += 1
        if statement == nil { columns.append(column.description); return nil }
        return index
    }

    mutating func value(_ column: StaticString, _ v: Int64) { if let i = next(column) { statement?.bind(v, at: i) } }
    mutating func value(_ column: StaticString, _ v: Int64?) { if let i = next(column) { statement?.bind(v, at: i) } }
    /// Text bound as it is stored: scrubbed of credential shapes (`Redactor.scrubShapes`), whatever the column.
    mutating func value(_ column: StaticString, _ v: String?) { if let i = next(column) { statement?.bind(v.map(Redactor.scrubShapes), at: i) } }
    /// An interned symbol: 0 (no value) binds NULL.
    mutating func symbol(_ column: StaticString, _ v: Int64) { if let i = next(column) { statement?.bindSymbol(v, at: i) } }
}
