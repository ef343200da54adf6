// The read side of the `findings` table (the analyzer writes it).
extension Finding {
    /// Findings stored in the database that were active in [since, until] (first or last
    /// seen inside it), most severe first, then oldest first.
    public static func load(db: Database, since: Int64, until: Int64) throws -> [Finding] {
        try db.rows("SELECT \(columns) FROM findings WHERE last_seen >= ? AND first_seen <= ?", [.integer(since), .integer(until)])
            .map(decode).sorted(by: reviewOrder)
    }

    /// Stored findings by fingerprint (those not stored are left out), in review order.
    static func load(db: Database, fingerprints: some Sequence<String>) throws -> [Finding] {
        let query = try db.prepare("SELECT \(columns) FROM findings WHERE fingerprint = ?")
        var out: [Finding] = []
        for fingerprint in fingerprints {
            query.bind(fingerprint, at: 1)
            if try query.step() { out.append(decode((0..<14).map { query.value(at: $0) })) }
            query.reset()
        }
        return out.sorted(by: reviewOrder)
    }

    private static let columns = "fingerprint, rule, severity, first_seen, last_seen, app, user, host, source_ip, message, count, evidence, users, user_count"

    private static func decode(_ row: [SQLValue]) -> Finding {
        var f = Finding(rule: row[1].string ?? "?", severity: Severity(rawValue: row[2].string ?? "") ?? .info,
                        firstSeen: row[3].int ?? 0, lastSeen: row[4].int ?? 0, app: row[5].string, user: row[6].string,
                        host: row[7].string, sourceIp: row[8].string, message: row[9].string ?? "", count: Int(row[10].int ?? 0),
                        evidence: (try? JSONParser.parse(row[11].string ?? "[]"))?.array?.compactMap(\.string) ?? [], identity: [])
        f.fingerprint = row[0].string ?? f.fingerprint
        f.users = ((try? JSONParser.parse(row[12].string ?? "[]"))?.array ?? []).compactMap { item in
            item["user"]?.string.map { AffectedUser(name: $0, count: Int(item["count"]?.integer ?? 0)) }
        }
        f.userCount = Int(row[13].int ?? 0)
        return f
    }
}
