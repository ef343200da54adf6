/// The `login_contexts` dimension: every combination of a login's low-cardinality values
/// (origin, type, subtype, flow and basis, status, outcome, URL, TLS, browser, …) stored
/// once, so a login row is 13 narrow columns. A week of one org has a few hundred.
final class LoginContexts {
    /// 20 values in one SIMD vector (no heap allocation per row) with a cheap precomputed
    /// mix as its hash; equality still compares every value.
    private struct Key: Hashable {
        var values = SIMD32<Int64>()
        var mix = 0
        func hash(into hasher: inout Hasher) { hasher.combine(mix) }
        static func == (a: Key, b: Key) -> Bool { a.mix == b.mix && a.values == b.values }
    }
    private var ids: [Key: Int64] = [:]
    /// In front of `ids`: the slot for a key's mix remembers the last context seen there
    /// (parallel arrays, so a probe compares in place instead of copying a 272-byte tuple).
    private var recentMix = [Int](repeating: 0, count: 256)
    private var recentValues = [SIMD32<Int64>](repeating: SIMD32(), count: 256)
    private var recentIds = [Int64](repeating: 0, count: 256)
    private let insert: Statement
    private let select: Statement
    static let columns = ["origin", "precision_ms", "login_type", "subtype", "flow", "flow_basis", "status", "outcome",
                          "failure_class", "login_url", "country", "tls", "cipher", "browser", "platform", "api_type",
                          "api_version", "client_version", "auth_method", "uri"]

    init(db: Database) throws {
        let placeholders = Array(repeating: "?", count: Self.columns.count).joined(separator: ",")
        insert = try db.prepare("INSERT INTO login_contexts(\(Self.columns.joined(separator: ","))) VALUES(\(placeholders)) ON CONFLICT DO NOTHING")
        select = try db.prepare("SELECT id FROM login_contexts WHERE " + Self.columns.map { "\($0) IS ?" }.joined(separator: " AND "))
    }

    private static func key(of r: LoginRecord) -> Key {
        var k = SIMD32<Int64>()
        k[0] = r.origin; k[1] = Int64(r.precisionMs); k[2] = r.loginType; k[3] = r.subtype; k[4] = r.flow
        k[5] = r.flowBasis; k[6] = r.status; k[7] = r.outcome; k[8] = r.failureClass; k[9] = r.loginUrl
        k[10] = r.country; k[11] = r.tls; k[12] = r.cipher; k[13] = r.browser; k[14] = r.platform
        k[15] = r.apiType; k[16] = r.apiVersion; k[17] = r.clientVersion; k[18] = r.authMethod; k[19] = r.uri
        var mix: UInt64 = 0x9E37_79B9_7F4A_7C15
        for i in 0..<20 { mix = (mix ^ UInt64(bitPattern: k[i])) &* 0xBF58_476D_1CE4_E5B9; mix ^= mix >> 29 }
        return Key(values: k, mix: Int(truncatingIfNeeded: mix))
    }

    func id(for r: LoginRecord) throws -> Int64 {
        let key = Self.key(of: r)
        let slot = key.mix & 255
        if recentIds[slot] != 0 && recentMix[slot] == key.mix && recentValues[slot] == key.values { return recentIds[slot] }
        if let id = ids[key] {
            recentMix[slot] = key.mix; recentValues[slot] = key.values; recentIds[slot] = id
            return id
        }
        let id = try insert.database.lock.withLock { try lookupOrInsert(key) }
        if ids.count > 100_000 { ids.removeAll() }
        ids[key] = id
        return id
    }

    private func lookupOrInsert(_ key: Key) throws -> Int64 {
        for i in 0..<Self.columns.count {
            let value = key.values[i]
            // 0 means "no value": stored as NULL like every other absent symbol.
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
