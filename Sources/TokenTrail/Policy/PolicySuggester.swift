/// Writes a starting policy from what the database has seen: per app its flows, JWT
/// subjects, Run As user, networks, client ids and audience. A value seen on under 1% of an
/// app's logins is left out and reported instead: an incident must not become the baseline.
public enum PolicySuggester {
    public struct Suggestion {
        public var policy: JSONValue
        /// "app: kind value (n of total logins)" for every value left out as rare.
        public var leftOut: [String]
    }

    /// Successful OAuth logins counted in one pass over the raw ids, by app, flow and user, and
    /// by app, flow and address (the strings are looked up once per group, at the end). Two
    /// grains, not one by user × address: a million logins of 3,000 users from 10,000
    /// addresses are a million of those, and `policy suggest` has to stay under 200 MB.
    private struct Group { let app: String, flow: String, user: String?, ip: String?, logins: Int64 }

    public static func suggest(db: Database, minimumShare: Double = 0.01) throws -> Suggestion {
        let facts = try Facts(db: db, windowStart: .min, windowEnd: .max)
        // Read straight from the tables: the login aggregates would hold every group of the database.
        let directory = try Facts.directory(db)
        let names = facts.names
        let counted = try successfulOAuthLogins(db, names)
        func named(_ counts: [Key: Int64]) throws -> [Group] {
            try counts.map { key, n in
                Group(app: try names.name(key.app) ?? "", flow: try names.name(key.flow) ?? "", user: try names.name(key.user),
                      ip: try names.name(key.ip), logins: n)
            }
        }
        let groups = try named(counted.byUser), addressGroups = Dictionary(grouping: try named(counted.byAddress), by: \.app)
        // Client ids per app from the paired requests, joined on the tables' keys (a join on
        // the views' computed evidence text took minutes on a million logins).
        var clients: [String: [(id: String, requests: Int64, audience: String?)]] = [:]
        for row in try db.rows("""
            SELECT (SELECT value FROM strings WHERE id = l.app), (SELECT value FROM strings WHERE id = t.client_id), count(*),
                   max((SELECT value FROM strings WHERE id = t.aud))
            FROM matches m JOIN token_requests t ON t.time = m.request_time AND t.key = m.request_key
            JOIN logins l ON l.time = m.login_time AND l.key = m.login_key
            WHERE l.app IS NOT NULL AND t.client_id IS NOT NULL GROUP BY l.app, t.client_id ORDER BY 3 DESC
            """) {
            guard let app = row[0].string, let id = row[1].string else { continue }
            clients[app, default: []].append((id, row[2].int ?? 0, row[3].string))
        }
        // Connected-app ids per app name, where an export carries both (ApiTotalUsage): an id
        // under 1% of the name's calls is left out, as a rogue app wearing the name would be.
        var appIds: [String: [(id: String, calls: Int64)]] = [:]
        for row in try db.rows("""
            SELECT (SELECT value FROM strings WHERE id = app), (SELECT value FROM strings WHERE id = app_id), count(*) FROM api_activity
            WHERE app IS NOT NULL AND app_id IS NOT NULL GROUP BY app, app_id
            """) {
            guard let app = row[0].string, let id = row[1].string else { continue }
            appIds[app, default: []].append((id, row[2].int ?? 0))
        }
        var leftOut: [String] = []
        var apps: [JSONValue] = []
        // Every app seen: by its OAuth logins, or only by its API calls (an External Client App
        // or connected app whose logins this database lacks). Nothing here reads an id's key
        // prefix: an External Client App's is not documented.
        var byApp = Dictionary(grouping: groups, by: \.app)
        for app in appIds.keys where byApp[app] == nil { byApp[app] = [] }
        for (app, rows) in byApp.sorted(by: { $0.key < $1.key }) {
            let count = rows.reduce(0) { $0 + $1.logins }
            func common(_ kind: String, in rows: [Group] = rows, _ value: (Group) -> String?) -> [String] {
                var kept: [String: Int64] = [:]
                for row in rows { if let v = value(row) { kept[v, default: 0] += row.logins } }
                var out: [String] = []
                for (value, n) in kept.sorted(by: { $0.key < $1.key }) {
                    if Double(n) >= Double(count) * minimumShare { out.append(value) } else { leftOut.append("\(app): \(kind) \(value) (\(n) of \(count) logins)") }
                }
                return out
            }
            var entry: [String: JSONValue] = ["name": .string(app)]
            let flows = common("flow") { $0.flow }
            if !flows.isEmpty { entry["flows"] = .array(flows.map { .string($0) }) }
            let subjects = common("subject") { g in g.flow == "jwt_bearer" ? g.user.map { directory[$0] ?? $0 } : nil }
            if !subjects.isEmpty { entry["subjects"] = .array(subjects.map { .string($0) }) }
            let runAs = common("Run As user") { g in g.flow == "client_credentials" ? g.user.map { directory[$0] ?? $0 } : nil }
            if let user = runAs.first { entry["runAsUser"] = .string(user) }
            if flows.contains("jwt_bearer") || flows.contains("client_credentials") {
                let networks = common("network", in: addressGroups[app] ?? []) { g in
                    g.flow == "jwt_bearer" || g.flow == "client_credentials" ? g.ip.map { CIDR.network(of: $0) } : nil
                }
                if !networks.isEmpty { entry["sourceCidrs"] = .array(networks.map { .string($0) }) }
            } else if !rows.isEmpty && flows == ["refresh_token"] {
                // A vendor's refresh-token app that behaves like an integration (a few users from
                // a few networks, DESIGN.md, Integration apps) is declared one, with its networks
                // (IPv4 /24, IPv6 /48): its token is an integration's key.
                let users = Set(rows.compactMap(\.user))
                let networks = common("network", in: addressGroups[app] ?? []) { g in g.ip.map { CIDR.network(of: $0) } }
                if users.count <= 3 && !networks.isEmpty && networks.count <= 4 {
                    entry["integration"] = .bool(true)
                    entry["sourceCidrs"] = .array(networks.map { .string($0) })
                }
            }
            if let ids = appIds[app] {
                let calls = ids.reduce(0) { $0 + $1.calls }
                var kept: [String] = []
                for (id, n) in ids.sorted(by: { $0.id < $1.id }) {
                    if Double(n) >= Double(calls) * minimumShare { kept.append(id) } else { leftOut.append("\(app): connected-app id \(id) (\(n) of \(calls) calls)") }
                }
                if !kept.isEmpty { entry["appIds"] = .array(kept.map { .string($0) }) }
            }
            if let paired = clients[app], !paired.isEmpty {
                entry["clientIds"] = .array(paired.map { .string($0.id) })
                if let audience = paired.first?.audience { entry["audience"] = .string(audience) }
            }
            apps.append(.object(entry))
        }
        var root: [String: JSONValue] = ["version": .number(1), "apps": .array(apps)]
        if let zone = try db.scalar("SELECT timezone FROM sources WHERE timezone IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").string {
            root["timezone"] = .string(zone)
        }
        return Suggestion(policy: .object(root), leftOut: leftOut)
    }

