/// SipHash-2-4 (64-bit output) with a per-database random key. De-duplication keys are hashes
/// of attacker-controlled log text; a keyed hash means nobody can craft a row that collides
/// with, and so silently hides, another.
public struct SipHasher {
    private var v0, v1, v2, v3: UInt64
    private var tail: UInt64 = 0
    private var tailBytes: Int = 0
    private var length: Int = 0

    public init(key0: UInt64, key1: UInt64) {
        v0 = 0x736f6d6570736575 ^ key0
        v1 = 0x646f72616e646f6d ^ key1
        v2 = 0x6c7967656e657261 ^ key0
        v3 = 0x7465646279746573 ^ key1
    }

    @inline(__always) private static func rotl(_ x: UInt64, _ b: UInt64) -> UInt64 { (x << b) | (x >> (64 - b)) }

    @inline(__always) private mutating func round() {
        v0 = v0 &+ v1; v1 = Self.rotl(v1, 13); v1 ^= v0; v0 = Self.rotl(v0, 32)
        v2 = v2 &+ v3; v3 = Self.rotl(v3, 16); v3 ^= v2
        v0 = v0 &+ v3; v3 = Self.rotl(v3, 21); v3 ^= v0
        v2 = v2 &+ v1; v1 = Self.rotl(v1, 17); v1 ^= v2; v2 = Self.rotl(v2, 32)
    }

    @inline(__always) private mutating func absorb(_ m: UInt64) {
        v3 ^= m; round(); round(); v0 ^= m
    }

    @inline(__always) mutating func combineByte(_ byte: UInt8) {
        tail |= UInt64(byte) << UInt64(tailBytes * 8)
        tailBytes += 1
        length += 1
        if tailBytes == 8 { absorb(tail); tail = 0; tailBytes = 0 }
    }

    public mutating func combine(_ bytes: UnsafeRawBufferPointer) {
        var i = 0
        if tailBytes == 0 {
            while i + 8 <= bytes.count {
                absorb(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
                length += 8
                i += 8
            }
        }
        while i < bytes.count { combineByte(bytes[i]); i += 1 }
        combineByte(0xff) // field separator, so ("ab","c") and ("a","bc") differ
    }

    public mutating func combine(_ value: Int64) {
        var v = UInt64(bitPattern: value)
        for _ in 0..<8 { combineByte(UInt8(truncatingIfNeeded: v)); v >>= 8 }
    }

    public mutating func combine(_ string: String) {
        var copy = string
        copy.withUTF8 { combine(UnsafeRawBufferPointer($0)) }
    }

    public mutating func finalize() -> Int64 {
        let b = (UInt64(truncatingIfNeeded: length) << 56) | tail
        absorb(b)
        v2 ^= 0xff
        round(); round(); round(); round()
        return Int64(bitPattern: v0 ^ v1 ^ v2 ^ v3)
    }
}

/// The per-database SipHash key; every natural key of that database is hashed with it.
public struct DedupKey: Sendable {
    public let key0: UInt64
    public let key1: UInt64
    public func hasher() -> SipHasher { SipHasher(key0: key0, key1: key1) }
}
