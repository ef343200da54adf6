import Foundation

/// TOKENTRAIL_TIMINGS=1 prints the time of each rule, shared pass and report step on stderr,
/// with the process's peak RSS after it: the profile a user can send without a profiler.
public enum Timings {
    static let enabled = ProcessInfo.processInfo.environment["TOKENTRAIL_TIMINGS"] != nil
    /// TOKENTRAIL_TIMINGS=sql also prints each SQL statement that took 20 ms or more.
    static let statements = ProcessInfo.processInfo.environment["TOKENTRAIL_TIMINGS"] == "sql"

    public static func measure<T>(_ label: String, _ body: () throws -> T) rethrows -> T {
        guard enabled else { return try body() }
        let started = Date()
        defer {
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            let line = label.padding(toLength: 30, withPad: " ", startingAt: 0)
                + String(format: "%7.3f s  peak RSS %6.1f MB\n", Date().timeIntervalSince(started), Double(usage.ru_maxrss) / 1024)
            FileHandle.standardError.write(Data(line.utf8))
        }
        return try body()
    }
}