    private struct Key: Hashable { let app, flow, user, ip: Int64 }

    /// The flow as v_logins reports it (an unknown OAuth flow takes its paired request's flow),
    /// computed on ids.
    private static func successfulOAuthLogins(_ db: Database, _ names: SymbolNames) throws -> (byUser: [Key: Int64], byAddress: [Key: Int64]) {
        let oauth = Set(try Flow.allCases.filter(\.isOAuth).map { try names.id($0.rawValue) }.filter { $0 != 0 })
        let unknown = try names.id(Flow.oauthUnknown.rawValue), success = try names.id(Outcome.success.rawValue)
        let statement = try db.prepare("""
            SELECT l.app, CASE WHEN c.flow = ? THEN coalesce((SELECT t.flow FROM matches m
                              JOIN token_requests t ON t.time = m.request_time AND t.key = m.request_key
                             WHERE m.login_time = l.time AND m.login_key = l.key), c.flow) ELSE c.flow END,
                   coalesce(l.username, l.user_id), l.source_ip
            FROM logins l JOIN login_contexts c ON c.id = l.context WHERE l.app IS NOT NULL AND c.outcome = ?
            """)
        try statement.bind([.integer(unknown), .integer(success)])
        var byUser: [Key: Int64] = [:], byAddress: [Key: Int64] = [:]
        while try statement.step() {
            let flow = statement.int(at: 1), app = statement.int(at: 0)
            guard oauth.contains(flow) else { continue }
            byUser[Key(app: app, flow: flow, user: statement.int(at: 2), ip: 0), default: 0] += 1
            byAddress[Key(app: app, flow: flow, user: 0, ip: statement.int(at: 3)), default: 0] += 1
        }
        return (byUser, byAddress)
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
                return inner + JSONValue.string(key).serialized + ": " + members[key]!.pretty(indent: inner)
            }.joined(separator: ",\n") + "\n" + indent + "}"
        default:
            return serialized
        }
    }
}
