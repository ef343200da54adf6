// The read side of the `incidents` table (the analysis writes it).
extension Incident {
    /// Incidents active in [since, until], most severe first, then oldest first.
    public static func load(db: Database, since: Int64, until: Int64) throws -> [Incident] {
        try db.rows("""
            SELECT id, severity, title, first_seen, last_seen, apps, users, ips, hosts, sessions, findings, rules, narrative, blast
            FROM incidents WHERE last_seen >= ? AND first_seen <= ?
            """, [.integer(since), .integer(until)]).map { row in
            func strings(_ v: SQLValue) -> [String] { (try? JSONParser.parse(v.string ?? "[]"))?.array?.compactMap(\.string) ?? [] }
            var i = Incident(id: row[0].string ?? "?", severity: Severity(rawValue: row[1].string ?? "") ?? .info, title: row[2].string ?? "",
                             firstSeen: row[3].int ?? 0, lastSeen: row[4].int ?? 0)
            (i.apps, i.users, i.ips, i.hosts, i.sessions) = (strings(row[5]), strings(row[6]), strings(row[7]), strings(row[8]), strings(row[9]))
            (i.findings, i.rules, i.narrative) = (strings(row[10]), strings(row[11]), row[12].string ?? "")
            i.blast = BlastRadius(json: (try? JSONParser.parse(row[13].string ?? "{}")) ?? .null)
            return i
        }.sorted(by: reviewOrder)
    }

    /// The page of the incident in the report (its id is hex digits; anything else is dropped all the same).
    public var page: String {
        "incident-" + String(id.dropFirst(id.hasPrefix("inc-") ? 4 : 0).unicodeScalars.filter { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }.map(Character.init)) + ".html"
    }
}
