import CZlib

/// Decompresses a gzip file (one or more members) as it is read. A file that expands more
/// than `maxRatio` times (checked past `ratioCheckAfter` bytes) is refused as a
/// decompression bomb: real exports compress 5–30×, a bomb ~1000×, and inflating one would
/// cost minutes of work for nothing.
public final class GzipSource: ByteSource {
    public static let maxRatio = 100
    public static let ratioCheckAfter = 16 << 20
    public let file: FileSource
    private var stream = z_stream()
    private let input: UnsafeMutableRawBufferPointer
    private var inputEnd = false
    private var produced = 0
    private var finished = false

    public init(file: FileSource) throws {
        self.file = file
        input = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 18, alignment: 16)
        try start()
    }

    deinit {
        inflateEnd(&stream)
        input.deallocate()
    }

    private func start() throws {
        stream = z_stream()
        // 15 + 32: accept a gzip (or zlib) header, with the largest window.
        let rc = inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else { throw InputError(path: file.path, "cannot start gzip decompression (zlib \(rc))") }
        inputEnd = false
        finished = false
        produced = 0
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if finished { return 0 }
        stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = UInt32(buffer.count)
        while stream.avail_out == UInt32(buffer.count) {
            if stream.avail_in == 0 && !inputEnd {
                let n = try file.read(into: input)
                if n == 0 { inputEnd = true }
                stream.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_in = UInt32(n)
            }
            let rc = inflate(&stream, Z_NO_FLUSH)
            if rc == Z_STREAM_END {
                // Concatenated members are legal gzip: continue with the next one if any.
                if stream.avail_in > 0 || !inputEnd {
                    inflateReset(&stream)
                    if stream.avail_in == 0 {
                        let n = try file.read(into: input)
                        if n == 0 { finished = true; break }
                        stream.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
                        stream.avail_in = UInt32(n)
                    }
                    continue
                }
                finished = true
                break
            }
            if rc == Z_BUF_ERROR && inputEnd {
                throw InputError(path: file.path, "gzip data ends early (truncated file?) after \(produced) decompressed bytes")
            }
            if rc != Z_OK && rc != Z_BUF_ERROR {
                throw InputError(path: file.path, "corrupt gzip data after \(produced) decompressed bytes (zlib \(rc))")
            }
        }
        let n = buffer.count - Int(stream.avail_out)
        produced += n
        let consumed = max(file.bytesRead - Int(stream.avail_in), 1)
        if produced > Self.ratioCheckAfter && produced > Self.maxRatio * consumed {
            throw InputError(path: file.path, "gzip data expands more than \(Self.maxRatio) times (\(produced >> 20) MB from \(consumed >> 10) KB): refused as a decompression bomb; if it is a real export, decompress it and scan the file")
        }
        return n
    }

    /// Rare path (a malformed record): restart and decompress up to the offset.
    public func rewind(to offset: Int) throws {
        inflateEnd(&stream)
        try file.rewind(to: 0)
        try start()
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { scratch.deallocate() }
        while produced < offset {
            let want = min(scratch.count, offset - produced)
            let n = try read(into: UnsafeMutableRawBufferPointer(rebasing: scratch[0..<want]))
            if n == 0 { break }
        }
    }
}
