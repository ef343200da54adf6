#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a reader gets its bytes: a plain file or a decompressing wrapper around one.
/// `rewind(to:)` lets a reader go back after a malformed record (rare path).
public protocol ByteSource: AnyObject {
    /// Fills up to `buffer.count` bytes; 0 means end of input.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
    /// Repositions to an offset in the (decompressed) byte stream.
    func rewind(to offset: Int) throws
    /// The file as it lies on disk, for chain of custody.
    var file: FileSource { get }
}

public struct InputError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let line: Int?
    public let message: String
    /// The content is not any supported export (as opposed to a broken one): a directory
    /// walk may skip such a file when its name does not claim to be data.
    public let unrecognized: Bool
    public init(path: String, line: Int? = nil, _ message: String, unrecognized: Bool = false) {
        self.path = path
        self.line = line
        self.message = message
        self.unrecognized = unrecognized
    }
    public var description: String {
        if let line { return "\(path):\(line): \(message)" }
        return "\(path): \(message)"
    }
}

/// Reads a file with read(2) and hashes every byte once, in order, as it first goes past,
/// so the SHA-256 costs no second pass even when a reader rewinds. Hashing runs on the
/// other core (BackgroundHasher) so it overlaps parsing.
public final class FileSource: ByteSource {
    public let path: String
    private let fd: Int32
    private var position = 0
    private var hashedUpTo = 0
    private let hasher = BackgroundHasher()
    public private(set) var size: Int = 0

    public init(path: String) throws {
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw InputError(path: path, "cannot open: \(String(cString: strerror(errno)))") }
        self.path = path
        var info = stat()
        if fstat(fd, &info) == 0 {
            if (info.st_mode & S_IFMT) == S_IFDIR {
                close(fd)
                throw InputError(path: path, "is a directory")
            }
            size = Int(info.st_size)
        }
    }

    deinit { close(fd) }

    public var file: FileSource { self }
    /// Bytes of the file read so far (for progress).
    public var bytesRead: Int { hashedUpTo }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n < 0 {
                if errno == EINTR { continue }
                throw InputError(path: path, "read failed: \(String(cString: strerror(errno)))")
            }
            if n > 0 {
                let end = position + n
                if end > hashedUpTo {
                    let fresh = end - max(position, hashedUpTo)
                    hasher.update(UnsafeRawBufferPointer(start: buffer.baseAddress! + (n - fresh), count: fresh))
                    hashedUpTo = end
                }
                position = end
            }
            return n
        }
    }

    public func rewind(to offset: Int) throws {
        guard lseek(fd, off_t(offset), SEEK_SET) >= 0 else {
            throw InputError(path: path, "seek failed: \(String(cString: strerror(errno)))")
        }
        position = offset
    }

    /// Reads whatever has not been read yet, then returns the file's SHA-256 in hex.
    public func finishDigest() throws -> String {
        try rewind(to: hashedUpTo)
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { chunk.deallocate() }
        while try read(into: chunk) > 0 {}
        return Hex.encode(hasher.finalize())
    }
}

/// Opens a path as a byte source: gzip (by its magic bytes) is decompressed transparently.
public func openByteSource(path: String) throws -> ByteSource {
    let file = try FileSource(path: path)
    var magic = [UInt8](repeating: 0, count: 2)
    let n = try magic.withUnsafeMutableBytes { try file.read(into: $0) }
    try file.rewind(to: 0)
    if n == 2 && magic[0] == 0x1f && magic[1] == 0x8b { return try GzipSource(file: file) }
    return file
}
