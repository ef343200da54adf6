import Foundation

/// The token log's anchor: what a competent engineer writes in ten minutes with Python's
/// standard library — parse each line with `json`, insert 11 fields with `sqlite3`.
let pythonAnchor = """
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[2])
db.execute("CREATE TABLE IF NOT EXISTS requests(ts, host, integration, provider, token_url, grant_type, client_id, http_status, error, error_description, duration_ms)")
def rows(path):
    with open(path, "rb") as f:
        for line in f:
            o = json.loads(line)
            yield (o.get("ts", o.get("time")), o.get("host"), o.get("integration", o.get("service")), o.get("provider"),
                   o.get("token_url", o.get("url")), o.get("grant_type"), o.get("client_id"), o.get("http_status"),
                   o.get("error", o.get("errorCode")), o.get("error_description", o.get("errorSummary")), o.get("duration_ms"))
with db:
    db.executemany("INSERT INTO requests VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows(sys.argv[1]))
"""

/// Medians of runs alternated with their anchor's, so that a slow minute of a noisy machine
/// costs both sides alike.
struct Comparison {
    var measured: [Measurement] = []
    var anchor: [Measurement] = []

    /// `prepare` runs before every run of either side (fresh databases); its argument says
    /// whether the anchor's run is next.
    static func run(times: Int = 3, prepare: (_ anchor: Bool) throws -> Void, measured: [String], anchor: [String], anchorStdin: String? = nil) throws -> Comparison {
        var c = Comparison()
        for _ in 0..<times {
            try prepare(false)
            let m = try measure(measured)
            guard m.status == 0 else { throw BenchError("\(measured.joined(separator: " ")) exited \(m.status)") }
            c.measured.append(m)
            try prepare(true)
            let a = try measure(anchor, stdin: anchorStdin)
            guard a.status == 0 else { throw BenchError("\(anchor.joined(separator: " ")) exited \(a.status)") }
            c.anchor.append(a)
        }
        return c
    }

    static func median(_ runs: [Measurement]) -> Double { runs.map(\.seconds).sorted()[runs.count / 2] }
    var measuredMedian: Double { Self.median(measured) }
    var anchorMedian: Double { Self.median(anchor) }
    var ratio: Double { measuredMedian / max(anchorMedian, 0.001) }
    var measuredRSS: Double { measured.map(\.peakRSSMB).max() ?? 0 }
    var anchorRSS: Double { anchor.map(\.peakRSSMB).max() ?? 0 }

    /// `label: 4.10 s [4.02–4.31] (peak 120 MB) vs anchor 8.2 s [..] (peak ..) → ratio 0.50 (target ≤ 0.50 met)`
    func line(_ label: String, anchorName: String, target: Double?) -> String {
        func spread(_ runs: [Measurement]) -> String {
            let s = runs.map(\.seconds)
            return String(format: "%.2f s [%.2f–%.2f]", Self.median(runs), s.min() ?? 0, s.max() ?? 0)
        }
        let verdict = target.map { String(format: "target ≤ %.2f: %@", $0, ratio <= $0 ? "met" : "missed") } ?? "no target"
        return String(format: "%@: %@ peak %.0f MB | %@ %@ peak %.0f MB | ratio %.2f (%@)", label, spread(measured),
                      measuredRSS, anchorName, spread(anchor), anchorRSS, ratio, verdict)
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

func removeDatabase(_ path: String) {
    for p in [path, path + "-wal", path + "-shm", path + "-journal"] { try? FileManager.default.removeItem(atPath: p) }
}
