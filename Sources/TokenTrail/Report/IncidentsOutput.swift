import Foundation

/// Incidents for machines (NDJSON, keys in DESIGN.md) and for people (the scan's terminal list).
public enum IncidentsOutput {
    public static func ndjson(_ incidents: [Incident]) -> String {
        incidents.map(\.json).joined(separator: "\n") + (incidents.isEmpty ? "" : "\n")
    }

    /// One block per incident at or above `minimum`: severity, id, title, when, what was read.
    public static func text(_ incidents: [Incident], new: Set<String>, minimum: Severity = .medium) -> String {
        let shown = incidents.filter { $0.severity >= minimum }
        guard !shown.isEmpty else { return "" }
        var out = "\nIncidents (\(shown.count)), most severe first:\n"
        for i in shown {
            // A value's own line breaks are shown as `·` (sanitize): a host name cannot forge a line.
            out += "  \(i.severity.rawValue.uppercased().padding(toLength: 8, withPad: " ", startingAt: 0)) \(i.id)\(new.contains(i.id) ? " (new)" : "")"
                + "\(i.state == .open ? "" : " [\(i.state.rawValue)]")  \(TerminalSummary.sanitize(i.title))\n"
            out += "           \(Narrative.span(i.firstSeen, i.lastSeen)) · \(i.findings.count) finding(s): \(Array(Set(i.rules)).sorted().joined(separator: ", "))\n"
            out += "           \(TerminalSummary.sanitize(radius(i)))\n"
            if !i.toDo.isEmpty { out += "           to do: \(TerminalSummary.sanitize(i.toDo))\n" }
        }
        out += "  (tokentrail incidents show ID tells one whole; tokentrail triage ID --state … records a decision)\n"
        return TerminalSummary.sanitizeLines(out)
    }

    /// "190,226 records read in 13 API call(s): Case 184,223, …", or what could not be seen.
    static func radius(_ i: Incident) -> String {
        let b = i.blast
        let rules = i.rules.compactMap { RuleCatalog.rule(id: $0) }
        // A broken integration reads nothing: its what-to-do line says the rest.
        if b.isEmpty, !rules.contains(where: { $0.cause == .misuse }) { return "nothing read (a breakage, not a misuse)" }
        if b.isEmpty {
            return b.exported.isEmpty ? "no API event log files cover this period" : "no API activity in the exports for these sessions"
        }
        let top = b.entities.prefix(3).filter { $0.records > 0 }.map { "\($0.name) \(Narrative.number($0.records))" }
        return "\(Narrative.number(b.recordsRead)) record(s) read in \(Narrative.number(b.apiCalls)) API call(s)" + (top.isEmpty ? "" : ": " + top.joined(separator: ", "))
            + (b.bulkJobs.isEmpty ? "" : "; \(b.bulkJobs.count) Bulk job(s)")
    }

    /// A plain-language summary of a run's incidents, for chat webhooks (Slack and Teams show
    /// `text`): every incident at or above `minimum` with its state and what to do, linked to
    /// its report page under `reportURL`; past `listed`, the rest by severity with their ids,
    /// never cut silently. Log values are made inert for chat markup (`chatSafe`); the link,
    /// the operator's own URL, is not.
    public static func summary(_ incidents: [Incident], findings: Int, minimum: Severity = .info, reportURL: String? = nil, listed: Int = 10) -> String {
        let shown = incidents.filter { $0.severity >= minimum }
        guard !shown.isEmpty else { return chatSafe("TokenTrail: \(findings) finding(s), no incident at \(minimum.rawValue) or above.") }
        let counts = Severity.allCases.reversed().compactMap { s -> String? in
            let n = shown.filter { $0.severity == s }.count
            return n == 0 ? nil : "\(n) \(s.rawValue)"
        }.joined(separator: ", ")
        var out = chatSafe("TokenTrail: \(shown.count) incident(s) (\(counts)) from \(findings) finding(s).")
        let base = reportURL.map { $0.hasSuffix("/") ? $0 : $0 + "/" }
        for i in shown.prefix(listed) {
            out += "\n• " + chatSafe("[\(i.severity.rawValue.uppercased())] \(TerminalSummary.sanitize(i.title)) (\(UTCTime.iso(i.firstSeen)), \(i.state.rawValue)): \(radius(i)). To do: \(i.toDo) \(i.id)")
            if let base { out += " " + base + i.page }
        }
        let rest = shown.dropFirst(listed)
        for severity in Severity.allCases.reversed() {
            let group = rest.filter { $0.severity == severity }
            if group.isEmpty { continue }
            out += "\n" + chatSafe("… and \(group.count) more \(severity.rawValue): \(group.map(\.id).joined(separator: ", "))")
        }
        if let base { out += "\nReport: " + base + "index.html" }
        return out
    }

    /// Slack reads `<…>` as links and mentions (`<!channel>`) and wants `& < >` as entities; both
    /// services turn a URL into a link. A hostile app or user name must stay text: control and
    /// invisible characters (terminal escapes, bidi overrides) as on the terminal, entities for
    /// `& < >`, and `://` defanged to `[:]//`.
    static func chatSafe(_ text: String) -> String {
        TerminalSummary.sanitizeLines(text)
            .replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "://", with: "[:]//")
    }

}
