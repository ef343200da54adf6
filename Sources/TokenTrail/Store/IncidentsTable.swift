/// The one owner of `incidents` and `incident_findings`: what an incident's rows hold, how
/// a run's incidents replace and extend the stored ones, and the read side.
public enum IncidentsTable {
    /// Incidents active in [since, until], most severe first, then oldest first.
    public static func load(_ db: Database, since: Int64, until: Int64) throws -> [Incident] {
        var incidents = try db.records("SELECT * FROM incidents WHERE last_seen >= ? AND first_seen <= ?", [.integer(since), .integer(until)])
            .map(decode).sorted(by: Incident.reviewOrder)
        try TriageTable.attach(db, to: &incidents)
        return incidents
    }

    static func strings(_ value: SQLValue) -> [String] { (try? JSONParser.parse(value.string ?? "[]"))?.array?.compactMap(\.string) ?? [] }

    static func decode(_ row: NamedRow) -> Incident {
        var i = Incident(id: row["id"].string ?? "?", severity: Severity(rawValue: row["severity"].string ?? "") ?? .info, title: row["title"].string ?? "",
                         firstSeen: row["first_seen"].int ?? 0, lastSeen: row["last_seen"].int ?? 0)
        (i.apps, i.users, i.ips, i.hosts, i.sessions) = (strings(row["apps"]), strings(row["users"]), strings(row["ips"]), strings(row["hosts"]), strings(row["sessions"]))
        (i.findings, i.rules, i.narrative) = (strings(row["findings"]), strings(row["rules"]), row["narrative"].string ?? "")
        i.blast = BlastRadius(json: (try? JSONParser.parse(row["blast"].string ?? "{}")) ?? .null)
        i.records = ((try? JSONParser.parse(row["records"].string ?? "[]"))?.array ?? []).compactMap(RecordRef.init(json:))
        i.recurrenceOf = row["recurrence_of"].string
        i.toDo = row["to_do"].string ?? ""
        (i.agents, i.countries) = (strings(row["agents"]), strings(row["countries"]))
        return i
    }

    /// One stored incident by id, with its decisions.
    public static func load(_ db: Database, id: String) throws -> Incident? {
        guard var incident = try db.records("SELECT * FROM incidents WHERE id = ?", [.text(id)]).first.map(decode) else { return nil }
        incident.triage = try TriageTable.all(db)[id] ?? []
        return incident
    }

    /// The incident each of these findings was stored in, with that incident's first time.
    public static func memberships(_ db: Database, of fingerprints: [String]) throws -> [String: (id: String, first: Int64)] {
        var out: [String: (id: String, first: Int64)] = [:]
        let query = try db.prepare("""
            SELECT m.incident_id, i.first_seen FROM incident_findings m JOIN incidents i ON i.id = m.incident_id WHERE m.fingerprint = ?
            """)
        for fingerprint in fingerprints {
            query.bind(fingerprint, at: 1)
            if try query.step(), let id = query.text(at: 0) { out[fingerprint] = (id, query.int(at: 1)) }
            query.reset()
        }
        return out
    }

    /// The incident a finding is in, if any.
    static func incident(of fingerprint: String, db: Database) throws -> String? {
        try db.scalar("SELECT incident_id FROM incident_findings WHERE fingerprint = ?", [.text(fingerprint)]).string
    }

    /// An incident regrouped by a run that read only part of its evidence (its findings began
    /// more than 30 days before the run's window) keeps the sessions, timeline rows and blast
    /// radius it had: what was established is not lost to a narrower read (DESIGN.md, History, 2).
    public static func keepEstablished(_ incident: inout Incident, db: Database) throws {
        guard let stored = try load(db, id: incident.id) else { return }
        var seen = Set<String>()
        incident.sessions = (stored.sessions + incident.sessions).filter { seen.insert($0).inserted }.sorted()
        if stored.blast.recordsRead > incident.blast.recordsRead
            || (stored.blast.recordsRead == incident.blast.recordsRead && stored.blast.apiCalls > incident.blast.apiCalls) {
            incident.blast = stored.blast
        }
        incident.records = Array(Set(stored.records).union(incident.records).sorted { ($0.time, $0.table.rawValue, $0.key) < ($1.time, $1.table.rawValue, $1.key) }
            .prefix(Incident.maxRecords))
    }

    /// Findings whose fingerprint changed (`FindingsTable.Rebuilt.renamed`) stay in their incident.
    public static func rename(_ db: Database, _ renamed: [String: String]) throws {
        guard !renamed.isEmpty else { return }
        try db.transaction {
            for (old, new) in renamed.sorted(by: { $0.key < $1.key }) {
                try db.execute("INSERT OR IGNORE INTO incident_findings(fingerprint, incident_id) SELECT ?, incident_id FROM incident_findings WHERE fingerprint = ?",
                               [.text(new), .text(old)])
                try db.execute("DELETE FROM incident_findings WHERE fingerprint = ?", [.text(old)])
            }
        }
    }

