/// How much a finding matters. Ordered: `info < low < medium < high < critical`.
public enum Severity: String, CaseIterable, Comparable, Sendable {
    case info, low, medium, high, critical

    public static func < (a: Severity, b: Severity) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// A rule hit with its evidence. `fingerprint` identifies what the finding is about (rule +
/// subject of the finding), so re-running never duplicates it.
public struct Finding: Sendable, Equatable {
    public var rule: String
    public var severity: Severity
    public var firstSeen: Int64
    public var lastSeen: Int64
    public var app: String?
    public var user: String?
    public var host: String?
    public var sourceIp: String?
    public var message: String
    public var count: Int
    /// `file:line` of the records involved (at most `Finding.maxEvidence`).
    public var evidence: [String]
    public var fingerprint: String

    public static let maxEvidence = 50

    public init(rule: String, severity: Severity, firstSeen: Int64, lastSeen: Int64, app: String? = nil,
                user: String? = nil, host: String? = nil, sourceIp: String? = nil, message: String,
                count: Int, evidence: [String], identity: [String]) {
        self.rule = rule
        self.severity = severity
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.app = app
        self.user = user
        self.host = host
        self.sourceIp = sourceIp
        self.message = message
        self.count = count
        self.evidence = Array(evidence.prefix(Self.maxEvidence))
        self.fingerprint = Self.fingerprint(rule: rule, identity: identity)
    }

    static func fingerprint(rule: String, identity: [String]) -> String {
        String(SHA256.hex(of: Array(([rule] + identity).joined(separator: "\u{1F}").utf8)).prefix(24))
    }

    /// One NDJSON line with the keys of DESIGN.md.
    public var json: String {
        func text(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
        let object: [String: JSONValue] = [
            "rule": .string(rule), "severity": .string(severity.rawValue),
            "time": .string(UTCTime.iso(firstSeen)), "first_seen": .string(UTCTime.iso(firstSeen)),
            "last_seen": .string(UTCTime.iso(lastSeen)), "app": text(app), "user": text(user),
            "host": text(host), "source_ip": text(sourceIp), "message": .string(message),
            "count": .number(Double(count)), "evidence": .array(evidence.map { .string($0) }),
            "fingerprint": .string(fingerprint),
        ]
        return JSONValue.object(object).serialized
    }
}

extension Finding {
    /// Most severe first, then oldest first: the order a reviewer reads them in.
    static func reviewOrder(_ a: Finding, _ b: Finding) -> Bool {
        if a.severity != b.severity { return a.severity > b.severity }
        if a.firstSeen != b.firstSeen { return a.firstSeen < b.firstSeen }
        return (a.rule, a.fingerprint) < (b.rule, b.fingerprint)
    }
}
