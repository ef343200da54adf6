/// A sweep's result for people (text) and machines (one JSON document, or NDJSON: one line
/// per indicator that matched, then one summary line). Every value passes through the same
/// sanitizing as the rest of the terminal output: an indicator file is input like any log.
public enum HuntOutput {
    public static func text(_ r: HuntResult, files: [IOCFile]) -> String {
        let v = TerminalSummary.sanitize
        let total = r.matches.count + r.unmatched.count
        var out = "Hunt: \(total) indicator(s) from \(files.count) file(s) (\(files.map { "\($0.path): \($0.shape.rawValue)" }.map(v).joined(separator: ", "))), "
        out += "\(UTCTime.iso(r.since)) … \(UTCTime.iso(r.until))\n"
        out += r.matches.isEmpty ? "No indicator matched.\n" : "\(r.matches.count) matched:\n"
        for m in r.matches {
            let i = m.indicator
            out += "\n  \(i.kind.rawValue) \(v(i.original))\(i.comment.map { "  (\(v($0)))" } ?? "")  ← \(v(i.origin))\n"
            out += "    \(m.hits) hit(s), \(Narrative.span(m.first, m.last)), in \(v(m.sources.sorted().joined(separator: ", ")))\n"
            if !m.users.isEmpty { out += "    users: \(v(m.users.sorted().prefix(10).joined(separator: ", ")))\(m.users.count > 10 ? " and \(m.users.count - 10) more" : "")\n" }
            if !m.apps.isEmpty { out += "    apps: \(v(m.apps.sorted().prefix(10).joined(separator: ", ")))\n" }
            if !m.incidents.isEmpty { out += "    incidents: \(m.incidents.sorted().joined(separator: ", ")) (tokentrail incidents show ID)\n" }
            out += "    evidence: \(v(m.evidence.map(\.ref).joined(separator: ", ")))\(m.hits > m.evidence.count ? " (the first \(m.evidence.count))" : "")\n"
        }
        out += "\n\(r.unmatched.count) indicator(s) matched nothing.\n"
        let problems = files.flatMap(\.problems)
        if !problems.isEmpty {
            out += "\(problems.count) entr\(problems.count == 1 ? "y" : "ies") of the IOC files skipped:\n"
            for p in problems.prefix(50) { out += "  \(v(p.description))\n" }
            if problems.count > 50 { out += "  … and \(problems.count - 50) more (--format json lists them all)\n" }
        }
        return TerminalSummary.sanitizeLines(out)
    }

    static func json(_ m: HuntResult.Match) -> JSONValue {
        let i = m.indicator
        return .object([
            "indicator": .string(i.original), "type": .string(i.kind.rawValue), "value": .string(i.value), "origin": .string(i.origin),
            "comment": i.comment.map { .string($0) } ?? .null, "hits": .number(Double(m.hits)),
            "first_seen": .string(UTCTime.iso(m.first)), "last_seen": .string(UTCTime.iso(m.last)),
            "sources": .array(m.sources.sorted().map { .string($0) }), "users": .array(m.users.sorted().map { .string($0) }),
            "apps": .array(m.apps.sorted().map { .string($0) }), "evidence": .array(m.evidence.map { .string($0.ref) }),
            "incidents": .array(m.incidents.sorted().map { .string($0) }),
        ])
    }

    static func summary(_ r: HuntResult, files: [IOCFile]) -> JSONValue {
        .object([
            "since": .string(UTCTime.iso(r.since)), "until": .string(UTCTime.iso(r.until)),
            "indicators": .number(Double(r.matches.count + r.unmatched.count)), "matched": .number(Double(r.matches.count)),
            "unmatched": .number(Double(r.unmatched.count)),
            "files": .array(files.map { .object(["path": .string($0.path), "shape": .string($0.shape.rawValue), "indicators": .number(Double($0.indicators.count))]) }),
            "skipped": .array(files.flatMap(\.problems).map { .object(["origin": .string($0.origin), "reason": .string($0.message)]) }),
        ])
    }

    public static func json(_ r: HuntResult, files: [IOCFile]) -> String {
        guard case .object(var object) = summary(r, files: files) else { return "" }
        object["matches"] = .array(r.matches.map(json))
        return JSONValue.object(object).serialized + "\n"
    }

    public static func ndjson(_ r: HuntResult, files: [IOCFile]) -> String {
        r.matches.map { json($0).serialized + "\n" }.joined() + JSONValue.object(["summary": summary(r, files: files)]).serialized + "\n"
    }
}
