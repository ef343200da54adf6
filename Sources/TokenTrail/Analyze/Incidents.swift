/// Groups the stored findings around an analysis window into incidents, gives each its blast
/// radius and narrative, and stores them through `IncidentsTable` (`incidents`, `incident_findings`). Re-running over
/// the same data changes nothing; a new finding linked to an incident joins it under its id.
public enum Incidents {
    public struct Result {
        /// The incidents of the findings around the window, most severe first.
        public var incidents: [Incident] = []
        /// Ids first made by this run.
        public var new: Set<String> = []
        public init() {}
    }

    /// How far before an incident's first finding, and after its last, its sessions' API
    /// activity is counted (a session starts before the finding; the token is used after it).
    static let beforeMs: Int64 = 3_600_000
    static let afterMs: Int64 = 86_400_000
    /// Keyless logins an incident looks up calls for (an app-wide finding can cite thousands).
    static let maxKeyless = 200

    public static func run(_ facts: Facts, runId: Int64?) throws -> Result {
        let db = facts.db
        try IncidentsTable.pruneVanished(db)
        // Findings active in the window, and those of the 24 h before it that a new finding can join.
        var findings = try FindingsTable.load(db, since: facts.windowStart - IncidentGrouping.pairWindowMs, until: facts.windowEnd)
        // With the other findings of the stored incidents they are in: an incident is regrouped whole.
        let around = Set(findings.map(\.fingerprint))
        let partners = try db.rows("""
            SELECT DISTINCT o.fingerprint FROM incident_findings m JOIN incident_findings o ON o.incident_id = m.incident_id
            WHERE m.fingerprint IN (SELECT value FROM json_each(?))
            """, [.text(JSONValue.array(around.sorted().map { .string($0) }).serialized)]).compactMap { $0[0].string }.filter { !around.contains($0) }
        if !partners.isEmpty { findings = (findings + (try FindingsTable.load(db, fingerprints: partners))).sorted(by: Finding.reviewOrder) }
        guard let from = findings.map(\.firstSeen).min(), let to = findings.map(\.lastSeen).max() else { return Result() }
        // A finding's evidence is from the run that last raised it: this window and the 30 days of
        // history its rules read. A recurring finding first seen months ago must not make every run
        // read months of rows (its older evidence still links by `file:line`, which needs no read).
        let evidenceFrom = max(from, facts.windowStart - ApiFacts.baselineMs) - afterMs
        // Findings below the seed severity only join incidents that seeds make: with no seed
        // there is no incident, and their records (a quiet week's hygiene notes can cite
        // hundreds of thousands) are not read.
        let hasSeed = findings.contains { $0.severity >= IncidentGrouping.seed }
        let records = try Timings.measure("  incident evidence") {
            hasSeed ? try facts.evidenceRecords(findings.map(\.evidence), from: evidenceFrom, to: to + afterMs)
                    : Array(repeating: EvidenceRecords(), count: findings.count)
        }
        let members = zip(findings, records).map {
            IncidentGrouping.Member(finding: $0, cause: RuleCatalog.rule(id: $0.rule)?.cause ?? .misuse, records: $1)
        }
        let groups = IncidentGrouping.groups(members)
        let stored = try IncidentsTable.memberships(db, of: findings.map(\.fingerprint))
        let ids = assignIds(groups, findings: findings, stored: stored)

        var incidents: [Incident] = [], merged: [EvidenceRecords] = [], scopes: [IncidentScope] = []
        for (group, id) in zip(groups, ids) {
            let list = group.map { findings[$0] }   // review order: `load` sorts that way and the indices ascend
            var all = EvidenceRecords()
            for i in group { all.merge(records[i]) }
            all.keyless = Array(Set(all.keyless).sorted { ($0.time, $0.ip) < ($1.time, $1.ip) }.prefix(maxKeyless))
            let incident = try describe(id: id, list, records: all, facts: facts)
            var scope = IncidentScope(from: min(incident.firstSeen, all.keyless.first?.time ?? .max) - beforeMs, to: incident.lastSeen + afterMs)
            scope.sessions = all.sessions
            scope.keyless = all.keyless
            incidents.append(incident)
            merged.append(all)
            scopes.append(scope)
        }
        let blasts = try Timings.measure("  blast radius") { try facts.blastRadius(scopes) }
        var incidentOf: [String: String] = [:]
        for incident in incidents { for fingerprint in incident.findings { incidentOf[fingerprint] = incident.id } }
        for i in incidents.indices {
            incidents[i].blast = blasts[i]
            incidents[i].records = Array(merged[i].rows.union(blasts[i].rows).sorted { ($0.time, $0.table.rawValue, $0.key) < ($1.time, $1.table.rawValue, $1.key) }
                .prefix(Incident.maxRecords))
            // Read whole, an incident is what its findings' records say now (a late client log
            // that explains a login takes it out). Only an incident whose evidence begins before
            // what this run read keeps the sessions, timeline rows and blast radius it had.
            if groups[i].contains(where: { findings[$0].firstSeen < evidenceFrom }) {
                try IncidentsTable.keepEstablished(&incidents[i], db: db)
            }
            incidents[i].recurrenceOf = try earlierIncident(of: groups[i].map { findings[$0] }, excluding: incidents[i].id, grouped: incidentOf, db: db)
            let lead = findings[groups[i][0]]
            incidents[i].toDo = RuleCatalog.rule(id: lead.rule)?.remedy ?? ""
            incidents[i].title = verdictTitle(incidents[i], lead: lead)
            (incidents[i].agents, incidents[i].countries) = try facts.clientsAndCountries(of: incidents[i].records)
            incidents[i].narrative = Narrative.text(incidents[i], findings: groups[i].map { findings[$0] }, records: merged[i])
        }
        incidents.sort(by: Incident.reviewOrder)
        // The review's decisions come with them: every output shows the state.
        try TriageTable.attach(db, to: &incidents)
        var result = Result()
        result.incidents = incidents
        result.new = try IncidentsTable.store(db, incidents, replacing: stored, of: findings.map(\.fingerprint), runId: runId)
        return result
    }

