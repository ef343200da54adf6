/// The `login_contexts` dimension: every combination of a login's low-cardinality values
/// (origin, type, subtype, flow and basis, status, outcome, URL, TLS, browser, …) stored
/// once, so a login row is 13 narrow columns. A week of one org has a few hundred.
///
/// Looked up for every login, so the hot path is a direct-mapped table of recent contexts
/// (flat arrays, compared field by field with an early exit); the dictionary and SQLite
/// are only reached when a slot misses.
final class LoginContexts {
    static let columns = ["origin", "precision_ms", "login_type", "subtype", "flow", "flow_basis", "status", "outcome",
                          "failure_class", "login_url", "country", "tls", "cipher", "browser", "platform", "api_type",
                          "api_version", "client_version", "auth_method", "uri"]
    private static let width = 20
    private static let slots = 1024

    private var recentValues = [Int64](repeating: 0, count: slots * width)
    private var recentIds = [Int64](repeating: 0, count: slots)
    private var ids: [[Int64]: Int64] = [:]
    private let insert: Statement
    private let select: Statement

    init(db: Database) throws {
        let placeholders = Array(repeating: "?", count: Self.columns.count).joined(separator: ",")
        insert = try db.prepare("INSERT INTO login_contexts(\(Self.columns.joined(separator: ","))) VALUES(\(placeholders)) ON CONFLICT DO NOTHING")
        select = try db.prepare("SELECT id FROM login_contexts WHERE " + Self.columns.map { "\($0) IS ?" }.joined(separator: " AND "))
    }

    @inline(__always)
    private static func withValues<T>(of r: LoginRecord, _ body: (UnsafeBufferPointer<Int64>) throws -> T) rethrows -> T {
        try withUnsafeTemporaryAllocation(of: Int64.self, capacity: width) { v in
            v[0] = r.origin; v[1] = Int64(r.precisionMs); v[2] = r.loginType; v[3] = r.subtype; v[4] = r.flow
            v[5] = r.flowBasis; v[6] = r.status; v[7] = r.outcome; v[8] = r.failureClass; v[9] = r.loginUrl
            v[10] = r.country; v[11] = r.tls; v[12] = r.cipher; v[13] = r.browser; v[14] = r.platform
            v[15] = r.apiType; v[16] = r.apiVersion; v[17] = r.clientVersion; v[18] = r.authMethod; v[19] = r.uri
            return try body(UnsafeBufferPointer(v))
        }
    }

    func id(for r: LoginRecord) throws -> Int64 {
        try Self.withValues(of: r) { values in
            var mix: UInt64 = 0x9E37_79B9_7F4A_7C15
            for value in values { mix = (mix ^ UInt64(bitPattern: value)) &* 0xBF58_476D_1CE4_E5B9 }
            let slot = Int(truncatingIfNeeded: mix >> 40) & (Self.slots - 1)
            let base = slot * Self.width
            if recentIds[slot] != 0 {
                var same = true
                for i in 0..<Self.width where recentValues[base + i] != values[i] { same = false; break }
                if same { return recentIds[slot] }
            }
            let key = Array(values)
            let id: Int64
            if let known = ids[key] {
                id = known
            } else {
                id = try insert.database.lock.withLock { try lookupOrInsert(values) }
                if ids.count > 100_000 { ids.removeAll() }
                ids[key] = id
            }
            for i in 0..<Self.width { recentValues[base + i] = values[i] }
            recentIds[slot] = id
            return id
        }
    }

    private func lookupOrInsert(_ values: UnsafeBufferPointer<Int64>) throws -> Int64 {
        for (i, value) in values.enumerated() {
            // 0 means "no value" and is stored as NULL, like every other absent symbol
            // (precision, column 1, is a number, never absent).
            let index = Int32(i + 1)
            if value == 0 && i != 1 { insert.bindSymbol(0, at: index); select.bindSymbol(0, at: index) } else {
                insert.bind(value, at: index); select.bind(value, at: index)
            }
        }
        try insert.run()
        defer { select.reset() }
        guard try select.step() else { throw SQLiteError(code: 1, message: "login context vanished", sql: nil) }
        return select.int(at: 0)
    }
}
