import Foundation

/// Findings for people (terminal) and machines (NDJSON), and the rule catalog.
public enum FindingsOutput {
    /// One line per finding; with `incidents`, each carries the incident it is in and that
    /// incident's state (`incident`, `state`; null when it is in none).
    public static func ndjson(_ findings: [Finding], incidents: [Incident]? = nil) -> String {
        guard let incidents else { return findings.map { $0.json + "\n" }.joined() }
        var of: [String: Incident] = [:]
        for incident in incidents { for f in incident.findings { of[f] = incident } }
        return findings.map { f in
            guard case .object(var object)? = try? JSONParser.parse(f.json) else { return f.json + "\n" }
            object["incident"] = of[f.fingerprint].map { .string($0.id) } ?? .null
            object["state"] = of[f.fingerprint].map { .string($0.state.rawValue) } ?? .null
            return JSONValue.object(object).serialized + "\n"
        }.joined()
    }

    /// At most this many findings of one rule are listed for people; NDJSON and the
    /// `findings` table always have all of them.
    public static let perRuleLimit = 10

    /// Findings grouped by severity, each with its first pieces of evidence.
    /// `caveats`: what could not be judged, listed after the findings (and instead of a bare "none").
    public static func text(_ findings: [Finding], new: Set<String>, caveats: [String] = []) -> String {
        let notJudged = caveats.isEmpty ? "" : "  Not judged:\n" + caveats.map { "    - \(TerminalSummary.sanitize($0))\n" }.joined()
        guard !findings.isEmpty else { return "\nFindings: none" + (caveats.isEmpty ? "\n" : ", but not everything could be judged:\n" + notJudged) }
        // Of these findings: `new` also holds what the run first stored outside them (a week's parts).
        var out = "\nFindings (\(findings.count), \(findings.filter { new.contains($0.fingerprint) }.count) new)\n"
        for severity in Severity.allCases.reversed() {
            let group = findings.filter { $0.severity == severity }
            guard !group.isEmpty else { continue }
            out += "  \(severity.rawValue.uppercased()) (\(group.count))\n"
            var shown: [String: Int] = [:]
            for f in group {
                shown[f.rule, default: 0] += 1
                guard shown[f.rule]! <= perRuleLimit else { continue }
                let mark = new.contains(f.fingerprint) ? "NEW " : ""
                out += "    \(mark)[\(f.rule)] \(TerminalSummary.sanitize(f.message))\n"
                out += "      \(UTCTime.iso(f.firstSeen)) … \(UTCTime.iso(f.lastSeen)); evidence: "
                out += f.evidence.prefix(3).map(TerminalSummary.sanitize).joined(separator: ", ")
                out += f.evidence.count > 3 ? " (+\(f.count > f.evidence.count ? f.count - 3 : f.evidence.count - 3) more)\n" : "\n"
            }
            for (rule, count) in shown.sorted(by: { $0.key < $1.key }) where count > perRuleLimit {
                out += "    … and \(count - perRuleLimit) more [\(rule)] finding(s): see --findings or the findings table\n"
            }
        }
        return out + notJudged
    }

    public enum CatalogFormat: String, Sendable { case text, json, markdown }

    public static func catalog(format: CatalogFormat) -> String {
        let rules = RuleCatalog.all
        switch format {
        case .json:
            return JSONValue.array(rules.map { rule in
                .object(["id": .string(rule.id), "title": .string(rule.title), "severity": .string(rule.defaultSeverity.rawValue),
                         "rationale": .string(rule.rationale), "knobs": .array(rule.knobs.map { .string($0) }),
                         "examples": .array(rule.examples.map { .object(["name": .string($0.name), "fires": .bool($0.fires)]) })])
            }).serialized + "\n"
        case .markdown:
            var out = "| id | default | fires when | policy knobs |\n|---|---|---|---|\n"
            for rule in rules {
                out += "| `\(rule.id)` | \(rule.defaultSeverity.rawValue) | \(rule.title) | \(rule.knobs.map { "`\($0)`" }.joined(separator: ", ")) |\n"
            }
            return out
        case .text:
            return rules.map { rule in
                "\(rule.id) [\(rule.defaultSeverity.rawValue)] \(rule.title)\n    \(rule.rationale)\n"
                    + (rule.knobs.isEmpty ? "" : "    policy: \(rule.knobs.joined(separator: ", "))\n")
            }.joined(separator: "\n")
        }
    }
}

/// `--since` / `--until`: ISO 8601 times, or a duration back from now (`7d`, `24h`, `90m`).
public enum TimeArgument {
    public enum Invalid: Error, Equatable, CustomStringConvertible {
        case notATime(String), noZone(String)
        public var description: String {
            switch self {
            case .notATime(let text): "'\(text)' is not a time: use ISO 8601 (2026-11-21T00:00:00Z) or a duration like 7d, 24h"
            case .noZone(let text): "'\(text)' has no time zone: add Z or an offset"
            }
        }
    }

    public static func parse(_ text: String, now: Int64 = Clock.nowMs()) throws -> Int64 {
        if let last = text.last, let amount = Int64(text.dropLast()), amount >= 0 {
            let unit: Int64? = ["d": 86_400_000, "h": 3_600_000, "m": 60_000, "s": 1000][String(last)]
            if let unit { return now - amount * unit }
        }
        guard let parsed = TimeParser.parse(text) else {
            throw Invalid.notATime(text)
        }
        guard parsed.hasZone || parsed.precisionMs == 86_400_000 else {
            throw Invalid.noZone(text)
        }
        return parsed.epochMs
    }
}
