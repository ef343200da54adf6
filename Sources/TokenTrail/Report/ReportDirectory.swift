import Foundation

/// The report's directory, replaced whole: pages go to a fresh directory beside the target,
/// which then takes the target's place (two renames, microseconds apart: a run killed while
/// writing pages, the long part, leaves the previous report as it was). Only a
/// directory that holds nothing but report pages is replaced: `--report .` must never remove
/// a user's files.
enum ReportDirectory {
    /// A new, empty directory beside `target` (same volume, so the swap is a rename).
    static func stage(_ target: String) throws -> String {
        let url = URL(fileURLWithPath: target).standardizedFileURL
        let parent = url.deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        try checkReplaceable(url.path)
        // What a killed run left (its process is gone) goes first.
        let prefix = "." + url.lastPathComponent + ".writing-"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? [] where name.hasPrefix(prefix) {
            // Gone only when no such process exists (ESRCH): another user's live run (EPERM) stays.
            if let pid = Int32(name.dropFirst(prefix.count).prefix { $0 != "-" }), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH {
                try? FileManager.default.removeItem(atPath: parent + "/" + name)
            }
        }
        let staging = parent + "/" + prefix + "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do { try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: false) } catch {
            throw InputError(path: staging, "cannot create the report's directory: \(error.localizedDescription)")
        }
        return staging
    }

    /// Refuses a target that is not empty and not a report: one with an `index.html` and
    /// nothing but plain `.html` files (a folder of saved pages without an index, a
    /// subdirectory, any other file: a user's, not ours).
    static func checkReplaceable(_ target: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue else { throw InputError(path: target, "is a file, not a report directory: choose another --report/--out") }
        let entries = try FileManager.default.contentsOfDirectory(atPath: target).sorted()
        guard !entries.isEmpty else { return }
        let foreign = entries.first { name in
            let attributes = try? FileManager.default.attributesOfItem(atPath: target + "/" + name)
            return !name.hasSuffix(".html") || attributes?[.type] as? FileAttributeType != .typeRegular
        }
        if let foreign {
            throw InputError(path: target, "holds '\(foreign)', which is not a report page: the report replaces its directory whole, so give it a directory of its own")
        }
        guard entries.contains("index.html") else {
            throw InputError(path: target, "holds pages but no index.html, so it is no TokenTrail report: the report replaces its directory whole, so give it a directory of its own")
        }
    }

    /// Puts `staging` in `target`'s place and removes the previous report.
    static func swap(_ staging: String, into target: String) throws {
        try checkReplaceable(target)
        if !FileManager.default.fileExists(atPath: target) {
            guard rename(staging, target) == 0 else { throw InputError(path: target, "cannot move the report into place: \(String(cString: strerror(errno)))") }
            return
        }
        let previous = staging + ".previous"
        guard rename(target, previous) == 0 else { throw InputError(path: target, "cannot replace the report: \(String(cString: strerror(errno)))") }
        guard rename(staging, target) == 0 else {
            _ = rename(previous, target)
            throw InputError(path: target, "cannot move the report into place: \(String(cString: strerror(errno)))")
        }
        try? FileManager.default.removeItem(atPath: previous)
    }
}
