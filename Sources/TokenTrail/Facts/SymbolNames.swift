/// Symbol ids ↔ strings for the analysis. Rules aggregate on ids and resolve only what they
/// report, so a million rows cost a million integer reads, not a million strings.
public final class SymbolNames {
    private let byId: Statement
    private let byValue: Statement
    private var names: [Int64: String] = [:]
    private var ids: [String: Int64] = [:]
    /// At most this many names, and about `capacity` × 256 bytes of them, are held; past
    /// either the cache starts over. A reader that walks every row of a large database (the
    /// export) stays flat however long the values; the analysis keeps all it met.
    private let capacity: Int
    private var heldBytes = 0

    init(db: Database, capacity: Int = .max) throws {
        self.capacity = capacity
        byId = try db.prepare("SELECT value FROM strings WHERE id = ?")
        byValue = try db.prepare("SELECT id FROM strings WHERE value = ?")
    }

    /// The string of a symbol; 0 (a NULL column) has none.
    public func name(_ id: Int64) throws -> String? {
        guard id != 0 else { return nil }
        if let known = names[id] { return known }
        byId.bind(id, at: 1)
        defer { byId.reset() }
        guard try byId.step(), let value = byId.text(at: 0) else { return nil }
        if capacity != .max {
            heldBytes += value.utf8.count
            if names.count >= capacity || heldBytes > capacity &* 256 { names.removeAll(keepingCapacity: true); heldBytes = value.utf8.count }
        }
        names[id] = value
        return value
    }

    /// The symbol of a string, or 0 when the database never stored it.
    public func id(_ value: String) throws -> Int64 {
        if let known = ids[value] { return known }
        byValue.bind(value, at: 1)
        defer { byValue.reset() }
        let id = try byValue.step() ? byValue.int(at: 0) : 0
        ids[value] = id
        return id
    }
}
