import Foundation

/// The report's incident pieces: the overview's "Needs attention" list (one line per
/// incident, linking to its page) and one page per incident with its narrative, findings,
/// blast radius, a chart of records read per hour and a timeline of its records.
enum IncidentPage {
    /// Timeline rows on a page (the CLI's `timeline --incident` gives all).
    static let timelineRows = 40
    /// Rows of each blast-radius table on a page (`v_incidents` and `--incidents` hold all).
    static let tableRows = 20
    /// Evidence lines per finding card on a page.
    static let evidencePerFinding = 10
    /// Blast radius evidence rows on a page (the database keeps up to `BlastRadius.maxEvidence`).
    static let evidenceRows = 50
    /// Bars in the chart; a longer incident shows its start.
    static let chartBars = 96

    static func attention(_ incidents: [Incident], new: Set<String>) -> String {
        let e = HTML.escape
        var out = "<ol class=\"attention\">"
        for i in incidents {
            out += "<li><span class=\"sev sev-\(i.severity.rawValue)\">\(e(i.severity.rawValue))</span> <a href=\"\(e(i.page))\">\(e(i.title))</a>"
            out += new.contains(i.id) ? " <b>new</b>" : ""
            out += i.state == .open ? "" : " <span class=\"muted\">[\(e(i.state.rawValue))\(i.triage.last.map { $0.by.isEmpty ? "" : " by " + $0.by } ?? "")]</span>"
            out += "<br><span class=\"muted\">\(e(Narrative.span(i.firstSeen, i.lastSeen))) · \(i.findings.count) finding(s) · \(e(IncidentsOutput.radius(i)))</span>"
            if !i.toDo.isEmpty { out += "<br>To do: \(e(i.toDo))" }
            out += "</li>"
        }
        return out + "</ol>"
    }

    /// Where the review stands: the state, every decision, and the command that changes it.
    static func triageBox(_ i: Incident) -> String {
        let e = HTML.escape
        var out = "<div class=\"card\"><b>State: \(e(i.state.rawValue))</b>"
        if i.triage.isEmpty { out += "<p class=\"muted\">No decision yet.</p>" }
        else {
            out += HTML.table(["when (UTC)", "state", "by", "at severity", "note"],
                              i.triage.map { [UTCTime.iso($0.time), $0.state.rawValue, $0.by, $0.severity.rawValue, $0.note] })
        }
        out += "<p class=\"muted\">Decide: <code>tokentrail triage \(e(i.id)) --state acknowledged|false-positive|resolved|open --note '…' --by NAME</code></p></div>"
        return out
    }

