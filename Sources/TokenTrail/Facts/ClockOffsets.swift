import Foundation

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

extension ClockOffset {
    init(host: String, _ h: OffsetHistogram, estimator: String = "server Date") {
        self.init(host: host, offsetMs: h.quantile(0.5), samples: h.count, spreadMs: h.quantile(0.75) - h.quantile(0.25), estimator: estimator)
    }
}

extension Facts {
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
