import Foundation

public enum Clock {
    public static func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
    public static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