    static func render(_ i: Incident, findings: [Finding], timeline: Timeline, new: Set<String>) -> String {
        let e = HTML.escape, n = Narrative.number
        var out = "<h1>\(e(i.title))</h1>"
        out += "<p><span class=\"sev sev-\(i.severity.rawValue)\">\(e(i.severity.rawValue))</span> · incident <code>\(e(i.id))</code>"
        out += " · \(e(Narrative.span(i.firstSeen, i.lastSeen))) · \(i.findings.count) finding(s)</p>"
        out += triageBox(i)
        if !i.toDo.isEmpty { out += "<p><b>To do:</b> \(e(i.toDo))</p>" }
        out += "<div class=\"narrative\">" + i.narrative.components(separatedBy: "\n\n").map { "<p>\(e($0))</p>" }.joined() + "</div>"
        var facts: [[String]] = []
        for (label, values) in [("apps", i.apps), ("users", i.users), ("source IPs", i.ips), ("clients (user agents)", i.agents), ("countries", i.countries),
                                ("client hosts", i.hosts), ("sessions", i.sessions)] where !values.isEmpty {
            facts.append([label, values.prefix(20).joined(separator: ", ") + (values.count > 20 ? " … (\(values.count))" : "")])
        }
        if !facts.isEmpty { out += HTML.table(["involved", ""], facts) }

        out += "<h2>Findings</h2>" + findings.map { FindingsPage.card($0, new: new.contains($0.fingerprint), compact: false, evidence: evidencePerFinding) }.joined()

        let b = i.blast
        out += "<h2>Blast radius</h2>"
        if b.isEmpty {
            out += "<p>" + (b.exported.isEmpty
                ? "No API event log files cover this period: TokenTrail cannot see what these sessions did."
                : "No API activity in the exports for these sessions. Exported for that period: \(e(b.exported.joined(separator: ", ")))." ) + "</p>"
        } else {
            out += "<div class=\"cards\"><div class=\"card\"><b>\(n(b.apiCalls))</b>API calls</div><div class=\"card\"><b class=\"\(b.recordsRead > 0 ? "bad" : "")\">\(n(b.recordsRead))</b>records read</div>"
            out += "<div class=\"card\"><b>\(b.entities.count)</b>objects touched</div><div class=\"card\"><b>\(b.bulkJobs.count)</b>Bulk jobs</div></div>"
            if let first = b.first, let last = b.last { out += "<p class=\"muted\">Activity \(e(Narrative.span(first, last))). Exported for that period: \(e(b.exported.joined(separator: ", "))).</p>" }
            out += chart(b)
            out += "<h3>Objects</h3>" + HTML.table(["object", "calls", "records read"], b.entities.prefix(tableRows).map { [$0.name, n($0.calls), n($0.records)] }, numeric: [1, 2])
            if !b.addresses.isEmpty {
                out += "<h3>By client address</h3>" + HTML.table(["address", "calls", "records read"], b.addresses.prefix(tableRows).map { [$0.ip, n($0.calls), n($0.records)] }, numeric: [1, 2])
            }
            if !b.bulkJobs.isEmpty {
                out += "<h3>Bulk jobs</h3>" + HTML.table(["job", "operation", "object", "last state", "records", "first", "last"], b.bulkJobs.prefix(tableRows).map {
                    [$0.id, $0.operation ?? "", $0.entity ?? "", $0.state ?? "", n($0.records), UTCTime.iso($0.first), UTCTime.iso($0.last)]
                }, numeric: [4], code: [0])
            }
            out += "<h3>Calls by event type</h3>" + HTML.table(["event type", "rows"], b.callsByType.sorted { $0.key < $1.key }.map { [$0.key, n($0.value)] }, numeric: [1])
            if b.matchedByAddress > 0 {
                out += "<p class=\"muted\">\(b.matchedByAddress) row(s) were tied to logins without a session key (Login History) by user, address and time.</p>"
            }
            let shown = b.evidence.prefix(evidenceRows)
            out += "<details><summary>Evidence (\(shown.count) row(s)\(b.evidence.count > shown.count ? " of the first \(b.evidence.count): `timeline --incident` lists them all" : ""))</summary><p class=\"evidence\">"
            out += shown.map(e).joined(separator: "<br>") + "</p></details>"
        }

        out += "<h2>Timeline</h2><p class=\"muted\">Its findings, the records they cite, and its sessions' logins and API activity, an hour before to a day after. "
        out += "All of it: <code>tokentrail timeline --incident \(e(i.id))</code>.</p>"
        let rows = timeline.events.prefix(timelineRows).map { ev in
            [UTCTime.iso(ev.time), ev.kind, [ev.app, ev.user, ev.ip, ev.host].compactMap { $0 }.joined(separator: " · "), ev.outcome ?? "", ev.detail, ev.evidence]
        }
        out += HTML.table(["time (UTC)", "kind", "who", "outcome", "detail", "evidence"], Array(rows), code: [0, 5], words: [2])
        if timeline.events.count > timelineRows || timeline.truncated { out += "<p class=\"muted\">Only the first \(timelineRows) events are shown.</p>" }
        return out
    }

    /// Records read over time: per 10 minutes for an incident of up to 12 hours (an attack of
    /// minutes is one bar per hour), per hour beyond; one bucket of quiet on each side, at most `chartBars`.
    static func chart(_ b: BlastRadius) -> String {
        guard let first = b.reads.keys.min(), let last = b.reads.keys.max() else { return "" }
        let fine = last - first <= 12 * 3_600_000
        let step = fine ? BlastRadius.bucketMs : 3_600_000
        var sums: [Int64: Int64] = [:]
        for (bucket, n) in b.reads { sums[bucket / step * step, default: 0] += n }
        let start = first / step * step - step, end = min(last / step * step + step, start + Int64(chartBars - 1) * step)
        let rows: [[SQLValue]] = stride(from: start, through: end, by: Int(step)).map { t in
            [.text(String(UTCTime.iso(t).dropFirst(5).prefix(11)).replacingOccurrences(of: "T", with: " ")), .text("records read"), .text(String(sums[t] ?? 0))]
        }
        return Charts.stacked(Charts.Series(rows), title: fine ? "Records read per 10 minutes (UTC)" : "Records read per hour (UTC)")
    }
}
