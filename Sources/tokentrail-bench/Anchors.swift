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

/// The hunt's anchor: every column an address indicator is swept over, read by `sqlite3`.
let huntAnchorSQL = """
SELECT (SELECT value FROM strings WHERE id = source_ip) FROM logins;
SELECT (SELECT value FROM strings WHERE id = client_ip) FROM api_activity;
SELECT (SELECT value FROM strings WHERE id = source_ip) FROM token_requests;
SELECT (SELECT value FROM strings WHERE id = client_ip) FROM idp_events;
"""

/// The export's anchor: its three `SELECT`s (Export/OCSFExport.swift) with every name resolved,
/// as a plain `sqlite3` reads the rows in time order.
let exportAnchorSQL: String = {
    func s(_ c: String) -> String { "(SELECT value FROM strings WHERE id = \(c))" }
    func evidence(_ src: String, _ line: String) -> String { "\(src).path || CASE \(src).positions WHEN 'record' THEN '#' ELSE ':' END || \(line)" }
    let logins = ["l.username", "l.user_id", "l.app", "l.source_ip", "c.outcome", "c.failure_class", "c.status", "c.flow", "c.flow_basis",
                  "c.login_type", "c.subtype", "c.origin", "c.country", "c.login_url"].map(s).joined(separator: ", ")
    let okta = ["e.actor_name", "e.actor_id", "e.client_id", "e.client_ip", "e.outcome", "e.failure_class", "e.outcome_reason", "e.flow",
                "e.event_type"].map(s).joined(separator: ", ")
    let api = ["a.event_type", "a.username", "a.user_id", "a.app", "a.client_ip", "a.method", "a.resource", "a.entity", "a.status"].map(s)
        .joined(separator: ", ") + ", a.rows, a.request_id, a.login_key, a.session_key, " + ["a.user_agent", "a.client_name", "a.app_id"].map(s).joined(separator: ", ")
    return """
    SELECT l.time, l.key, \(logins), \(evidence("src", "l.line")) FROM logins l JOIN login_contexts c ON c.id = l.context
      JOIN sources src ON src.id = l.source_id ORDER BY l.time, l.key;
    SELECT e.time, e.key, \(okta), \(evidence("src", "e.line")) FROM idp_events e JOIN sources src ON src.id = e.source_id
      WHERE e.event_type IN (SELECT id FROM strings WHERE value LIKE 'user.session.start' OR value LIKE 'user.authentication.%'
                             OR value LIKE 'app.oauth2.%token.grant%') ORDER BY e.time, e.key;
    SELECT a.time, a.key, \(api), a.job_id, \(evidence("src", "a.line")) FROM api_activity a JOIN sources src ON src.id = a.source_id
      ORDER BY a.time, a.key;
    """
}()

/// An advisory's worth of address indicators: half of them addresses the benchmark's logins
/// come from, half from a range it never uses.
func writeIndicators(to path: String, count: Int) throws {
    var lines = ["# benchmark indicators"]
    for i in 0..<count {
        lines.append(i % 2 == 0 ? "198.18.\(i % 64).\(1 + i % 250)" : "203.0.113.\(i % 250)")
    }
    try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
}

/// Medians of runs alternated with their anchor's, so that a slow minute of a noisy machine
/// costs both sides alike.
struct Comparison {
    var measured: [Measurement] = []
    var anchor: [Measurement] = []

    /// `prepare` runs before every run of either side (fresh databases); its argument says
    /// whether the anchor's run is next.
    /// `succeeded`: the measured command's exit statuses that mean it worked (`hunt` exits 1 when nothing matched).
    static func run(times: Int = 3, prepare: (_ anchor: Bool) throws -> Void, measured: [String], anchor: [String], anchorStdin: String? = nil,
                    succeeded: Set<Int32> = [0]) throws -> Comparison {
        var c = Comparison()
        for _ in 0..<times {
            try prepare(false)
            let m = try measure(measured)
            guard succeeded.contains(m.status) else { throw BenchError("\(measured.joined(separator: " ")) exited \(m.status)") }
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
