import Foundation

/// An incident told in plain language, from its findings and blast radius: what happened,
/// since when and from where, what was read, what to do now, and how sure TokenTrail is.
/// Paragraphs are separated by a blank line.
enum Narrative {
    static func text(_ incident: Incident, findings: [Finding], records: EvidenceRecords) -> String {
        guard let lead = findings.first else { return "" }
        let rules = findings.compactMap { RuleCatalog.rule(id: $0.rule) }
        let misuse = rules.contains { $0.cause == .misuse }
        var paragraphs: [String] = []

        var what = sentence(lead.message)
        let others = findings.dropFirst()
        if !others.isEmpty {
            what += " Also: " + others.prefix(4).map { "\($0.message) (\($0.rule))" }.joined(separator: "; ")
            what += others.count > 4 ? "; and \(others.count - 4) more." : "."
        }
        paragraphs.append(what)

        var when = "Seen \(span(incident.firstSeen, incident.lastSeen))"
        if !incident.ips.isEmpty { when += ", from \(list(incident.ips))" }
        if !incident.users.isEmpty { when += ", as \(list(incident.users))" }
        if !incident.apps.isEmpty { when += ", app \(list(incident.apps))" }
        if !incident.hosts.isEmpty { when += ", client host \(list(incident.hosts))" }
        paragraphs.append(when + ".")

        let b = incident.blast
        if !b.isEmpty {
            var read = "The sessions made \(number(b.apiCalls)) API call(s)"
            if let first = b.first, let last = b.last { read += " \(span(first, last))" }
            read += " and read \(number(b.recordsRead)) record(s)"
            let top = b.entities.prefix(5).map { $0.records > 0 ? "\($0.name) \(number($0.records))" : "\($0.name) (\($0.calls) call(s))" }
            read += top.isEmpty ? "." : ": " + top.joined(separator: ", ") + (b.entities.count > 5 ? " and \(b.entities.count - 5) more" : "") + "."
            if b.addresses.count > 1 {
                read += " By address: " + b.addresses.prefix(4).map { "\($0.ip) \($0.calls) call(s), \(number($0.records)) records" }.joined(separator: "; ") + "."
            }
            if !b.bulkJobs.isEmpty {
                read += " Bulk job(s): " + b.bulkJobs.prefix(3).map { job in
                    "\(job.id) (\([job.operation, job.entity].compactMap { $0 }.joined(separator: " on ")), \(job.state ?? "state unknown"), \(number(job.records)) records)"
                }.joined(separator: "; ") + (b.bulkJobs.count > 3 ? "; and \(b.bulkJobs.count - 3) more" : "") + "."
            }
            paragraphs.append(read)
        } else if misuse {
            paragraphs.append(b.exported.isEmpty
                ? "No API activity in the exports for these sessions, and no API event log files cover that period: TokenTrail cannot see what they did (export API, RestApi, BulkApi2 and ApiTotalUsage files to find out)."
                : "No API activity in the exports for these sessions (exported for that period: \(b.exported.joined(separator: ", ")); \(missing(b.exported)))."
            )
        }

        var todo: [String] = []
        for rule in rules where !todo.contains(rule.remedy) { todo.append(rule.remedy) }
        paragraphs.append("What to do now: " + todo.prefix(2).joined(separator: " "))

        paragraphs.append(confidence(findings, rules: rules, records: records, blast: b, misuse: misuse))
        return paragraphs.joined(separator: "\n\n")
    }

    static func confidence(_ findings: [Finding], rules: [any Rule], records: EvidenceRecords, blast b: BlastRadius, misuse: Bool) -> String {
        let distinct = Set(findings.filter { $0.severity >= IncidentGrouping.seed }.map(\.rule))
        let level = findings.first?.severity == .critical || distinct.count >= 2 ? "high" : findings.first?.severity == .high ? "medium" : "low"
        var out = "How sure: \(level)"
        out += distinct.count >= 2 ? " (\(distinct.count) rules agree: \(distinct.sorted().joined(separator: ", ")))." : " (one rule: \(findings.first?.rule ?? "?"))."
        if !records.flows.isEmpty {
            let flows = records.flows.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(3).map { "\($0.value) \($0.key)" }
            out += " Logins by flow (basis): \(flows.joined(separator: ", "))."
            if records.flows.keys.contains(where: { $0.hasSuffix("(inferred)") }) {
                out += " JWT bearer is inferred from a blank Login Subtype; a matching client log would settle it."
            }
        }
        if b.matchedByAddress > 0 {
            out += " \(b.matchedByAddress) API row(s) were tied to keyless logins by user, address and time, not by session key."
        }
        if misuse, !b.exported.isEmpty, !missing(b.exported).isEmpty { out += " Coverage: \(missing(b.exported))." }
        return out
    }

    /// The API event types that tell what a session read, not exported for the period.
    static func missing(_ exported: [String]) -> String {
        let absent = ["API", "RestApi", "BulkApi", "BulkApi2", "ApiTotalUsage"].filter { !exported.contains($0) }
        return absent.isEmpty ? "" : "not exported: \(absent.joined(separator: ", "))"
    }

    static func span(_ first: Int64, _ last: Int64) -> String {
        first == last ? "at \(UTCTime.iso(first))" : "from \(UTCTime.iso(first)) to \(UTCTime.iso(last)) (\(duration(last - first)))"
    }

    static func duration(_ ms: Int64) -> String {
        let s = ms / 1000
        if s < 120 { return "\(s) s" }
        if s < 7200 { return "\(s / 60) min" }
        if s < 172_800 { return "\(s / 3600) h" }
        return "\(s / 86_400) days"
    }

    static func list(_ values: [String], shown: Int = 3) -> String {
        values.prefix(shown).joined(separator: ", ") + (values.count > shown ? " and \(values.count - shown) more" : "")
    }

    static func number(_ n: Int64) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    static func sentence(_ s: String) -> String {
        let t = s.trimmingCharacters(in: .whitespaces)
        return t.hasSuffix(".") ? t : t + "."
    }
}
