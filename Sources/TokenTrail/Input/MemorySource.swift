/// Bytes already in memory as a byte source, for a reader that wants a stream (a JSON record
/// laid out as a one-row CSV for the CSV readers). `file` is the file the bytes came from: its
/// path names errors, and its digest is not touched.
final class MemorySource: ByteSource {
    let file: FileSource
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8], of file: FileSource) {
        self.bytes = bytes
        self.file = file
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, bytes.count - position)
        guard n > 0 else { return 0 }
        bytes.withUnsafeBytes { all in buffer.baseAddress!.copyMemory(from: all.baseAddress! + position, byteCount: n) }
        position += n
        return n
    }

    func rewind(to offset: Int) throws { position = max(0, min(offset, bytes.count)) }
}
