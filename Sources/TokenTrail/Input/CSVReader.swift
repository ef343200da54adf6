/// Streaming RFC 4180 CSV reader working on bytes: quoted fields, doubled quotes, embedded
/// newlines, CRLF or LF (or lone CR), UTF-8 BOM. A malformed record is reported (not thrown)
/// with its line, and reading resumes at the next physical line so later rows are kept.
public final class CSVReader {
    public let path: String
    private var buffer: StreamBuffer
    private var line = 1
    private var skipLineFeed = false

    /// Fields of the current record as offsets relative to the record's first byte.
    private var fieldStarts: [Int] = []
    private var fieldEnds: [Int] = []
    public private(set) var fieldCount = 0
    /// Physical line on which the current record starts (the header is line 1).
    public private(set) var recordLine = 0
    /// Why the current record could not be parsed; nil for a good record.
    public private(set) var malformedReason: String?
    /// The raw start of a malformed record, for the reject's excerpt.
    public private(set) var malformedExcerpt: [UInt8] = []

    public static let defaultMaxRecordBytes = 1 << 20
    /// A field is kept up to this many bytes while it is scanned; the rest is dropped, so one
    /// huge value (a 1 MiB quoted Browser) costs its field, not the whole record. The readers
    /// then store it cut, with a `cut` repair (`FieldRepair.maxFieldBytes` is smaller).
    public static let defaultMaxFieldBytesKept = 64 << 10
    let maxFieldBytesKept: Int

    public init(source: ByteSource, maxRecordBytes: Int = CSVReader.defaultMaxRecordBytes,
                maxFieldBytesKept: Int = CSVReader.defaultMaxFieldBytesKept) throws {
        path = source.file.path
        self.maxFieldBytesKept = maxFieldBytesKept
        buffer = StreamBuffer(source: source, initialCapacity: min(1 << 20, maxRecordBytes), maxBytes: maxRecordBytes)
        fieldStarts.reserveCapacity(64)
        fieldEnds.reserveCapacity(64)
        try buffer.skipByteOrderMark()
    }

    deinit { buffer.release() }

    /// The i-th field's bytes; valid until the next call to `next()`.
    @inline(__always)
    public func field(_ index: Int) -> UnsafeRawBufferPointer {
        let base = buffer.bytes + buffer.start
        return UnsafeRawBufferPointer(start: base + fieldStarts[index], count: fieldEnds[index] - fieldStarts[index])
    }

    public func string(_ index: Int) -> String {
        String(decoding: field(index), as: UTF8.self)
    }

    private enum State { case fieldStart, unquoted, quoted, afterQuote }

    private func addField(_ from: Int, _ to: Int, unescape: Bool) {
        var to = to
        if unescape {
            // Collapse doubled quotes in place; the field only shrinks.
            let base = buffer.bytes + buffer.start
            var read = from, write = from
            while read < to {
                base[write] = base[read]
                if base[read] == UInt8(ascii: "\"") { read += 1 }
                read += 1; write += 1
            }
            to = write
        }
        if fieldCount < fieldStarts.count {
            fieldStarts[fieldCount] = from
            fieldEnds[fieldCount] = to
        } else {
            fieldStarts.append(from)
            fieldEnds.append(to)
        }
        fieldCount += 1
    }

