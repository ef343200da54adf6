/// The one owner of `triage`: the review's decisions about incidents, append-only. No scan
/// writes or deletes here, so a decision survives every later scan, re-scan and regrouping
/// (an incident keeps its id while any of its findings stays in it).
public enum TriageTable {
    public struct UnknownIncident: Error, CustomStringConvertible {
        public let id: String
        public var description: String { "no incident '\(id)' in the database (tokentrail incidents lists them)" }
    }

    /// Records a decision about a stored incident, at its current severity.
    public static func record(_ db: Database, incident id: String, state: TriageState, note: String, by: String, at time: Int64 = Clock.nowMs()) throws -> TriageEntry {
        guard let severity = try db.scalar("SELECT severity FROM incidents WHERE id = ?", [.text(id)]).string.flatMap(Severity.init(rawValue:)) else {
            throw UnknownIncident(id: id)
        }
        let findings = try db.rows("SELECT fingerprint FROM incident_findings WHERE incident_id = ? ORDER BY fingerprint", [.text(id)]).compactMap { $0[0].string }
        try db.execute("INSERT INTO triage(incident_id, time, state, note, by, severity, findings) VALUES(?,?,?,?,?,?,?)",
                       [.text(id), .integer(time), .text(state.rawValue), .text(note), .text(by), .text(severity.rawValue),
                        .text(JSONValue.array(findings.map { .string($0) }).serialized)])
        return TriageEntry(time: time, state: state, note: note, by: by, severity: severity, findings: findings)
    }

    /// Every incident's decisions, oldest first.
    public static func all(_ db: Database) throws -> [String: [TriageEntry]] {
        var out: [String: [TriageEntry]] = [:]
        for row in try db.records("SELECT incident_id, time, state, note, by, severity, findings FROM triage ORDER BY seq") {
            guard let id = row["incident_id"].string, let state = row["state"].string.flatMap(TriageState.init(rawValue:)) else { continue }
            out[id, default: []].append(TriageEntry(time: row["time"].int ?? 0, state: state, note: row["note"].string ?? "",
                                                    by: row["by"].string ?? "", severity: row["severity"].string.flatMap(Severity.init(rawValue:)) ?? .info,
                                                    findings: (try? JSONParser.parse(row["findings"].string ?? "[]"))?.array?.compactMap(\.string) ?? []))
        }
        return out
    }

    /// `incidents` with their decisions attached.
    public static func attach(_ db: Database, to incidents: inout [Incident]) throws {
        let decisions = try all(db)
        for i in incidents.indices { incidents[i].triage = decisions[incidents[i].id] ?? [] }
    }
}
