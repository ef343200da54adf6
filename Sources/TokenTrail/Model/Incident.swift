/// Findings that are about the same thing, told as one story: who, from where, when, and
/// what the sessions involved did (the blast radius). DESIGN.md, section Incidents.
public struct Incident: Sendable, Equatable {
    /// Stable across re-runs: derived from its earliest finding's fingerprint when first made,
    /// then kept while any of its findings stays in it.
    public var id: String
    public var severity: Severity
    public var title: String
    public var firstSeen: Int64
    public var lastSeen: Int64
    public var apps: [String] = []
    public var users: [String] = []
    public var ips: [String] = []
    public var hosts: [String] = []
    /// `LOGIN_KEY`s and `SESSION_KEY`s of the sessions involved.
    public var sessions: [String] = []
    /// Its findings' fingerprints, in review order (most severe first).
    public var findings: [String] = []
    /// Its findings' rule ids, in the same order.
    public var rules: [String] = []
    public var blast = BlastRadius()
    public var narrative = ""
    /// The fact rows its timeline lists (what its findings cite and its blast radius rows), by
    /// primary key, earliest first, at most `maxRecords`.
    public var records: [RecordRef] = []
    public static let maxRecords = 1000
    /// The incident of the earlier episode when this one is a recurrence after a quiet gap (DESIGN.md, History).
    public var recurrenceOf: String?
    /// What to do, in one line (its lead finding's rule says it), attacks included.
    public var toDo = ""
    /// The clients and countries its records show (user agents, ELF client names; the
    /// exports' own country columns), most frequent first.
    public var agents: [String] = []
    public var countries: [String] = []
    /// The review's decisions about it, oldest first (`TriageTable`); the last one is its state.
    public var triage: [TriageEntry] = []
    /// The latest decision, unless the incident moved past it: closed (false-positive,
    /// resolved) but since escalated above its severity then, or grown by a finding it did not
    /// hold then, it is open again (`reopened`), in every output and alert.
    public var state: TriageState { reopened ? .open : triage.last?.state ?? .open }
    public var reopened: Bool {
        guard let last = triage.last, last.state.isClosed else { return false }
        return severity > last.severity || findings.contains { !last.findings.contains($0) }
    }

    public init(id: String, severity: Severity, title: String, firstSeen: Int64, lastSeen: Int64) {
        self.id = id
        self.severity = severity
        self.title = title
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
    }

    /// "inc-" and the first 12 hex digits of a finding's fingerprint.
    static func id(from fingerprint: String) -> String { "inc-" + fingerprint.prefix(12) }

    /// Most severe first, then oldest first.
    static func reviewOrder(_ a: Incident, _ b: Incident) -> Bool {
        if a.severity != b.severity { return a.severity > b.severity }
        if a.firstSeen != b.firstSeen { return a.firstSeen < b.firstSeen }
        return a.id < b.id
    }

    /// One NDJSON line with the keys of DESIGN.md (plus `rules`, `first_activity`, `last_activity`, `coverage`).
    public var json: String { jsonValue.serialized }

    public var jsonValue: JSONValue {
        func strings(_ list: [String]) -> JSONValue { .array(list.map { .string($0) }) }
        func time(_ t: Int64?) -> JSONValue { t.map { .string(UTCTime.iso($0)) } ?? .null }
        return .object([
            "id": .string(id), "severity": .string(severity.rawValue), "title": .string(title),
            "first_seen": .string(UTCTime.iso(firstSeen)), "last_seen": .string(UTCTime.iso(lastSeen)),
            "apps": strings(apps), "users": strings(users), "ips": strings(ips), "hosts": strings(hosts),
            "sessions": strings(sessions), "findings": strings(findings), "rules": strings(rules),
            "api_calls": .number(Double(blast.apiCalls)), "records_read": .number(Double(blast.recordsRead)),
            "entities": .array(blast.entities.map { .object(["entity": .string($0.name), "calls": .number(Double($0.calls)), "records": .number(Double($0.records))]) }),
            "bulk_jobs": .array(blast.bulkJobs.map(\.json)),
            "first_activity": time(blast.first), "last_activity": time(blast.last),
            "coverage": strings(blast.exported),
            "narrative": .string(narrative), "recurrence_of": recurrenceOf.map { .string($0) } ?? .null,
            "state": .string(state.rawValue), "reopened": .bool(reopened), "to_do": .string(toDo), "user_agents": strings(agents), "countries": strings(countries),
            "triage": .array(triage.map(\.jsonValue)),
        ])
    }
}

