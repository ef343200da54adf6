/// The fixed weeks the rules are evaluated over (DESIGN.md, History, point 4).
///
/// A rule compares a period's records with the history before the period. If that period
/// were the run's window, the findings would depend on how the runs were cut: a week scanned
/// alone and the same week inside a month's backfill would see different baselines. So the
/// rules always run over the same periods, UTC weeks from Monday 00:00, whatever the window
/// of the run: a run evaluates every week its window touches, each whole, with all the records
/// the database has for it. Scanning W1, W2, W3 one run at a time or in one run evaluates
/// the same weeks over the same records and so finds the same.
public struct AnalysisWeeks: Equatable, Sendable {
    public static let weekMs: Int64 = 7 * 86_400_000
    /// 1970-01-01 was a Thursday: the first Monday 00:00 UTC is 4 days later.
    static let mondayOffsetMs: Int64 = 4 * 86_400_000

    /// The start of each week, ascending.
    public let starts: [Int64]

    /// The weeks a window touches.
    public init(covering start: Int64, _ end: Int64) {
        let first = Self.weekStart(containing: start), last = Self.weekStart(containing: max(start, end))
        starts = Array(stride(from: first, through: last, by: Int64.Stride(Self.weekMs)))
    }

    init(starts: [Int64]) { self.starts = starts }

    /// The same weeks and the one before the first.
    public var withWeekBefore: AnalysisWeeks { AnalysisWeeks(starts: [start - Self.weekMs] + starts) }

    /// Monday 00:00 UTC of the week holding `time`.
    public static func weekStart(containing time: Int64) -> Int64 {
        let shifted = time - mondayOffsetMs
        let floor = shifted >= 0 ? shifted / weekMs : (shifted - weekMs + 1) / weekMs
        return floor * weekMs + mondayOffsetMs
    }

    /// Inclusive bounds of each week.
    public var weeks: [(start: Int64, end: Int64)] { starts.map { ($0, $0 + Self.weekMs - 1) } }
    public var start: Int64 { starts.first ?? 0 }
    public var end: Int64 { (starts.last ?? 0) + Self.weekMs - 1 }
}
