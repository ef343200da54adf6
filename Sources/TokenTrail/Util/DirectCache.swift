/// A direct-mapped cache keyed by up to three symbols: one slot per key position, no
/// hashing beyond a multiply. Per-row lookups of repeated values (a status, a login type
/// with its subtype) cost a few nanoseconds instead of a Dictionary's SipHash.
struct DirectCache<Value> {
    private var keys: [SIMD4<Int64>]
    private var values: [Value?]
    private let mask: Int

    init(slots: Int = 1024) {
        let size = 1 << Int(ceil(log2(Double(max(slots, 2)))))
        keys = Array(repeating: SIMD4(-1, -1, -1, -1), count: size)
        values = Array(repeating: nil, count: size)
        mask = size - 1
    }

    @inline(__always)
    private func slot(_ key: SIMD4<Int64>) -> Int {
        let mixed = (UInt64(bitPattern: key[0]) &* 0x9E37_79B9_7F4A_7C15)
            ^ (UInt64(bitPattern: key[1]) &* 0xC2B2_AE3D_27D4_EB4F) ^ (UInt64(bitPattern: key[2]) &* 0x1656_67B1_9E37_79F9)
        return Int(truncatingIfNeeded: mixed >> 32) & mask
    }

    func get(_ a: Int64, _ b: Int64 = 0, _ c: Int64 = 0) -> Value? {
        let key = SIMD4(a, b, c, 0)
        let i = slot(key)
        return keys[i] == key ? values[i] : nil
    }

    mutating func set(_ value: Value, _ a: Int64, _ b: Int64 = 0, _ c: Int64 = 0) {
        let key = SIMD4(a, b, c, 0)
        let i = slot(key)
        keys[i] = key
        values[i] = value
    }
}

import Foundation