/// Where the review stands on an incident (DESIGN.md, Incidents as a workflow).
public enum TriageState: String, CaseIterable, Sendable {
    case open, acknowledged
    case falsePositive = "false-positive"
    case resolved
    /// Decided: not alerted again unless it escalates or recurs.
    public var isClosed: Bool { self == .falsePositive || self == .resolved }
}

/// One decision: when (wall clock), the state, a note, who; and the incident's severity then,
/// so an escalation after it is told apart.
public struct TriageEntry: Sendable, Equatable {
    public var time: Int64
    public var state: TriageState
    public var note: String
    public var by: String
    public var severity: Severity
    /// The findings (fingerprints) the incident held when decided: a decision covers those only.
    public var findings: [String]
    public init(time: Int64, state: TriageState, note: String, by: String, severity: Severity, findings: [String] = []) {
        (self.time, self.state, self.note, self.by, self.severity, self.findings) = (time, state, note, by, severity, findings)
    }
    var jsonValue: JSONValue {
        .object(["time": .string(UTCTime.iso(time)), "state": .string(state.rawValue), "note": .string(note), "by": .string(by),
                 "severity": .string(severity.rawValue)])
    }
}

/// A fact row by its primary key `(time, key)` and table.
public struct RecordRef: Hashable, Sendable {
    public enum Table: Int64, Sendable { case login, request, api, okta }
    public let table: Table
    public let time: Int64
    public let key: Int64
    public init(_ table: Table, time: Int64, key: Int64) { self.table = table; self.time = time; self.key = key }

    /// `[table, time, "key"]`: the key is a 64-bit hash, which a JSON number (a double) would round.
    var json: JSONValue { .array([.number(Double(table.rawValue)), .number(Double(time)), .string(String(key))]) }

    init?(json: JSONValue) {
        guard let parts = json.array, parts.count == 3, let t = parts[0].integer.flatMap(Table.init(rawValue:)),
              let time = parts[1].integer, let key = parts[2].string.flatMap({ Int64($0) }) else { return nil }
        self.init(t, time: time, key: key)
    }
}

/// What the sessions of an incident did, from API, RestApi, Bulk and ApiTotalUsage rows.
public struct BlastRadius: Sendable, Equatable {
    public struct Entity: Sendable, Equatable {
        public var name: String
        public var calls: Int64
        public var records: Int64
    }

    /// Calls and records per client address (the keyed event types): a replayed token shows
    /// as a second address in its session.
    public struct Address: Sendable, Equatable {
        public var ip: String
        public var calls: Int64
        public var records: Int64
    }

    public struct BulkJob: Sendable, Equatable {
        public var id: String
        public var entity: String?
        public var operation: String?
        /// The last state seen (e.g. `JobComplete`, `Deleted`).
        public var state: String?
        public var records: Int64
        public var first: Int64
        public var last: Int64

        var json: JSONValue {
            func text(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
            return .object(["job_id": .string(id), "entity": text(entity), "operation": text(operation), "state": text(state),
                            "records": .number(Double(records)), "first": .string(UTCTime.iso(first)), "last": .string(UTCTime.iso(last)),
                            "first_ms": .number(Double(first)), "last_ms": .number(Double(last))])
        }
    }