    /// Advances to the next record. False at end of input.
    public func next() throws -> Bool {
        fieldCount = 0
        malformedReason = nil
        if skipLineFeed {
            skipLineFeed = false
            if buffer.pos == buffer.end { _ = try buffer.refill() }
            if buffer.pos < buffer.end && buffer.bytes[buffer.pos] == 0x0A { buffer.pos += 1 }
        }
        buffer.beginRecord()
        recordLine = line
        var firstLineEnd = -1          // absolute offset just past the record's first newline
        var state = State.fieldStart
        var fieldStart = 0
        var escaped = false
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lf: UInt8 = 0x0A, cr: UInt8 = 0x0D

        while true {
            if buffer.pos == buffer.end {
                if try !buffer.refill() { break }
            }
            let bytes = buffer.bytes
            switch state {
            case .fieldStart:
                let b = bytes[buffer.pos]
                if b == quote {
                    buffer.pos += 1
                    fieldStart = buffer.pos - buffer.start
                    escaped = false
                    state = .quoted
                } else if fieldCount == 0 && (b == lf || b == cr) {
                    // A blank line is not a record.
                    buffer.pos += 1
                    line += 1
                    if b == cr {
                        if buffer.pos == buffer.end { _ = try buffer.refill() }
                        if buffer.pos < buffer.end && buffer.bytes[buffer.pos] == lf { buffer.pos += 1 }
                    }
                    buffer.beginRecord()
                    recordLine = line
                } else {
                    fieldStart = buffer.pos - buffer.start
                    state = .unquoted
                }
            case .unquoted:
                var p = buffer.pos
                let end = buffer.end
                while p < end {
                    let c = bytes[p]
                    if c == comma || c == lf || c == cr { break }
                    p += 1
                }
                buffer.pos = p
                keepFieldBounded(fieldStart: fieldStart, segmentStart: buffer.start + fieldStart)
                if buffer.pos == buffer.end { continue }
                p = buffer.pos
                if buffer.overflowed { fieldCount += 1 } else { addField(fieldStart, p - buffer.start, unescape: false) }
                let c = bytes[p]
                buffer.pos += 1
                if c == comma { state = .fieldStart; continue }
                return finishLine(crTerminated: c == cr)
            case .quoted:
                let segment = buffer.pos
                var p = buffer.pos
                let end = buffer.end
                while p < end {
                    let c = bytes[p]
                    if c == quote { break }
                    if c == lf {
                        line += 1
                        if firstLineEnd < 0 { firstLineEnd = buffer.offset(of: p + 1) }
                    }
                    p += 1
                }
                buffer.pos = p
                keepFieldBounded(fieldStart: fieldStart, segmentStart: segment)
                if buffer.pos == buffer.end { continue }
                buffer.pos += 1
                state = .afterQuote
            case .afterQuote:
                let c = bytes[buffer.pos]
                if c == quote {
                    escaped = true
                    buffer.pos += 1
                    state = .quoted
                    continue
                }
                if c == comma || c == lf || c == cr {
                    if buffer.overflowed { fieldCount += 1 } else { addField(fieldStart, buffer.pos - 1 - buffer.start, unescape: escaped) }
                    buffer.pos += 1
                    if c == comma { state = .fieldStart; continue }
                    return finishLine(crTerminated: c == cr)
                }
                return try malformed("a closing quote must be followed by a comma or a line end (stray \" inside a quoted field?)",
                                     firstLineEnd: firstLineEnd)
            }
        }
        // End of input.
        switch state {
        case .fieldStart:
            if fieldCount == 0 { return false }
            addField(0, 0, unescape: false)
        case .unquoted:
            if !buffer.overflowed { addField(fieldStart, buffer.pos - buffer.start, unescape: false) }
        case .afterQuote:
            if !buffer.overflowed { addField(fieldStart, buffer.pos - 1 - buffer.start, unescape: escaped) }
        case .quoted:
            return try malformed("unterminated quoted field (no closing \" before the end of the file)", firstLineEnd: firstLineEnd)
        }
        if buffer.overflowed { return oversized() }
        return true
    }

    /// Keeps the field being scanned within `maxFieldBytesKept`: what this segment (bytes
    /// without a quote, from `segmentStart` to `pos`) adds beyond the limit is dropped.
    private func keepFieldBounded(fieldStart: Int, segmentStart: Int) {
        let from = max(buffer.start + fieldStart + maxFieldBytesKept, segmentStart)
        guard !buffer.overflowed, buffer.pos > from else { return }
        buffer.drop(from: from, to: buffer.pos)
    }

    private func finishLine(crTerminated: Bool) -> Bool {
        line += 1
        if crTerminated { skipLineFeed = true }
        if buffer.overflowed { return oversized() }
        return true
    }

    private func oversized() -> Bool {
        malformedReason = "record longer than \(buffer.maxBytes / 1024) KiB (a field this large is not a log value)"
        malformedExcerpt = buffer.overflowHead   // its start: enough to tell a token-endpoint login
        fieldCount = 0
        return true
    }

    /// Records why the current record is bad and resumes at the physical line after its first.
    private func malformed(_ reason: String, firstLineEnd: Int) throws -> Bool {
        malformedReason = buffer.overflowed ? "record longer than \(buffer.maxBytes / 1024) KiB and " + reason : reason
        malformedExcerpt = buffer.excerpt(limit: 2000)
        fieldCount = 0
        line = recordLine + 1
        skipLineFeed = false
        if firstLineEnd >= 0 {
            try buffer.restart(at: firstLineEnd)
            return true
        }
        // The bad record has not passed a newline yet: skip to the end of its line.
        while true {
            if buffer.pos == buffer.end {
                if try !buffer.refill() { return true }
            }
            let c = buffer.bytes[buffer.pos]
            buffer.pos += 1
            if c == 0x0A { return true }
            if c == 0x0D { skipLineFeed = true; return true }
        }
    }
}
