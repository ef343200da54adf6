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
        for row in try rows("""
            SELECT DISTINCT user_id, username FROM v_logins WHERE user_id IS NOT NULL AND username IS NOT NULL
            UNION SELECT DISTINCT user_id, sub FROM v_token_requests WHERE user_id IS NOT NULL AND sub IS NOT NULL
                  AND flow = 'jwt_bearer' AND outcome = 'success'
            """) {
            if let id = row[0].string, let name = row[1].string { map[id] = name; map[String(id.prefix(15))] = name }
        }
        directoryCache = map
        return map
    }

    /// A login's user as a reviewer knows it: the username, else the username its id maps to, else the id.
    public func displayUser(username: String?, userId: String?, directory: [String: String]) -> String? {
        if let username { return username }
        guard let userId else { return nil }
        return directory[userId] ?? directory[String(userId.prefix(15))] ?? userId
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
}

let oauthFlows = "('jwt_bearer','client_credentials','refresh_token','username_password','web_server','user_agent','token_exchange','device')"

/// A client host's clock offset: server time minus host time (positive: the host is slow).
public struct ClockOffset: Sendable {
    public var host: String
    public var offsetMs: Int64
    public var samples: Int
    /// Interquartile range of the samples, a robust spread.
    public var spreadMs: Int64

    public var description: String {
        let seconds = Double(abs(offsetMs)) / 1000
        let direction = offsetMs > 0 ? "slow" : "fast"
        return String(format: "%@'s clock is %.0f s %@ (median of %d server Date samples, spread %.0f s)",
                      host, seconds, direction, samples, Double(spreadMs) / 1000)
    }
}

extension AnalysisContext {
    /// Per-host clock offsets from the response `Date` header (second precision, so half a
    /// second of error either way): the median resists outliers such as a slow response.
    /// `from`/`to` limit the samples to a period (a clock that drifted is wrong only since then).
    public func clockOffsets(from: Int64 = .min, to: Int64? = nil) throws -> [String: ClockOffset] {
        var samples: [String: [Int64]] = [:]
        for row in try rows("""
            SELECT h.value, t.server_date - t.time - coalesce(t.duration_ms, 0) / 2 FROM token_requests t
            JOIN strings h ON h.id = t.host WHERE t.server_date IS NOT NULL AND t.time BETWEEN ? AND ?
            """, [.integer(from), .integer(to ?? windowEnd)]) {
            if let host = row[0].string, let offset = row[1].int { samples[host, default: []].append(offset) }
        }
        var result: [String: ClockOffset] = [:]
        for (host, values) in samples {
            let sorted = values.sorted()
            let q = { (p: Double) in sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))] }
            result[host] = ClockOffset(host: host, offsetMs: q(0.5), samples: sorted.count, spreadMs: q(0.75) - q(0.25))
        }
        return result
    }
}
