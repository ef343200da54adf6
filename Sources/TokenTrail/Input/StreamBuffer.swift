/// A growable window over a ByteSource shared by the CSV and line readers. Bytes before
/// `start` may be discarded on refill; `offset(of:)` gives absolute stream offsets.
struct StreamBuffer {
    let source: ByteSource
    private(set) var bytes: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    /// Absolute stream offset of `bytes[0]`.
    private(set) var base = 0
    var start = 0
    var pos = 0
    private(set) var end = 0
    private(set) var atEOF = false
    /// Set when a record outgrew `maxBytes`: its bytes are being dropped as they are scanned.
    private(set) var overflowed = false
    /// The first bytes of the record that overflowed (its reject's excerpt).
    private(set) var overflowHead: [UInt8] = []
    let maxBytes: Int

    init(source: ByteSource, initialCapacity: Int = 1 << 20, maxBytes: Int) {
        self.source = source
        self.capacity = initialCapacity
        self.maxBytes = maxBytes
        bytes = .allocate(capacity: initialCapacity)
    }

    func release() { bytes.deallocate() }

    func offset(of index: Int) -> Int { base + index }

    /// Starts a new record at `pos`.
    mutating func beginRecord() {
        start = pos
        overflowed = false
        if !overflowHead.isEmpty { overflowHead = [] }
    }

    /// Makes more bytes available at `end`; false at end of input. Keeps `[start, end)`
    /// unless the record has outgrown `maxBytes`, in which case it is dropped and `overflowed` set.
    mutating func refill() throws -> Bool {
        if atEOF { return false }
        if overflowed {
            base += pos
            start = 0; pos = 0; end = 0
        } else {
            if start > 0 {
                let keep = end - start
                if keep > 0 { (bytes).update(from: bytes + start, count: keep) }
                base += start
                pos -= start
                end = keep
                start = 0
            }
            if end == capacity {
                if capacity >= maxBytes {
                    overflowed = true
                    overflowHead = Array(UnsafeBufferPointer(start: bytes + start, count: min(2000, end - start)))
                    base += pos
                    start = 0; pos = 0; end = 0
                } else {
                    let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
                    grown.update(from: bytes, count: end)
                    bytes.deallocate()
                    bytes = grown
                    capacity *= 2
                }
            }
        }
        let n = try source.read(into: UnsafeMutableRawBufferPointer(start: bytes + end, count: capacity - end))
        if n == 0 { atEOF = true; return false }
        end += n
        return true
    }

    /// Removes `[from, to)` (bytes of the record being scanned, already read past) by moving
    /// the bytes after them down: a field too long to be a value keeps its head and the record
    /// stays within `maxBytes`. Offsets of the bytes after `from` stay right (`base` moves up);
    /// those before it are not asked for again.
    mutating func drop(from: Int, to: Int) {
        guard to > from else { return }
        let tail = end - to
        if tail > 0 { (bytes + from).update(from: bytes + to, count: tail) }
        end -= to - from
        if pos >= to { pos -= to - from } else if pos > from { pos = from }
        base += to - from
    }

    /// Continues at an absolute offset (after a malformed record).
    mutating func restart(at offset: Int) throws {
        try source.rewind(to: offset)
        base = offset
        start = 0; pos = 0; end = 0
        atEOF = false
        overflowed = false
    }

    /// Skips a UTF-8 byte order mark at the very start of the stream.
    mutating func skipByteOrderMark() throws {
        while end - pos < 3, try refill() {}
        if end - pos >= 3 && bytes[pos] == 0xEF && bytes[pos + 1] == 0xBB && bytes[pos + 2] == 0xBF { pos += 3 }
    }

    /// Up to `limit` bytes of the current record, for a reject's excerpt.
    func excerpt(limit: Int = 240) -> [UInt8] {
        if overflowed { return [] }
        let upTo = min(max(pos, start), start + limit, end)
        return Array(UnsafeBufferPointer(start: bytes + start, count: upTo - start))
    }
}