    /// A finding a later evaluation no longer raises (records that explain it arrived: a late
    /// client log pairing the login, a source that was only late) leaves its incident; an
    /// incident left with no finding is gone.
    public static func pruneVanished(_ db: Database) throws {
        try db.transaction {
            try db.execute("DELETE FROM incident_findings WHERE fingerprint NOT IN (SELECT fingerprint FROM findings)", [])
            try db.execute("DELETE FROM incidents WHERE id NOT IN (SELECT incident_id FROM incident_findings)", [])
        }
    }

    /// Replaces the stored incidents of these findings with `incidents`; returns the ids that are new.
    public static func store(_ db: Database, _ incidents: [Incident], replacing stored: [String: (id: String, first: Int64)],
                      of fingerprints: [String], runId: Int64?) throws -> Set<String> {
        var new: Set<String> = []
        try db.transaction {
            let exists = try db.prepare("SELECT 1 FROM incidents WHERE id = ?")
            let forget = try db.prepare("DELETE FROM incident_findings WHERE fingerprint = ?")
            for fingerprint in fingerprints { try forget.bind([.text(fingerprint)]); try forget.run() }
            // An incident whose findings all moved elsewhere (merged into an older one) is gone.
            let kept = Set(incidents.map(\.id))
            for id in Set(stored.values.map(\.id)).subtracting(kept) {
                if try db.scalar("SELECT count(*) FROM incident_findings WHERE incident_id = ?", [.text(id)]).int == 0 {
                    _ = try db.rows("DELETE FROM incidents WHERE id = ?", [.text(id)])
                }
            }
            let upsert = try db.prepare("""
                INSERT INTO incidents(id, severity, title, first_seen, last_seen, apps, users, ips, hosts, sessions, findings, rules,
                                      api_calls, records_read, entities, bulk_jobs, narrative, blast, records, first_run, last_run, recurrence_of,
                                      to_do, agents, countries)
                VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                ON CONFLICT(id) DO UPDATE SET severity = excluded.severity, title = excluded.title, first_seen = excluded.first_seen,
                    last_seen = excluded.last_seen, apps = excluded.apps, users = excluded.users, ips = excluded.ips, hosts = excluded.hosts,
                    sessions = excluded.sessions, findings = excluded.findings, rules = excluded.rules, api_calls = excluded.api_calls,
                    records_read = excluded.records_read, entities = excluded.entities, bulk_jobs = excluded.bulk_jobs,
                    narrative = excluded.narrative, blast = excluded.blast, records = excluded.records, last_run = excluded.last_run,
                    recurrence_of = coalesce(recurrence_of, excluded.recurrence_of), to_do = excluded.to_do, agents = excluded.agents,
                    countries = excluded.countries
                """)
            let member = try db.prepare("INSERT OR REPLACE INTO incident_findings(fingerprint, incident_id) VALUES(?, ?)")
            func strings(_ list: [String]) -> SQLValue { .text(JSONValue.array(list.map { .string($0) }).serialized) }
            for incident in incidents {
                exists.bind(incident.id, at: 1)
                if try !exists.step() { new.insert(incident.id) }
                exists.reset()
                let json = incident.jsonValue, run: SQLValue = runId.map { .integer($0) } ?? .null
                try upsert.bind([.text(incident.id), .text(incident.severity.rawValue), .text(incident.title),
                                 .integer(incident.firstSeen), .integer(incident.lastSeen), strings(incident.apps), strings(incident.users),
                                 strings(incident.ips), strings(incident.hosts), strings(incident.sessions), strings(incident.findings),
                                 strings(incident.rules), .integer(incident.blast.apiCalls), .integer(incident.blast.recordsRead),
                                 .text(json["entities"]?.serialized ?? "[]"), .text(json["bulk_jobs"]?.serialized ?? "[]"),
                                 .text(incident.narrative), .text(incident.blast.jsonValue.serialized),
                                 .text(JSONValue.array(incident.records.map(\.json)).serialized), run, run,
                                 incident.recurrenceOf.map { .text($0) } ?? .null, .text(incident.toDo), strings(incident.agents),
                                 strings(incident.countries)])
                try upsert.run()
                for fingerprint in incident.findings {
                    try member.bind([.text(fingerprint), .text(incident.id)])
                    try member.run()
                }
            }
        }
        return new
    }
}
