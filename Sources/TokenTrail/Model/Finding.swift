/// How much a finding matters. Ordered: `info < low < medium < high < critical`.
public enum Severity: String, CaseIterable, Comparable, Sendable {
    case info, low, medium, high, critical

    public static func < (a: Severity, b: Severity) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// A user a finding covers, with how many of its records are theirs.
public struct AffectedUser: Sendable, Equatable {
    public var name: String
    public var count: Int
    public init(name: String, count: Int) { self.name = name; self.count = count }
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
    /// Evidence still to be found by the shared pass after the rules (`Facts.resolveEvidence`).
    var evidenceTicket: EvidenceTicket?
    public var fingerprint: String
    /// The cause (rule + grain key) the finding is an episode of: its first episode's fingerprint.
    public var cause: String
    /// The earlier episode of the same cause, when this one recurs after a quiet gap (DESIGN.md, History).
    public var recurrenceOf: String?
    /// The incident the finding belongs to, once incidents are grouped.
    public var incident: String?
    /// The users the finding covers, most records first (at most `maxUsers`), and how many
    /// there are in all: a finding is one cause, however many users it touched.
    public var users: [AffectedUser] = []
    public var userCount = 0

    public static let maxEvidence = 50
    public static let maxUsers = 20

    /// `users`: records per user. With one user and no `user` given, that user is the finding's
    /// `user`; with a `user` and no `users`, it covers that user with all `count` records.
    public init(rule: String, severity: Severity, firstSeen: Int64, lastSeen: Int64, app: String? = nil,
                user: String? = nil, host: String? = nil, sourceIp: String? = nil, message: String,
                count: Int, evidence: [String], identity: [String], users: [String: Int] = [:]) {
        self.rule = rule
        self.severity = severity
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.app = app
        self.user = user ?? (users.count == 1 ? users.keys.first : nil)
        // A finding about one user covers that user: every finding says whom it covers.
        let covered = users.isEmpty ? user.map { [$0: count] } ?? [:] : users
        self.users = Self.ranked(covered)
        self.userCount = covered.count
        self.host = host
        self.sourceIp = sourceIp
        self.message = message
        self.count = count
        self.evidence = Array(evidence.prefix(Self.maxEvidence))
        self.fingerprint = Self.fingerprint(rule: rule, identity: identity)
        self.cause = fingerprint
    }

    /// A finding whose evidence may still be pending (a ticket of the shared evidence pass).
    init(rule: String, severity: Severity, firstSeen: Int64, lastSeen: Int64, app: String? = nil,
         user: String? = nil, host: String? = nil, sourceIp: String? = nil, message: String,
         count: Int, evidence: Evidence, identity: [String], users: [String: Int] = [:]) {
        var lines: [String] = []
        if case .lines(let given) = evidence { lines = given }
        self.init(rule: rule, severity: severity, firstSeen: firstSeen, lastSeen: lastSeen, app: app, user: user, host: host,
                  sourceIp: sourceIp, message: message, count: count, evidence: lines, identity: identity, users: users)
        if case .pending(let ticket) = evidence { evidenceTicket = ticket }
    }

    /// Most records first, then by name; the first `maxUsers`.
    static func ranked(_ users: [String: Int]) -> [AffectedUser] {
        users.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(maxUsers).map { AffectedUser(name: $0.key, count: $0.value) }
    }

    /// "erp@acme.example" for one user; "3 users (a ×5, b ×2, c ×1)", the first few named, for more.
    public static func usersPhrase(_ users: [String: Int]) -> String { counted(users, noun: "users", none: "an unrecorded user") }

    /// One value as itself; several as "N nouns (a ×5, b ×2, c ×1, …)", the most frequent first.
    public static func counted(_ values: [String: Int], noun: String, none: String, named: Int = 3) -> String {
        let ranked = Self.ranked(values)
        if ranked.isEmpty { return none }
        if ranked.count == 1 { return ranked[0].name }
        let shown = ranked.prefix(named).map { "\($0.name) ×\($0.count)" }.joined(separator: ", ")
        return "\(values.count) \(noun) (\(shown)\(values.count > named ? ", …" : ""))"
    }

    static func fingerprint(rule: String, identity: [String]) -> String {
        String(SHA256.hex(of: Array(([rule] + identity).joined(separator: "\u{1F}").utf8)).prefix(24))
    }

    /// One NDJSON line with the keys of DESIGN.md, plus `users` and `user_count`.
    public var json: String {
        func text(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
        let object: [String: JSONValue] = [
            "rule": .string(rule), "severity": .string(severity.rawValue),
            "time": .string(UTCTime.iso(firstSeen)), "first_seen": .string(UTCTime.iso(firstSeen)),
            "last_seen": .string(UTCTime.iso(lastSeen)), "app": text(app), "user": text(user),
            "host": text(host), "source_ip": text(sourceIp), "message": .string(message),
            "count": .number(Double(count)), "evidence": .array(evidence.map { .string($0) }),
            "fingerprint": .string(fingerprint),
            "users": .array(users.map { .object(["user": .string($0.name), "count": .number(Double($0.count))]) }),
            "user_count": .number(Double(userCount)),
            "recurrence_of": text(recurrenceOf), "incident": text(incident),
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
