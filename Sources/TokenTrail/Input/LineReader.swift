/// Streams lines (without their LF or CRLF) for JSON-lines input; a line longer than the
/// cap is reported as oversized (its bytes dropped) instead of growing memory.
public final class LineReader {
    public let path: String
    private var buffer: StreamBuffer
    private var nextLine = 1
    public private(set) var lineNumber = 0
    public private(set) var oversized = false

    public init(source: ByteSource, maxLineBytes: Int = 1 << 20) throws {
        path = source.file.path
        buffer = StreamBuffer(source: source, initialCapacity: min(1 << 18, maxLineBytes), maxBytes: maxLineBytes)
        try buffer.skipByteOrderMark()
    }

    deinit { buffer.release() }

    public var maxLineBytes: Int { buffer.maxBytes }

    /// The next line's bytes, valid until the next call; nil at end of input.
    public func next() throws -> UnsafeRawBufferPointer? {
        buffer.beginRecord()
        lineNumber = nextLine
        while true {
            if buffer.pos == buffer.end {
                if try !buffer.refill() {
                    if buffer.start == buffer.end && !buffer.overflowed { return nil }
                    nextLine += 1
                    return finish(lineEnd: buffer.end)
                }
            }
            var p = buffer.pos
            let end = buffer.end
            let bytes = buffer.bytes
            while p < end && bytes[p] != 0x0A { p += 1 }
            buffer.pos = p
            if p < end {
                buffer.pos += 1
                nextLine += 1
                return finish(lineEnd: p)
            }
        }
    }

    private func finish(lineEnd: Int) -> UnsafeRawBufferPointer {
        oversized = buffer.overflowed
        if oversized { return UnsafeRawBufferPointer(start: nil, count: 0) }
        var last = lineEnd
        if last > buffer.start && buffer.bytes[last - 1] == 0x0D { last -= 1 }
        return UnsafeRawBufferPointer(start: buffer.bytes + buffer.start, count: last - buffer.start)
    }
}
