import Foundation
import CSQLite

/// The volume holding the database filled up. What was committed before is kept (each file
/// is one transaction); the WAL is checkpointed and truncated so that the volume gets its
/// space back and the next scan, after space was freed, goes on where this one stopped.
public struct DiskFull: Error, CustomStringConvertible, Sendable {
    public let databasePath: String
    /// What was being stored when it filled (a file's path, or "the run's bookkeeping").
    public let during: String
    public let freeBytes: Int64?

    public init(databasePath: String, during: String) {
        self.databasePath = databasePath
        self.during = during
        let directory = (databasePath as NSString).deletingLastPathComponent
        let attributes = try? FileManager.default.attributesOfFileSystem(forPath: directory.isEmpty ? "." : directory)
        freeBytes = (attributes?[.systemFreeSize] as? NSNumber)?.int64Value
    }

    public var description: String {
        let free = freeBytes.map { " (\(Self.size($0)) free)" } ?? ""
        return "\(databasePath): the disk is full\(free) while storing \(during). What was stored before is kept and the database is usable. "
            + "Free space on the volume of \(databasePath) (or give --db on a larger one) and run the same scan again: files already stored are skipped."
    }

    static func size(_ bytes: Int64) -> String {
        bytes >= 1 << 20 ? String(format: "%.1f MB", Double(bytes) / 1048576) : "\(bytes / 1024) KB"
    }

    /// Whether an error is SQLite saying the disk is full.
    public static func isDiskFull(_ error: Error) -> Bool {
        guard let sqlite = error as? SQLiteError else { return false }
        return sqlite.code & 0xff == SQLITE_FULL || sqlite.code & 0xff == SQLITE_IOERR && sqlite.message.contains("disk")
    }
}

extension Database {
    /// Gives the volume back the WAL's space (after a rollback or at the end of a scan);
    /// never throws: on a full disk this is a best effort (committed pages that need the
    /// database file to grow stay in the WAL, which the next scan folds in once space is free).
    public func truncateWAL() {
        try? execute("PRAGMA wal_checkpoint(TRUNCATE)")
    }
}
