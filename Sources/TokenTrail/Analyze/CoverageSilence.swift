/// Silence needs coverage (DESIGN.md, History, point 5): a stretch of more than a day with no
/// records of a source that was regular in the 30 days before it (records on at least 3 days,
/// no gap as long), while another source has records through it, is a collection that
/// stopped, not a quiet week. Part
/// of `coverage-gap`, at medium, so `--fail-on medium` alerts on it.
///
/// A kind's coverage is the union of its files' spans (a client host's, the days its requests
/// fall on); a stretch is what lies between them, up to the newest record of any kind that is
/// not in the future (later than that, nothing was collected yet, of any kind). A week's finding is its share of each
/// stretch: weeks in a row of one stretch make one episode.
enum CoverageSilence {
    static let lookBackMs: Int64 = 30 * 86_400_000
    static let minimumMs: Int64 = 86_400_000
    static let dayMs: Int64 = 86_400_000
    static let regularDays = 3

    /// The source kinds whose absence means something: exports that have rows every day in an
    /// org that produces them. Sparse event files (LoginAs, Logout, Bulk jobs) are not.
    static var kinds: [(label: String, formats: [SourceFormat])] { SourceFormat.coverageKinds }

    static func findings(_ c: AnalysisContext, rule: String) throws -> [Finding] {
        let db = c.facts.db, start = c.windowStart, end = c.windowEnd
        let week = String(UTCTime.iso(start).prefix(10))
        // Nothing at all in the week: one finding, naming where the records stop.
        if try Period.emptiness(db: db, since: start, until: end) != nil {
            guard let newest = try db.scalar("SELECT max(last_time) FROM sources WHERE last_time < ?", [.integer(start)]).int else { return [] }
            return [Finding(rule: rule, severity: .medium, firstSeen: start, lastSeen: end,
                            message: "no records at all in the week of \(week): the newest record before it is of \(UTCTime.iso(newest)); nothing was collected, so no finding here means nothing",
                            count: 1, evidence: [], identity: ["silent", "everything"])]
        }
        // Up to the newest record that is not in the future: one line dated 2199 must not make
        // every source look stopped.
        guard let horizon = try db.scalar("SELECT max(last_time) FROM sources WHERE last_time <= ?", [.integer(Clock.nowMs())]).int else { return [] }
        // Each source's covered spans: a kind's files, a client host's days.
        var sources: [(what: String, spans: [(Int64, Int64)])] = []
        let reach: [SQLValue] = [.integer(start - 2 * lookBackMs), .integer(horizon)]
        for kind in kinds {
            let spans = try db.rows("""
                SELECT first_time, last_time FROM sources WHERE \(SourceFormat.sql(kind.formats)) AND last_time >= ? AND first_time <= ?
                """, reach).compactMap { row in row[0].int.flatMap { a in row[1].int.map { (a, min($0, horizon)) } } }
            if !spans.isEmpty { sources.append((kind.label, spans.sorted { $0.0 < $1.0 })) }
        }
        var days: [Int64: Set<Int64>] = [:]
        for row in try db.rows("SELECT DISTINCT host, day FROM request_daily WHERE host IS NOT NULL AND day BETWEEN ? AND ?",
                               [.integer((start - 2 * lookBackMs) / dayMs), .integer(horizon / dayMs)]) {
            if let host = row[0].int, let day = row[1].int { days[host, default: []].insert(day) }
        }
        for (host, list) in try c.facts.requestFacts().hostDays { days[host, default: []].formUnion(list) }
        for (host, list) in days.sorted(by: { $0.key < $1.key }) {
            guard let name = try c.names.name(host) else { continue }
            sources.append(("token log of \(name)", list.sorted().map { ($0 * dayMs, $0 * dayMs + dayMs - 1) }))
        }
        // A stretch counts when the source was regular before it (records on at least
        // `regularDays` of the 30 days before, and no gap as long as this one) and some other
        // source has records through more than a day of it.
        var stopped: [(what: String, since: Int64, share: (Int64, Int64))] = []
        for (index, source) in sources.enumerated() {
            for (from, to) in stretches(source.spans, horizon: horizon) where to - from > minimumMs {
                let share = (max(from, start), min(to, end))
                guard share.0 <= share.1 else { continue }
                let before = source.spans.filter { $0.1 < from && $0.1 >= from - lookBackMs }
                let coveredDays = Set(before.flatMap { span in stride(from: max(span.0, from - lookBackMs) / dayMs, through: span.1 / dayMs, by: 1) })
                var earlierGap: Int64 = 0, reach = before.first?.1 ?? 0
                for span in before.dropFirst() { earlierGap = max(earlierGap, span.0 - reach); reach = max(reach, span.1) }
                guard coveredDays.count >= regularDays, to - from > 2 * earlierGap else { continue }
                let othersWentOn = sources.indices.contains { other in
                    other != index && sources[other].spans.contains { min($0.1, to) - max($0.0, from) > minimumMs }
                }
                if othersWentOn { stopped.append((source.what, from - 1, share)) }
            }
        }
        guard !stopped.isEmpty else { return [] }
        // One finding a week, naming every source that stopped and where (the same words for
        // every week of one stretch, so that weeks in a row read as one episode).
        stopped.sort { ($0.since, $0.what) < ($1.since, $1.what) }
        let list = stopped.map { "\($0.what) (none since \(UTCTime.iso($0.since)))" }.joined(separator: ", ")
        return [Finding(rule: rule, severity: .medium, firstSeen: stopped.map(\.share.0).min() ?? start, lastSeen: stopped.map(\.share.1).max() ?? end,
                        message: "\(stopped.count) source(s) stopped while others went on: \(list); an export or log was not collected, and no rule sees what it would show",
                        count: 1, evidence: [], identity: ["silent"])]
    }

    /// The holes between covered spans (sorted by start), and after the last one up to `horizon`.
    static func stretches(_ spans: [(Int64, Int64)], horizon: Int64) -> [(Int64, Int64)] {
        guard var reach = spans.first?.1 else { return [] }
        var holes: [(Int64, Int64)] = []
        for (from, to) in spans.dropFirst() {
            if from > reach + 1 { holes.append((reach + 1, from - 1)) }
            reach = max(reach, to)
        }
        if horizon > reach { holes.append((reach + 1, horizon)) }
        return holes
    }
}
