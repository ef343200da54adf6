import Foundation

/// TOKENTRAIL_TIMINGS=1 prints the time of each rule, shared pass and report step on stderr:
/// the profile a user can send without a profiler.
public enum Timings {
    static let enabled = ProcessInfo.processInfo.environment["TOKENTRAIL_TIMINGS"] != nil

    public static func measure<T>(_ label: String, _ body: () throws -> T) rethrows -> T {
        guard enabled else { return try body() }
        let started = Date()
        defer { FileHandle.standardError.write(Data((label.padding(toLength: 30, withPad: " ", startingAt: 0) + String(format: "%7.3f s\n", Date().timeIntervalSince(started))).utf8)) }
        return try body()
    }
}
