import Foundation

/// The export's files, laid out as Amazon Security Lake lays out a source:
/// `DIR/<class>/eventDay=YYYYMMDD/part-NNNN.ndjson`. Each class's events arrive in time order, so
/// one file per class is open at a time and memory stays flat; a part holds at most
/// `eventsPerPart` events. The class directories are replaced whole: an export run again over
/// the same database writes the same bytes.
final class OCSFPartitions {
    let root: String
    static let eventsPerPart = 250_000
    private var open: [String: (day: String, part: Int, count: Int, handle: FileHandle)] = [:]
    private var buffers: [String: [UInt8]] = [:]
    /// The next part of each class and day: a class written in two passes (logins, then Okta
    /// sign-ins) comes back to a day and adds parts, never rewriting one.
    private var nextPart: [String: Int] = [:]
    private(set) var counts: [String: Int] = [:]

    init(root: String, classes: [String]) throws {
        self.root = root
        let fm = FileManager.default
        try fm.createDirectory(atPath: root, withIntermediateDirectories: true)
        for name in classes {
            let dir = root + "/" + name
            if fm.fileExists(atPath: dir) { try fm.removeItem(atPath: dir) }
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
    }

    func write(_ className: String, time: Int64, _ event: JSONValue) throws {
        let day = String(UTCTime.iso(time).prefix(10)).replacingOccurrences(of: "-", with: "")
        if let current = open[className], current.day != day || current.count >= Self.eventsPerPart {
            try flush(className)
            current.handle.closeFile()
            open[className] = nil
        }
        if open[className] == nil { try start(className, day: day) }
        buffers[className, default: []].append(contentsOf: event.serialized.utf8)
        buffers[className]!.append(0x0A)
        open[className]!.count += 1
        counts[className, default: 0] += 1
        if buffers[className]!.count >= 1 << 20 { try flush(className) }
    }

    private func start(_ className: String, day: String) throws {
        let part = nextPart[className + "/" + day, default: 0]
        nextPart[className + "/" + day] = part + 1
        let dir = "\(root)/\(className)/eventDay=\(day)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/part-" + String(format: "%04d", part) + ".ndjson"
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw InputError(path: path, "cannot write the export file")
        }
        open[className] = (day, part, 0, handle)
    }

    private func flush(_ className: String) throws {
        guard let bytes = buffers[className], !bytes.isEmpty, let handle = open[className]?.handle else { return }
        try handle.write(contentsOf: Data(bytes))
        buffers[className] = []
    }

    func close() throws {
        for name in open.keys.sorted() {
            try flush(name)
            open[name]?.handle.closeFile()
        }
        open = [:]
    }
}
