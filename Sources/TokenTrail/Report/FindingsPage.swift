/// Findings as a reviewer reads them: the problems (medium and above) as cards with the
/// users they cover, their evidence and the rule's why; the long tail (low and info) as one
/// compact table below, so hygiene items never bury a problem and none is out of reach.
enum FindingsPage {
    /// The lowest severity shown as a problem.
    static let problem = Severity.medium
    /// Cards per rule before the rest are only counted (one finding is one cause: a rule with
    /// more than this is a rule to tune).
    static let cardsPerRule = 50
    static let tailRows = 500

    /// `incidents`: the incident of each finding that is in one. Those findings are listed
    /// once, below, each linking to its incident's page (which tells them together); the
    /// cards and the long tail are the findings in no incident.
    static func render(_ all: [Finding], new: Set<String>, heading: String = "Findings", compact: Bool = false,
                       incidents: [String: Incident] = [:]) -> String {
        let e = HTML.escape, h = compact ? "h2" : "h1"
        guard !all.isEmpty else { return "<\(h)>\(e(heading))</\(h)><p class=\"muted\">No finding in this period.</p>" }
        let findings = all.filter { incidents[$0.fingerprint] == nil }
        let grouped = incidents.isEmpty ? "" : inIncidents(all.filter { incidents[$0.fingerprint] != nil }, incidents, compact: compact)
        guard !findings.isEmpty else { return "<\(h)>\(e(heading))</\(h)><p class=\"muted\">Every finding of this period is part of an incident.</p>" + grouped }
        var counts: [String] = []
        for severity in Severity.allCases.reversed() {
            let n = findings.filter { $0.severity == severity }.count
            if n > 0 { counts.append("\(n) \(severity.rawValue)") }
        }
        // The headline counts every finding of the page, and says which are told in incidents.
        var all_: [String] = []
        for severity in Severity.allCases.reversed() {
            let n = all.filter { $0.severity == severity }.count
            if n > 0 { all_.append("\(n) \(severity.rawValue)") }
        }
        let inIncident = all.count - findings.count
        var out = "<\(h)>\(e(heading))</\(h)><p>\(all.count) finding(s): \(e(all_.joined(separator: " · ")))"
            + (inIncident > 0 ? " (\(inIncident) in incidents, listed below; \(findings.count) in none: \(e(counts.joined(separator: " · "))))" : "") + "</p>"
        var shown: [String: Int] = [:]
        for f in findings where f.severity >= problem {
            shown[f.rule, default: 0] += 1
            if shown[f.rule, default: 0] <= cardsPerRule { out += card(f, new: new.contains(f.fingerprint), compact: compact) }
        }
        for (rule, count) in shown.sorted(by: { $0.key < $1.key }) where count > cardsPerRule {
            out += "<p class=\"muted\">… and \(count - cardsPerRule) more <code>\(e(rule))</code> findings: see the <code>findings</code> table or <code>--findings</code>.</p>"
        }
        return out + longTail(findings.filter { $0.severity < problem }, compact: compact) + grouped
    }

    /// One row per finding that is part of an incident, linking to the incident's page.
    static func inIncidents(_ findings: [Finding], _ incidents: [String: Incident], compact: Bool) -> String {
        guard !findings.isEmpty else { return "" }
        let e = HTML.escape
        var out = "<h2 id=\"in-incidents\">\(findings.count) finding(s) in incidents</h2>"
        out += "<p class=\"muted\">Each incident's page tells its findings together, with what their sessions read.</p>"
        out += "<table><thead><tr><th>severity</th><th>rule</th><th>finding</th><th>first evidence</th><th>incident</th></tr></thead><tbody>"
        for f in findings {
            guard let i = incidents[f.fingerprint] else { continue }
            out += "<tr\(compact ? "" : " id=\"f-\(e(f.fingerprint))\"")><td>\(e(f.severity.rawValue))</td><td class=\"code\">\(e(f.rule))</td><td>\(e(f.message))</td><td class=\"evidence\">\(e(f.evidence.first ?? ""))</td>"
            out += "<td><a href=\"\(e(i.page))\">\(e(i.id))</a> <span class=\"sev sev-\(i.severity.rawValue)\">\(e(i.severity.rawValue))</span></td></tr>"
        }
        return out + "</tbody></table>"
    }

    /// `evidence`: how many evidence lines to show (an incident page shows a few per finding).
    static func card(_ f: Finding, new: Bool, compact: Bool, evidence shownEvidence: Int = Finding.maxEvidence) -> String {
        let e = HTML.escape
        var out = "<div class=\"finding sev-\(f.severity.rawValue)\"\(compact ? "" : " id=\"f-\(e(f.fingerprint))\"")><div><span class=\"sev\">\(e(f.severity.rawValue))</span> "
        out += "<code>\(e(f.rule))</code>\(new ? " <b>new</b>" : "")</div>"
        out += "<p class=\"msg\">\(e(f.message))</p>"
        out += "<p class=\"muted\">\(e(UTCTime.iso(f.firstSeen))) … \(e(UTCTime.iso(f.lastSeen))) · \(f.count) record(s)\(f.userCount > 1 ? " · \(f.userCount) users" : "")</p>"
        if f.userCount > 1 {
            let listed = f.users.map { "\($0.name) (\($0.count))" }.joined(separator: ", ")
            out += "<details><summary>Users (\(f.userCount)\(f.userCount > f.users.count ? ", the \(f.users.count) with most records" : ""))</summary><p>\(e(listed))</p></details>"
        }
        if let rule = RuleCatalog.rule(id: f.rule), !compact { out += "<details><summary>Why this matters, what to check</summary><p>\(e(rule.rationale))</p></details>" }
        let shown = f.evidence.prefix(shownEvidence)
        out += "<details\(compact ? "" : " open")><summary>Evidence (\(shown.count) shown\(shown.count < f.evidence.count ? " of \(f.evidence.count); scan --findings lists all" : ""))</summary><p class=\"evidence\">"
        return out + shown.map(e).joined(separator: "<br>") + "</p></details></div>"
    }

    /// Low and info findings, one row each: reachable, not in the way.
    static func longTail(_ tail: [Finding], compact: Bool) -> String {
        guard !tail.isEmpty else { return "" }
        var out = "<h2 id=\"long-tail\">Long tail: \(tail.count) low and info finding(s)</h2>"
        out += "<p class=\"muted\">Hygiene and context rather than problems: legacy authentication, login-as, one user's few failures.</p>"
        out += HTML.table(["severity", "rule", "finding", "records", "users", "first evidence"],
                          tail.prefix(tailRows).map { f in
                              [f.severity.rawValue, f.rule, f.message, String(f.count), String(max(f.userCount, f.user == nil ? 0 : 1)), f.evidence.first ?? ""]
                          }, numeric: [3, 4], code: [1])
        if tail.count > tailRows { out += "<p class=\"muted\">… and \(tail.count - tailRows) more: see the <code>findings</code> table or <code>--findings</code>.</p>" }
        return out
    }
}
