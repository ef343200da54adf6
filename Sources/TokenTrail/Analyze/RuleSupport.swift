/// Queries several rules share.
extension AnalysisContext {
    /// True when the database holds logins older than the window: first-seen rules only
    /// judge "new" against a baseline, so a first scan does not flag everything it sees.
    public var hasHistory: Bool {
        get throws { try db.scalar("SELECT EXISTS(SELECT 1 FROM logins WHERE time < ?)", [.integer(windowStart)]).int == 1 }
    }

    /// Usernames for user ids, from sources that carry both (ELF Login rows, client token
    /// logs whose response `id` names the user). The LoginHistory API export has ids only.
    public func usernames() throws -> [String: String] {
        if let cached = directoryCache { return cached }
        var map: [String: String] = [:]
        for pair in try loginFacts().userPairs.union(try requestFacts().userPairs) {
            if let id = try names.name(pair.first), let name = try names.name(pair.second) { map[id] = name; map[String(id.prefix(15))] = name }
        }
        directoryCache = map
        return map
    }

    /// The same directory read straight from the database (for summaries outside an analysis).
    public static func directory(_ db: Database) throws -> [String: String] {
        var map: [String: String] = [:]
        for row in try db.rows("""
            SELECT u.value, n.value FROM (SELECT DISTINCT user_id, username FROM logins WHERE user_id IS NOT NULL AND username IS NOT NULL) p
              JOIN strings u ON u.id = p.user_id JOIN strings n ON n.id = p.username
            UNION SELECT u.value, n.value FROM (SELECT DISTINCT user_id, sub FROM token_requests WHERE user_id IS NOT NULL AND sub IS NOT NULL
                  AND flow = (SELECT id FROM strings WHERE value = 'jwt_bearer') AND outcome = (SELECT id FROM strings WHERE value = 'success')) p
              JOIN strings u ON u.id = p.user_id JOIN strings n ON n.id = p.sub
            """) {
            if let id = row[0].string, let name = row[1].string { map[id] = name; map[String(id.prefix(15))] = name }
        }
        return map
    }

    /// A login's user as a reviewer knows it: the username, else the username its id maps to, else the id.
    public func displayUser(username: String?, userId: String?, directory: [String: String]) -> String? {
        if let username { return username }
        guard let userId else { return nil }
        return directory[userId] ?? directory[String(userId.prefix(15))] ?? userId
    }

    /// The same, from symbol ids.
    public func displayUser(username: Int64, userId: Int64) throws -> String? {
        displayUser(username: try names.name(username), userId: try names.name(userId), directory: try usernames())
    }
}

/// A group of records a rule reports together.
struct Group {
    var count = 0
    var first = Int64.max
    var last = Int64.min
    mutating func add(_ time: Int64, _ n: Int = 1) {
        count += n
        first = min(first, time)
        last = max(last, time)
    }
    mutating func merge(_ other: Group) {
        count += other.count
        first = min(first, other.first)
        last = max(last, other.last)
    }
}

let oauthFlows = "(" + Flow.allCases.filter(\.isOAuth).map { "'\($0.rawValue)'" }.joined(separator: ",") + ")"

/// A client host's clock offset: server time minus host time (positive: the host is slow).
public struct ClockOffset: Sendable {
    public var host: String
    public var offsetMs: Int64
    public var samples: Int
    /// Interquartile range of the samples, a robust spread.
    public var spreadMs: Int64
    /// What the samples are.
    public var estimator = "server Date"

    public var description: String {
        let seconds = Double(abs(offsetMs)) / 1000
        let direction = offsetMs > 0 ? "slow" : "fast"
        return String(format: "%@'s clock is %.0f s %@ (median of %d %@ samples, spread %.0f s)",
                      host, seconds, direction, samples, estimator, Double(spreadMs) / 1000)
    }
}

extension AnalysisContext {
    /// Per-host clock offsets from the response `Date` header (second precision, so half a
    /// second of error either way): the median resists outliers such as a slow response.
    /// `from`/`to` limit the samples to the hours of a period (a clock that drifted is wrong only since then).
    public func clockOffsets(from: Int64 = .min, to: Int64? = nil) throws -> [String: ClockOffset] {
        let first = from == .min ? Int64.min : from / 3_600_000, last = (to ?? windowEnd) / 3_600_000
        var merged: [Int64: OffsetHistogram] = [:]
        for (hour, tally) in try requestFacts().hours where hour.hour >= first && hour.hour <= last && tally.offsets.count > 0 {
            merged[hour.host, default: OffsetHistogram()].merge(tally.offsets)
        }
        var result: [String: ClockOffset] = [:]
        for (host, histogram) in merged {
            guard let name = try names.name(host) else { continue }
            result[name] = ClockOffset(host: name, histogram)
        }
        return result
    }
}

extension ClockOffset {
    init(host: String, _ h: OffsetHistogram, estimator: String = "server Date") {
        self.init(host: host, offsetMs: h.quantile(0.5), samples: h.count, spreadMs: h.quantile(0.75) - h.quantile(0.25), estimator: estimator)
    }
}