    /// API calls (the keyed event types, or ApiTotalUsage where it records more: both describe the same calls).
    public var apiCalls: Int64 = 0
    /// ROWS_PROCESSED of API and RestApi rows plus each Bulk job's largest count (`RecordsRead`).
    public var recordsRead: Int64 = 0
    public var callsByType: [String: Int64] = [:]
    /// Most records first, then most calls.
    public var entities: [Entity] = []
    /// Most records first.
    public var addresses: [Address] = []
    public var bulkJobs: [BulkJob] = []
    public var first: Int64?
    public var last: Int64?
    /// Records read per 10 minutes (epoch ms of the bucket's start), for the chart.
    public var reads: [Int64: Int64] = [:]
    public static let bucketMs: Int64 = 600_000
    /// `file:line` of the rows, at most `maxEvidence`, earliest first, and the same rows by key.
    public var evidence: [String] = []
    public var rows: [RecordRef] = []
    /// API event types exported for the incident's period (what TokenTrail could see).
    public var exported: [String] = []
    /// How the sessions were found: by key, or by user + address + time where the logins carry no key.
    public var matchedByKey = 0
    public var matchedByAddress = 0

    public static let maxEvidence = 200

    public var isEmpty: Bool { apiCalls == 0 && recordsRead == 0 && bulkJobs.isEmpty }

    public init() {}
}

extension BlastRadius {
    /// Everything, for the `incidents.blast` column (read back by `init(json:)`).
    var jsonValue: JSONValue {
        func time(_ t: Int64?) -> JSONValue { t.map { .number(Double($0)) } ?? .null }
        return .object([
            "api_calls": .number(Double(apiCalls)), "records_read": .number(Double(recordsRead)),
            "calls_by_type": .object(callsByType.mapValues { .number(Double($0)) }),
            "entities": .array(entities.map { .object(["entity": .string($0.name), "calls": .number(Double($0.calls)), "records": .number(Double($0.records))]) }),
            "bulk_jobs": .array(bulkJobs.map(\.json)),
            "addresses": .array(addresses.map { .object(["ip": .string($0.ip), "calls": .number(Double($0.calls)), "records": .number(Double($0.records))]) }),
            "first": time(first), "last": time(last),
            "reads_10min": .array(reads.sorted { $0.key < $1.key }.map { .array([.number(Double($0.key)), .number(Double($0.value))]) }),
            "evidence": .array(evidence.map { .string($0) }), "exported": .array(exported.map { .string($0) }),
            "by_key": .number(Double(matchedByKey)), "by_address": .number(Double(matchedByAddress)),
        ])
    }

    init(json: JSONValue) {
        apiCalls = json["api_calls"]?.integer ?? 0
        recordsRead = json["records_read"]?.integer ?? 0
        callsByType = (json["calls_by_type"]?.object ?? [:]).compactMapValues(\.integer)
        entities = (json["entities"]?.array ?? []).compactMap { e in
            e["entity"]?.string.map { Entity(name: $0, calls: e["calls"]?.integer ?? 0, records: e["records"]?.integer ?? 0) }
        }
        bulkJobs = (json["bulk_jobs"]?.array ?? []).compactMap { j in
            j["job_id"]?.string.map {
                BulkJob(id: $0, entity: j["entity"]?.string, operation: j["operation"]?.string, state: j["state"]?.string,
                        records: j["records"]?.integer ?? 0, first: j["first_ms"]?.integer ?? 0, last: j["last_ms"]?.integer ?? 0)
            }
        }
        addresses = (json["addresses"]?.array ?? []).compactMap { a in
            a["ip"]?.string.map { Address(ip: $0, calls: a["calls"]?.integer ?? 0, records: a["records"]?.integer ?? 0) }
        }
        first = json["first"]?.integer
        last = json["last"]?.integer
        for pair in json["reads_10min"]?.array ?? [] {
            if let bucket = pair.array?.first?.integer, let n = pair.array?.last?.integer { reads[bucket] = n }
        }
        evidence = (json["evidence"]?.array ?? []).compactMap(\.string)
        exported = (json["exported"]?.array ?? []).compactMap(\.string)
        matchedByKey = Int(json["by_key"]?.integer ?? 0)
        matchedByAddress = Int(json["by_address"]?.integer ?? 0)
    }
}
