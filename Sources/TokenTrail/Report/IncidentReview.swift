/// `tokentrail incidents` and `incidents show`: the weekly review's list of incidents with
/// their states, and one incident whole (DESIGN.md, Incidents as a workflow). Every value is
/// shown through `TerminalSummary.sanitize`: a note or a log value cannot forge a line.
public enum IncidentReview {
    /// One line per incident: id, severity, state, records read, when, title; then what to do.
    public static func list(_ incidents: [Incident]) -> String {
        guard !incidents.isEmpty else { return "No incidents in this period.\n" }
        let v = TerminalSummary.sanitize
        var out = "\(incidents.count) incident(s), most severe first (\(counts(incidents))):\n"
        for i in incidents {
            out += "  \(i.id)  \(pad(i.severity.rawValue.uppercased(), 8)) \(pad(i.state.rawValue, 14)) \(v(i.title))\n"
            out += "      \(Narrative.span(i.firstSeen, i.lastSeen)); \(Narrative.number(i.blast.recordsRead)) record(s) read"
            if !i.agents.isEmpty { out += "; client \(v(i.agents.prefix(2).joined(separator: ", ")))" }
            if !i.countries.isEmpty { out += "; country \(v(i.countries.prefix(3).joined(separator: ", ")))" }
            out += "\n      to do: \(v(i.toDo))\n"
            if let last = i.triage.last { out += "      decided \(UTCTime.iso(last.time)) by \(v(last.by)): \(v(last.note))\n" }
        }
        out += "(tokentrail incidents show ID for one whole; tokentrail triage ID --state … to decide)\n"
        return TerminalSummary.sanitizeLines(out)
    }

    /// "2 open, 1 acknowledged".
    static func counts(_ incidents: [Incident]) -> String {
        TriageState.allCases.compactMap { s in
            let n = incidents.filter { $0.state == s }.count
            return n == 0 ? nil : "\(n) \(s.rawValue)"
        }.joined(separator: ", ")
    }

    /// One incident whole: what happened, what to do, its findings with their evidence, what
    /// its sessions read, and every decision taken about it.
    public static func show(_ i: Incident, findings: [Finding]) -> String {
        let v = TerminalSummary.sanitize
        var out = "\(i.id)  \(i.severity.rawValue.uppercased())  state: \(i.state.rawValue)\n\(v(i.title))\n"
        out += "\(Narrative.span(i.firstSeen, i.lastSeen))\n"
        func line(_ label: String, _ values: [String]) { if !values.isEmpty { out += "\(label): \(v(values.joined(separator: ", ")))\n" } }
        line("apps", i.apps); line("users", i.users); line("addresses", i.ips); line("client hosts", i.hosts)
        line("clients (user agents)", i.agents); line("countries", i.countries)
        if let earlier = i.recurrenceOf { out += "recurrence of \(earlier)\n" }
        out += "\nTo do: \(v(i.toDo))\n\n"
        out += i.narrative.split(separator: "\n", omittingEmptySubsequences: false).map { v(String($0)) }.joined(separator: "\n") + "\n"
        out += "\nFindings (\(findings.count)):\n"
        for f in findings {
            out += "  [\(f.severity.rawValue)] \(f.rule): \(v(f.message))\n"
            out += "      \(UTCTime.iso(f.firstSeen)) … \(UTCTime.iso(f.lastSeen)); evidence: \(v(f.evidence.prefix(10).joined(separator: ", ")))"
            out += f.evidence.count > 10 ? " and \(f.evidence.count - 10) more\n" : "\n"
        }
        let b = i.blast
        if !b.isEmpty {
            out += "\nWhat its sessions did: \(Narrative.number(b.apiCalls)) API call(s), \(Narrative.number(b.recordsRead)) record(s) read\n"
            for e in b.entities.prefix(10) { out += "  \(v(e.name)): \(Narrative.number(e.records)) record(s) in \(e.calls) call(s)\n" }
        }
        out += "\nTriage:\n"
        if i.triage.isEmpty { out += "  none yet (open)\n" }
        for t in i.triage { out += "  \(UTCTime.iso(t.time))  \(pad(t.state.rawValue, 14)) by \(v(t.by)) (at \(t.severity.rawValue)): \(v(t.note))\n" }
        out += "  change it: tokentrail triage \(i.id) --state acknowledged|false-positive|resolved|open --note TEXT --by NAME\n"
        out += "\nTimeline: tokentrail timeline --incident \(i.id)\n"
        return TerminalSummary.sanitizeLines(out)
    }

    /// `incidents show --format json`: the incident's NDJSON object with its findings.
    public static func showJSON(_ i: Incident, findings: [Finding]) -> JSONValue {
        guard case .object(var object) = i.jsonValue else { return i.jsonValue }
        object["findings_detail"] = .array(findings.compactMap { try? JSONParser.parse($0.json) })
        return .object(object)
    }

    static func pad(_ s: String, _ n: Int) -> String { s.padding(toLength: max(n, s.count), withPad: " ", startingAt: 0) }
}
