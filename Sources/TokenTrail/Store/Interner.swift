/// Maps byte strings to `strings` ids without allocating on a hit: an open-addressing table
/// over an arena of the bytes seen. A miss inserts into `strings` (or finds the existing id).
/// The cache is bounded: past `maxEntries` it is cleared, so memory does not grow with input.
/// A `transform` (the scrubber, for free text) runs once per distinct value on a miss: what is
/// stored is the transformed text, while the cache keys stay the bytes as read.
public final class Interner {
    private let transform: ((String) -> String)?
    /// Symbols whose text the transform changed (a credential scrubbed out): the readers note
    /// a `redacted` repair for each field that gives one.
    public private(set) var redacted: Set<Symbol> = []
    private let insert: Statement
    private let select: Statement
    private var slots: [Int32]
    private var mask: Int
    private var hashes: [UInt64] = []
    private var offsets: [Int32] = []
    private var lengths: [Int32] = []
    private var symbols: [Symbol] = []
    private var arena: [UInt8] = []
    private let seed: UInt64
    let maxEntries: Int

    init(database: Database, seed: UInt64, maxEntries: Int = 200_000, transform: ((String) -> String)? = nil) throws {
        self.transform = transform
        insert = try database.prepare("INSERT INTO strings(value) VALUES(?) ON CONFLICT(value) DO NOTHING")
        select = try database.prepare("SELECT id FROM strings WHERE value = ?")
        self.seed = seed
        self.maxEntries = maxEntries
        slots = Array(repeating: -1, count: 1 << 12)
        mask = (1 << 12) - 1
        arena.reserveCapacity(1 << 16)
    }

    @inline(__always)
    private func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h = seed ^ (UInt64(bytes.count) &* 0x9E37_79B9_7F4A_7C15)
        var i = 0
        let n = bytes.count
        while i + 8 <= n {
            h = (h ^ bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < n { tail |= UInt64(bytes[i]) << shift; shift += 8; i += 1 }
        h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
        return h ^ (h >> 29)
    }

    /// The symbol for these bytes (empty → 0, "no value"). Throws `InvalidUTF8` for bytes that
    /// are not UTF-8; a hit needs no check because only validated bytes are remembered.
    public func intern(_ bytes: UnsafeRawBufferPointer) throws -> Symbol {
        if bytes.isEmpty { return 0 }
        let h = hash(bytes)
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let entry = Int(slots[slot])
            if entry < 0 { break }
            if hashes[entry] == h && Int(lengths[entry]) == bytes.count
                && arena.withUnsafeBytes({ Self.equal(UnsafeRawPointer($0.baseAddress! + Int(offsets[entry])), bytes) }) {
                return symbols[entry]
            }
            slot = (slot + 1) & mask
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw InvalidUTF8() }
        let stored = transform.map { $0(text) } ?? text
        let symbol = try lookupOrInsert(stored)
        if stored != text { redacted.insert(symbol) }
        remember(bytes, hash: h, slot: slot, symbol: symbol)
        return symbol
    }

    /// Byte equality, 8 bytes at a time: field values are short, and a libc call per
    /// comparison showed up in profiles.
    @inline(__always)
    static func equal(_ stored: UnsafeRawPointer, _ bytes: UnsafeRawBufferPointer) -> Bool {
        let n = bytes.count
        let other = bytes.baseAddress!
        var i = 0
        while i + 8 <= n {
            if stored.loadUnaligned(fromByteOffset: i, as: UInt64.self) != other.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
            i += 8
        }
        while i < n {
            if stored.load(fromByteOffset: i, as: UInt8.self) != other.load(fromByteOffset: i, as: UInt8.self) { return false }
            i += 1
        }
        return true
    }

    public func intern(_ string: String) throws -> Symbol {
        var copy = string
        return try copy.withUTF8 { try intern(UnsafeRawBufferPointer($0)) }
    }

    public func intern(_ string: String?) throws -> Symbol {
        guard let string else { return 0 }
        return try intern(string)
    }

    private func lookupOrInsert(_ value: String) throws -> Symbol {
        try insert.database.lock.withLock { try lookupOrInsertLocked(value) }
    }

    private func lookupOrInsertLocked(_ value: String) throws -> Symbol {
        insert.bind(value, at: 1)
        if try insert.run() == 1 { return insert.database.lastInsertRowID }
        select.bind(value, at: 1)
        defer { select.reset() }
        guard try select.step() else { throw SQLiteError(code: 1, message: "interned string vanished", sql: select.sql) }
        return select.int(at: 0)
    }

    private func remember(_ bytes: UnsafeRawBufferPointer, hash h: UInt64, slot: Int, symbol: Symbol) {
        if symbols.count >= maxEntries || arena.count > 64 << 20 {
            clear()
            return
        }
        let entry = Int32(symbols.count)
        hashes.append(h)
        offsets.append(Int32(arena.count))
        lengths.append(Int32(bytes.count))
        symbols.append(symbol)
        arena.append(contentsOf: bytes)
        slots[slot] = entry
        if symbols.count * 2 > slots.count { grow() }
    }

    /// Forgets every id: after a rollback the ids of strings inserted since the last commit
    /// are free again, and SQLite hands them to the next new strings.
    func forget() { clear() }

    private func clear() {
        hashes.removeAll(keepingCapacity: true)
        offsets.removeAll(keepingCapacity: true)
        lengths.removeAll(keepingCapacity: true)
        symbols.removeAll(keepingCapacity: true)
        arena.removeAll(keepingCapacity: true)
        for i in slots.indices { slots[i] = -1 }
    }

    private func grow() {
        let capacity = slots.count * 2
        slots = Array(repeating: -1, count: capacity)
        mask = capacity - 1
        for entry in 0..<symbols.count {
            var slot = Int(truncatingIfNeeded: hashes[entry]) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(entry)
        }
    }
}


/// Bytes that are not UTF-8 where text was expected; the row becomes a reject.
public struct InvalidUTF8: Error {}
