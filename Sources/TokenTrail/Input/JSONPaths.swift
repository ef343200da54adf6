import Glibc

/// The values at a fixed set of key paths in one JSON object (`actor.id`,
/// `client.userAgent.rawUserAgent`), read as spans from the bytes in one pass: no value tree.
/// Reused from line to line; its tables are flat buffers, so reading a line allocates and
/// retains nothing. Like `JSONMembers`, it declines what the tree parser might read
/// differently (a key on a path given twice, escaped or non-ASCII keys, invalid JSON).
final class JSONPathSpans {
    /// A key of one object level: its bytes in `names`, the path that ends there (-1: none)
    /// and the level below it (-1: none).
    private struct Entry { var nameStart: Int, nameCount: Int, path: Int, child: Int }
    private let names: UnsafeMutableBufferPointer<UInt8>
    private let entries: UnsafeMutableBufferPointer<Entry>
    /// Level `l`'s entries are `entries[levelStart[l] ..< levelStart[l + 1]]`.
    private let levelStart: UnsafeMutableBufferPointer<Int>
    private let seen: UnsafeMutableBufferPointer<Bool>
    private let values: UnsafeMutableBufferPointer<JSONSpan?>

    /// `paths[i]` is read into `self[i]`.
    init(_ paths: [[String]]) {
        var levels: [[(name: String, path: Int, child: Int)]] = [[]]
        for (pathIndex, path) in paths.enumerated() {
            precondition(!path.isEmpty, "an empty key path")
            var level = 0
            for (depth, key) in path.enumerated() {
                var slot = levels[level].firstIndex { $0.name == key } ?? -1
                if slot < 0 { slot = levels[level].count; levels[level].append((key, -1, -1)) }
                if depth == path.count - 1 {
                    levels[level][slot].path = pathIndex
                } else {
                    if levels[level][slot].child < 0 { levels.append([]); levels[level][slot].child = levels.count - 1 }
                    level = levels[level][slot].child
                }
            }
        }
        let flat = levels.flatMap { $0 }
        names = .allocate(capacity: max(1, flat.reduce(0) { $0 + $1.name.utf8.count }))
        entries = .allocate(capacity: max(1, flat.count))
        levelStart = .allocate(capacity: levels.count + 1)
        var offset = 0, e = 0
        for (l, level) in levels.enumerated() {
            levelStart[l] = e
            for key in level {
                for (i, byte) in key.name.utf8.enumerated() { names[offset + i] = byte }
                entries[e] = Entry(nameStart: offset, nameCount: key.name.utf8.count, path: key.path, child: key.child)
                offset += key.name.utf8.count
                e += 1
            }
        }
        levelStart[levels.count] = e
        seen = .allocate(capacity: levels.count)
        values = .allocate(capacity: max(1, paths.count))
        values.initialize(repeating: nil)
        count = paths.count
    }

    deinit {
        names.deallocate(); entries.deallocate(); levelStart.deallocate(); seen.deallocate(); values.deallocate()
    }

    let count: Int
    subscript(path: Int) -> JSONSpan? { values[path] }

    /// Reads the object that fills `bytes` (white space around it allowed); false when the
    /// caller must leave the bytes to the parser.
    func read(_ bytes: UnsafeRawBufferPointer) -> Bool {
        for i in 0..<count { values[i] = nil }
        for i in seen.indices { seen[i] = false }
        var reader = JSONSpanReader(bytes: bytes, index: 0)
        reader.skipWhitespace()
        guard reader.index < bytes.count, bytes[reader.index] == UInt8(ascii: "{") else { return false }
        guard read(level: 0, &reader, depth: 0) else { return false }
        reader.skipWhitespace()
        return reader.index == bytes.count
    }

    /// The entry of `key` on one level.
    @inline(__always)
    private func entry(level: Int, key: UnsafeRawBufferPointer) -> Entry? {
        for e in levelStart[level]..<levelStart[level + 1] {
            let entry = entries[e]
            if entry.nameCount == key.count && memcmp(names.baseAddress! + entry.nameStart, key.baseAddress!, key.count) == 0 { return entry }
        }
        return nil
    }

    /// One object's members from its `{`, descending into the objects on a path as it goes.
    /// A key on a path seen twice declines the line: the tree keeps the last, and a span
    /// reader would have to redo its choice.
    private func read(level: Int, _ reader: inout JSONSpanReader, depth: Int) -> Bool {
        let bytes = reader.bytes
        return reader.membersReading(depth: depth) { key, r in
            guard key.count > 0, let entry = entry(level: level, key: UnsafeRawBufferPointer(rebasing: bytes[key])) else {
                return r.value(depth: depth + 1) != nil
            }
            var span: JSONSpan
            if entry.child >= 0 {
                if seen[entry.child] { return false }
                seen[entry.child] = true
                r.skipWhitespace()
                if r.index < bytes.count && bytes[r.index] == UInt8(ascii: "{") && depth + 1 < JSONParser.maxDepth {
                    let start = r.index
                    guard read(level: entry.child, &r, depth: depth + 1) else { return false }
                    span = JSONSpan(kind: .object, start: start, end: r.index)
                } else {
                    guard let value = r.value(depth: depth + 1) else { return false }
                    span = value
                }
            } else {
                guard let value = r.value(depth: depth + 1) else { return false }
                span = value
            }
            if entry.path >= 0 {
                if values[entry.path] != nil { return false }
                values[entry.path] = span
            }
            return true
        }
    }
}
