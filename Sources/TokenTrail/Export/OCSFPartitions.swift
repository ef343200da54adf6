import Foundation

/// The export's files, laid out as Amazon Security Lake lays out a source:
/// `DIR/<class>/eventDay=YYYYMMDD/part-NNNN.ndjson`. Each class's events arrive in time order, so
/// one file per class is open at a time and memory stays flat; a part holds at most
/// `eventsPerPart` events. The class directories are replaced whole: an export run again over
/// the same database writes the same bytes.
final class OCSFPartitions {
    let root: String
    static let eventsPerPart = 250_000
    static let bufferBytes = 1 << 20

    /// One class's open part and the bytes not yet written to it.
    private final class Stream {
        var day = Int64.min, dayText = "", count = 0, total = 0
        var handle: FileHandle?
        var buffer = JSONEventWriter(capacity: OCSFPartitions.bufferBytes + 65_536)
    }
    private var streams: [String: Stream] = [:]
    /// The next part of each class and day: a class written in two passes (logins, then Okta
    /// sign-ins) comes back to a day and adds parts, never rewriting one.
    private var nextPart: [String: Int] = [:]
    var counts: [String: Int] { streams.mapValues(\.total) }

    init(root: String, classes: [String]) throws {
        self.root = root
        let fm = FileManager.default
        try fm.createDirectory(atPath: root, withIntermediateDirectories: true)
        for name in classes {
            let dir = root + "/" + name
            if fm.fileExists(atPath: dir) { try fm.removeItem(atPath: dir) }
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
            streams[name] = Stream()
        }
    }

    /// Appends one event of `className` at `time` (ms), its fields written by `body`.
    func write(_ className: String, time: Int64, _ body: (inout JSONEventWriter) -> Void) throws {
        guard let stream = streams[className] else { preconditionFailure("no OCSF class \(className)") }
        let day = time >= 0 ? time / 86_400_000 : (time - 86_399_999) / 86_400_000
        if stream.handle != nil, stream.day != day || stream.count >= Self.eventsPerPart {
            try finish(stream)
        }
        if stream.handle == nil { try start(className, stream, day: day, time: time) }
        stream.buffer.line(body)
        stream.count += 1
        stream.total += 1
        if stream.buffer.bytes.count >= Self.bufferBytes { try flush(stream) }
    }

    private func start(_ className: String, _ stream: Stream, day: Int64, time: Int64) throws {
        if stream.day != day {
            stream.day = day
            stream.dayText = String(UTCTime.iso(time).prefix(10)).replacingOccurrences(of: "-", with: "")
        }
        let part = nextPart[className + "/" + stream.dayText, default: 0]
        nextPart[className + "/" + stream.dayText] = part + 1
        let dir = "\(root)/\(className)/eventDay=\(stream.dayText)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/part-" + String(format: "%04d", part) + ".ndjson"
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw InputError(path: path, "cannot write the export file")
        }
        stream.handle = handle
        stream.count = 0
    }

    private func flush(_ stream: Stream) throws {
        guard !stream.buffer.bytes.isEmpty, let handle = stream.handle else { return }
        try stream.buffer.bytes.withUnsafeBytes { try handle.write(contentsOf: Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: $0.baseAddress!), count: $0.count, deallocator: .none)) }
        stream.buffer.removeAll()
    }

    private func finish(_ stream: Stream) throws {
        try flush(stream)
        stream.handle?.closeFile()
        stream.handle = nil
    }

    func close() throws {
        for name in streams.keys.sorted() {
            try finish(streams[name]!)
        }
    }
}
