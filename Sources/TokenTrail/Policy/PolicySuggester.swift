/// Writes a starting policy from what the database has seen: per app its flows, JWT
/// subjects, Run As user, networks, client ids and audience. A value seen on under 1% of an
/// app's logins is left out and reported instead: an incident must not become the baseline.
public enum PolicySuggester {
    public struct Suggestion {
        public var policy: JSONValue
        /// "app: kind value (n of total logins)" for every value left out as rare.
        public var leftOut: [String]
    }

    public static func suggest(db: Database, minimumShare: Double = 0.01) throws -> Suggestion {
        let context = try AnalysisContext(db: db, policy: nil, windowStart: .min, windowEnd: .max)
        let directory = try context.usernames()
        var leftOut: [String] = []
        var apps: [JSONValue] = []
        let totals = try db.rows("""
            SELECT app, count(*) FROM v_logins WHERE app IS NOT NULL AND outcome = 'success' AND flow IN \(oauthFlows) GROUP BY 1 ORDER BY 1
            """)
        for total in totals {
            guard let app = total[0].string, let count = total[1].int, count > 0 else { continue }
            func common(_ sql: String, _ kind: String, transform: (String) -> String = { $0 }) throws -> [String] {
                var kept: [String: Int64] = [:]
                for row in try db.rows(sql, [.text(app)]) {
                    guard let raw = row[0].string, let n = row[1].int else { continue }
                    kept[transform(raw), default: 0] += n
                }
                var out: [String] = []
                for (value, n) in kept.sorted(by: { $0.key < $1.key }) {
                    if Double(n) >= Double(count) * minimumShare { out.append(value) } else { leftOut.append("\(app): \(kind) \(value) (\(n) of \(count) logins)") }
                }
                return out
            }
            var entry: [String: JSONValue] = ["name": .string(app)]
            let flows = try common("SELECT flow, count(*) FROM v_logins WHERE app = ? AND outcome = 'success' AND flow IN \(oauthFlows) GROUP BY 1", "flow")
            entry["flows"] = .array(flows.map { .string($0) })
            let subjects = try common("""
                SELECT coalesce(username, user_id), count(*) FROM v_logins WHERE app = ? AND outcome = 'success' AND flow = 'jwt_bearer' GROUP BY 1
                """, "subject") { directory[$0] ?? $0 }
            if !subjects.isEmpty { entry["subjects"] = .array(subjects.map { .string($0) }) }
            let runAs = try common("""
                SELECT coalesce(username, user_id), count(*) FROM v_logins WHERE app = ? AND outcome = 'success' AND flow = 'client_credentials' GROUP BY 1
                """, "Run As user") { directory[$0] ?? $0 }
            if let user = runAs.first { entry["runAsUser"] = .string(user) }
            if flows.contains("jwt_bearer") || flows.contains("client_credentials") {
                let networks = try common("""
                    SELECT source_ip, count(*) FROM v_logins WHERE app = ? AND outcome = 'success'
                      AND flow IN ('jwt_bearer', 'client_credentials') AND source_ip IS NOT NULL GROUP BY 1
                    """, "network", transform: NewSourceIPRule.network)
                if !networks.isEmpty { entry["sourceCidrs"] = .array(networks.map { .string($0) }) }
            }
            let clients = try db.rows("""
                SELECT t.client_id, count(*), max(t.aud) FROM v_matches m
                JOIN v_token_requests t ON t.evidence = m.request_evidence JOIN v_logins l ON l.evidence = m.login_evidence
                WHERE l.app = ? AND t.client_id IS NOT NULL GROUP BY 1 ORDER BY 2 DESC
                """, [.text(app)])
            if !clients.isEmpty {
                entry["clientIds"] = .array(clients.compactMap { $0[0].string }.map { .string($0) })
                if let audience = clients.first?[2].string { entry["audience"] = .string(audience) }
            }
            apps.append(.object(entry))
        }
        var root: [String: JSONValue] = ["version": .number(1), "apps": .array(apps)]
        if let zone = try db.scalar("SELECT timezone FROM sources WHERE timezone IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").string {
            root["timezone"] = .string(zone)
        }
        return Suggestion(policy: .object(root), leftOut: leftOut)
    }
}

extension JSONValue {
    /// Indented JSON for files people edit (keys sorted, two spaces).
    public func pretty(indent: String = "") -> String {
        let inner = indent + "  "
        switch self {
        case .array(let items) where !items.isEmpty:
            if items.allSatisfy({ if case .object = $0 { return false }; if case .array = $0 { return false }; return true }) {
                return serialized
            }
            return "[\n" + items.map { inner + $0.pretty(indent: inner) }.joined(separator: ",\n") + "\n" + indent + "]"
        case .object(let members) where !members.isEmpty:
            return "{\n" + members.keys.sorted().map { key in
                var name = ""
                JSONValue.writeString(key, to: &name)
                return inner + name + ": " + members[key]!.pretty(indent: inner)
            }.joined(separator: ",\n") + "\n" + indent + "}"
        default:
            return serialized
        }
    }
}
