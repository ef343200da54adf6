/// The `login_contexts` dimension: every combination of a login's low-cardinality values
/// (origin, type, subtype, flow and basis, status, outcome, URL, TLS, browser, …) stored
/// once, so a login row is 13 narrow columns. A week of one org has a few hundred.
///
/// Looked up for every login, so the hot path is an open-addressing table over flat arrays
/// (values compared field by field, no allocation); SQLite is reached only for a context not
/// seen in this process. A real org has thousands of contexts and a hostile file can make
/// millions: past `maxEntries` the table is cleared, so memory stays bounded.
final class LoginContexts {
    static let columns = ["origin", "precision_ms", "login_type", "subtype", "flow", "flow_basis", "status", "outcome",
                          "failure_class", "login_url", "country", "tls", "cipher", "browser", "platform", "api_type",
                          "api_version", "client_version", "auth_method", "uri"]
    private static let width = 20
    let maxEntries: Int

    private var slots = [Int32](repeating: -1, count: 1 << 12)
    private var entryValues: [Int64] = []
    private var entryIds: [Int64] = []
    private var entryHashes: [UInt64] = []
    private let insert: Statement
    private let select: Statement

    init(db: Database, maxEntries: Int = 1 << 16) throws {
        self.maxEntries = maxEntries
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
            mix ^= mix >> 29
            let mask = slots.count - 1
            var slot = Int(truncatingIfNeeded: mix >> 7) & mask
            while true {
                let entry = Int(slots[slot])
                if entry < 0 { break }
                if entryHashes[entry] == mix {
                    let base = entry * Self.width
                    var same = true
                    for i in 0..<Self.width where entryValues[base + i] != values[i] { same = false; break }
                    if same { return entryIds[entry] }
                }
                slot = (slot + 1) & mask
            }
            let id = try insert.database.lock.withLock { try lookupOrInsert(values) }
            remember(values, hash: mix, id: id)
            return id
        }
    }

    /// Forgets every id (after a rollback, see `Interner.forget`).
    func forget() {
        entryValues.removeAll(keepingCapacity: true); entryIds.removeAll(keepingCapacity: true); entryHashes.removeAll(keepingCapacity: true)
        for i in slots.indices { slots[i] = -1 }
    }

    private func remember(_ values: UnsafeBufferPointer<Int64>, hash: UInt64, id: Int64) {
        if entryIds.count >= maxEntries { forget() }
        // Kept at most half full, so probes stay short.
        if (entryIds.count + 1) * 2 > slots.count {
            slots = [Int32](repeating: -1, count: slots.count * 2)
            for (entry, h) in entryHashes.enumerated() { place(entry, hash: h) }
        }
        entryValues.append(contentsOf: values)
        entryIds.append(id)
        entryHashes.append(hash)
        place(entryIds.count - 1, hash: hash)
    }

    private func place(_ entry: Int, hash: UInt64) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash >> 7) & mask
        while slots[slot] >= 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(entry)
    }

    /// The stored id, else a new row. Looked up first: the UNIQUE constraint does not hold
    /// for rows with NULLs (SQLite counts NULLs distinct), and most contexts have one, so
    /// inserting first stored a context again in every process that met it.
    private func lookupOrInsert(_ values: UnsafeBufferPointer<Int64>) throws -> Int64 {
        for (i, value) in values.enumerated() {
            // 0 means "no value" and is stored as NULL, like every other absent symbol
            // (precision, column 1, is a number, never absent).
            let index = Int32(i + 1)
            if value == 0 && i != 1 { insert.bindSymbol(0, at: index); select.bindSymbol(0, at: index) } else {
                insert.bind(value, at: index); select.bind(value, at: index)
            }
        }
        let found = try select.step() ? select.int(at: 0) : nil
        select.reset()
        if let found { return found }
        if try insert.run() == 1 { return insert.database.lastInsertRowID }
        defer { select.reset() }
        guard try select.step() else { throw SQLiteError(code: 1, message: "login context vanished", sql: nil) }
        return select.int(at: 0)
    }
}
