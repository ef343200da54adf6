/// Usernames for user ids, so a reviewer reads "integration@acme.com", not "0055g…".
extension Facts {
    /// Usernames for user ids, from sources that carry both (ELF Login rows, client token
    /// logs whose response `id` names the user). The LoginHistory API export has ids only.
    public func usernames() throws -> [String: String] {
        // An analysis gives every week the whole database's names (`directory(_:from:facts:)`),
        // read once: they hold every pair of the week too, resolved the same way, and a week
        // whose own rows carry only ids (a Login History API export) reads the names a later
        // ELF file gave them.
        if let cached = directoryCache { return cached }
        var named = UserNames()
        try addPairs(to: &named)
        directoryCache = named.map
        return named.map
    }

    /// The pairs this session's tallies hold: every row up to the window's end.
    func addPairs(to named: inout UserNames) throws {
        for (pairs, source) in [(try loginFacts().userPairs, UserNames.Source.server), (try requestFacts().userPairs, .client)] {
            for (pair, time) in pairs {
                if let id = try names.name(pair.first), let name = try names.name(pair.second) { named.add(id: id, name: name, time: time, source: source) }
            }
        }
    }

    /// The same directory read straight from the database (for summaries outside an analysis).
    /// `facts` (a session whose window starts at `from`) gives the pairs before `from`, which it
    /// has read already: then only the rows from `from` on are read here.
    public static func directory(_ db: Database, from: Int64 = .min, facts: Facts? = nil) throws -> [String: String] {
        var named = UserNames()
        if let facts { try facts.addPairs(to: &named) }
        for row in try db.rows("""
            SELECT u.value, n.value, p.last, 0 FROM (SELECT user_id, username, max(time) AS last FROM logins
                  WHERE time >= ?1 AND user_id IS NOT NULL AND username IS NOT NULL GROUP BY user_id, username) p
              JOIN strings u ON u.id = p.user_id JOIN strings n ON n.id = p.username
            UNION ALL SELECT u.value, n.value, p.last, 1 FROM (SELECT user_id, sub, max(time) AS last FROM token_requests
                  WHERE time >= ?1 AND user_id IS NOT NULL AND sub IS NOT NULL
                  AND flow = (SELECT id FROM strings WHERE value = 'jwt_bearer') AND outcome = (SELECT id FROM strings WHERE value = 'success')
                  GROUP BY user_id, sub) p
              JOIN strings u ON u.id = p.user_id JOIN strings n ON n.id = p.sub
            """, [.integer(from)]) {
            if let id = row[0].string, let name = row[1].string {
                named.add(id: id, name: name, time: row[2].int ?? 0, source: row[3].int == 0 ? .server : .client)
            }
        }
        return named.map
    }

    /// A login's user as a reviewer knows it: the username, else the username its id maps to, else the id.
    public func displayUser(username: String?, userId: String?, directory: [String: String]) -> String? {
        if let username { return username }
        guard let userId else { return nil }
        return directory[userId] ?? directory[String(userId.prefix(15))] ?? userId
    }

    /// The same, from symbol ids.
    public func displayUser(username: Int64, userId: Int64) throws -> String? {
        displayUser(username: try names.name(username), userId: try names.name(userId), directory: try usernames())
    }
}

// Users behind merged groups, counted: a finding is one cause and lists whom it touched.
extension Facts {
    /// Logins per user (shown by name where any source names the id) of merged login groups.
    func users(of merged: Merged<LoginGroup>) throws -> [String: Int] {
        let window = try loginFacts().window
        var users: [String: Int] = [:]
        for member in merged.members {
            guard let name = try displayUser(username: member.username, userId: member.userId) else { continue }
            users[name, default: 0] += window[member]?.count ?? 0
        }
        return users
    }

    /// Requests per subject (`sub`, else the response's user id, named by the directory) of merged request groups.
    func subjects(of merged: Merged<RequestGroup>) throws -> [String: Int] {
        let window = try requestFacts().window
        var users: [String: Int] = [:]
        for member in merged.members {
            guard let name = member.sub != 0 ? try names.name(member.sub) : try displayUser(username: 0, userId: member.userId) else { continue }
            users[name, default: 0] += window[member]?.group.count ?? 0
        }
        return users
    }

    /// Logins in the window per app (symbol), all outcomes: the denominator of a failure's share.
    func loginsPerApp() throws -> [Int64: Int] {
        var counts: [Int64: Int] = [:]
        for (group, tally) in try loginFacts().window { counts[group.app, default: 0] += tally.count }
        return counts
    }

    /// Requests in the window per (host, client id) symbols, all outcomes.
    func requestsPerClient() throws -> [SymbolPair: Int] {
        var counts: [SymbolPair: Int] = [:]
        for (group, tally) in try requestFacts().window { counts[SymbolPair(first: group.host, second: group.clientId), default: 0] += tally.group.count }
        return counts
    }
}

/// Usernames by user id (18 characters and its 15-character form). Salesforce's own rows
/// (ELF Login: id and name on one row) name an id before a client log does (a response's
/// user id beside the JWT's `sub`): a client log is the integration's word, and a crafted
/// line dated later must not rename a user the server names. Within a source, an id seen
/// with two names (a renamed user) gets the one seen last, the smaller on a tie: the same data
/// always names a user the same way, so a finding's fingerprint does not change between runs.
struct UserNames {
    enum Source: Int, Comparable {
        case server = 0, client = 1
        static func < (a: Source, b: Source) -> Bool { a.rawValue < b.rawValue }
    }
    private(set) var map: [String: String] = [:]
    private var seen: [String: (source: Source, time: Int64, name: String)] = [:]

    mutating func add(id: String, name: String, time: Int64, source: Source = .server) {
        for key in Set([id, String(id.prefix(15))]) {
            if let current = seen[key] {
                if current.source != source { if current.source < source { continue } }
                else if current.time > time || (current.time == time && current.name <= name) { continue }
            }
            seen[key] = (source, time, name)
            map[key] = name
        }
    }
}
