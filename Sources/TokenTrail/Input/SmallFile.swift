/// Small files read whole: a policy, a report panel, a webhook URL file. (Exports and logs
/// are streamed, never read whole.) At most `limit` bytes are read, so a file that is not
/// what it claims (a log passed as a policy) costs no memory.
public enum SmallFile {
    /// The first `limit` bytes of the file, and whether that was all of it.
    public static func read(_ path: String, limit: Int) throws -> (bytes: [UInt8], complete: Bool) {
        let source = try FileSource(path: path)
        var bytes = [UInt8](repeating: 0, count: min(source.size, limit) + 1)
        var filled = 0
        while filled < bytes.count {
            let n = try bytes.withUnsafeMutableBytes { try source.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[filled...])) }
            if n == 0 { break }
            filled += n
        }
        // One byte past the limit tells a file of exactly `limit` bytes from a longer one.
        return (Array(bytes[0..<min(filled, limit)]), filled <= limit)
    }
}