    /// What happened, as a verdict with what it cost: "Acme ERP Sync's key or secret used from
    /// an unknown host: 26,222 records read"; `{user}` names the user when `{who}` is the app.
    /// A rule without a verdict keeps its title.
    static func verdictTitle(_ incident: Incident, lead: Finding) -> String {
        guard let verdict = RuleCatalog.rule(id: lead.rule)?.verdict else { return incident.title }
        let who = lead.app ?? lead.user ?? lead.host ?? incident.apps.first ?? incident.users.first ?? "an integration"
        var title = verdict.replacingOccurrences(of: "{who}", with: who)
            .replacingOccurrences(of: ", {user}", with: lead.user.map { lead.app != nil ? ", " + $0 : "" } ?? "")
        if let ip = lead.sourceIp { title += " (\(ip))" }
        if incident.blast.recordsRead > 0 { title += ": \(Narrative.number(incident.blast.recordsRead)) records read" }
        return title
    }

    /// The incident of the earlier episode of one of these findings, when they recur: grouped
    /// by this run, else stored.
    static func earlierIncident(of findings: [Finding], excluding id: String, grouped: [String: String], db: Database) throws -> String? {
        for finding in findings.sorted(by: { $0.firstSeen < $1.firstSeen }) {
            guard let earlier = finding.recurrenceOf else { continue }
            let incident = try grouped[earlier] ?? IncidentsTable.incident(of: earlier, db: db)
            if let incident, incident != id { return incident }
        }
        return nil
    }

    /// Each group's id: the id one of its findings already had (the oldest such incident's),
    /// else one derived from its earliest finding's fingerprint. An id goes to one group only.
    static func assignIds(_ groups: [[Int]], findings: [Finding], stored: [String: (id: String, first: Int64)]) -> [String] {
        var ids = Array(repeating: "", count: groups.count), used: Set<String> = Set(stored.values.map(\.id))
        var claimed: Set<String> = []
        // Groups with a stored id first, the oldest incidents first, so a merge keeps the oldest id.
        let withStored = groups.indices.compactMap { g -> (Int, String, Int64)? in
            let previous = groups[g].compactMap { stored[findings[$0].fingerprint] }.min { ($0.first, $0.id) < ($1.first, $1.id) }
            return previous.map { (g, $0.id, $0.first) }
        }.sorted { ($0.2, $0.1, $0.0) < ($1.2, $1.1, $1.0) }
        for (g, _, _) in withStored {
            let candidates = groups[g].compactMap { stored[findings[$0].fingerprint] }.sorted { ($0.first, $0.id) < ($1.first, $1.id) }
            if let free = candidates.first(where: { !claimed.contains($0.id) }) {
                ids[g] = free.id
                claimed.insert(free.id)
            }
        }
        for g in groups.indices where ids[g].isEmpty {
            let earliest = groups[g].map { findings[$0] }.sorted { ($0.firstSeen, $0.fingerprint) < ($1.firstSeen, $1.fingerprint) }
            var id = Incident.id(from: earliest[0].fingerprint)
            // Another group (or an incident outside this window) has it: take the next finding's, else a suffix.
            if used.contains(id) || claimed.contains(id) {
                let base = id
                id = earliest.map { Incident.id(from: $0.fingerprint) }.first { !used.contains($0) && !claimed.contains($0) } ?? base
                var n = 1
                while used.contains(id) || claimed.contains(id) { id = "\(base)-\(n)"; n += 1 }
            }
            ids[g] = id
            claimed.insert(id)
            used.insert(id)
        }
        return ids
    }

    /// Title, severity, times and who/where of a group of findings in review order.
    static func describe(id: String, _ findings: [Finding], records: EvidenceRecords, facts: Facts) throws -> Incident {
        let lead = findings[0]
        let owner = lead.app ?? lead.host
        let subject = [owner, lead.user.map { owner == nil ? $0 : "as \($0)" }, lead.sourceIp.map { "from \($0)" }].compactMap { $0 }
            .joined(separator: " ")
        let title = (RuleCatalog.rule(id: lead.rule)?.title ?? lead.rule) + (subject.isEmpty ? "" : ": " + subject)
        // Its time is its problems' time: a hygiene note that joined it (a legacy flow seen all month) does not stretch it.
        let timed = findings.filter { $0.severity >= IncidentGrouping.seed }.isEmpty ? findings : findings.filter { $0.severity >= IncidentGrouping.seed }
        var incident = Incident(id: id, severity: findings.map(\.severity).max() ?? lead.severity, title: title,
                                firstSeen: timed.map(\.firstSeen).min() ?? lead.firstSeen, lastSeen: timed.map(\.lastSeen).max() ?? lead.lastSeen)
        func distinct(_ values: [String?]) -> [String] {
            var seen: Set<String> = [], out: [String] = []
            for case let v? in values where !v.isEmpty && seen.insert(v).inserted { out.append(v) }
            return out
        }
        incident.apps = distinct(findings.map(\.app))
        incident.users = distinct(findings.flatMap { [$0.user] + $0.users.map(\.name) })
        incident.ips = distinct(findings.map(\.sourceIp))
        incident.hosts = distinct(findings.map(\.host))
        incident.sessions = records.sessions.sorted()
        incident.findings = findings.map(\.fingerprint)
        incident.rules = findings.map(\.rule)
        return incident
    }

}
