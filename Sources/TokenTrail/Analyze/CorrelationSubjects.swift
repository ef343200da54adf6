/// Who a request or a login is, as a small integer the correlator pairs on: a lowercased
/// username; a user id resolved through the user directory (or the Run As user learned from
/// the logins, or `id:` + its 15 characters); for client credentials of an app the policy maps
/// a client id to, the app itself, whatever user the server ran the request as (a changed Run
/// As user is `run-as-mismatch`, not a stolen secret).
final class CorrelationSubjects {
    private let c: AnalysisContext
    private let directory: [String: String]
    private let learnedRunAs: [Int64: String]
    private var ids: [String: Int32] = [:], byName: [Int64: Int32] = [:], byId: [Int64: Int32] = [:]
    /// Apps the policy maps client ids to (lowercased), and the app whose Run As user a user is.
    private var clientCredentialsApps: Set<String> = [], appOfRunAs: [String: String] = [:]

    init(_ c: AnalysisContext, window: Int64) throws {
        self.c = c
        directory = try c.facts.usernames()
        for app in c.policy?.apps ?? [] where !app.clientIds.isEmpty {
            clientCredentialsApps.insert(app.name.lowercased())
            if let runAs = app.runAsUser { appOfRunAs[runAs.lowercased()] = app.name.lowercased() }
        }
        // Client credentials requests of apps the policy does not map name their user by id
        // only, and a Setup download names it by username only: the learned Run As user bridges them.
        learnedRunAs = try Self.learnRunAs(c, window: window, directory: directory)
    }

    /// Each subject's text (lowercased username, `id:…`, or an app's name behind a prefix no username has).
    var names: [Int32: String] { Dictionary(uniqueKeysWithValues: ids.map { ($0.value, $0.key) }) }

    func intern(_ text: String) -> Int32 {
        let key = text.lowercased()
        if let known = ids[key] { return known }
        let id = Int32(ids.count + 1)
        ids[key] = id
        return id
    }

    func app(_ name: String) -> Int32 { intern("\u{1F}app " + name.lowercased()) }

    /// A user by username symbol, else by id symbol (0 when neither is known).
    func user(name: Int64, id: Int64) throws -> Int32 {
        if name != 0 {
            if let known = byName[name] { return known }
            let value = try c.names.name(name).map(intern) ?? 0
            byName[name] = value
            return value
        }
        guard id != 0 else { return 0 }
        if let known = byId[id] { return known }
        let value = try c.names.name(id).map {
            directory[$0] ?? directory[String($0.prefix(15))] ?? learnedRunAs[id] ?? "id:" + $0.prefix(15)
        }.map(intern) ?? 0
        byId[id] = value
        return value
    }

    /// A client credentials login's subject: its app's when the policy maps a client id to it
    /// (an export that names no app, ELF Login: the app whose Run As user it logged in as), else `user`.
    func clientCredentialsLogin(app: String?, username: Int64, user: Int32) throws -> Int32 {
        guard !clientCredentialsApps.isEmpty else { return user }
        if let app, clientCredentialsApps.contains(app.lowercased()) { return self.app(app) }
        if app == nil, let name = try c.names.name(username), let owner = appOfRunAs[name.lowercased()] { return self.app(owner) }
        return user
    }
}

extension CorrelationSubjects {
    /// Usernames of client credentials users that only a username-only export names (a Setup
    /// download): a request's user id is learned to be the username of the client credentials
    /// login that follows it within the match window, when one username does so for at least
    /// three of that id's requests and twice as often as any other.
    static func learnRunAs(_ c: AnalysisContext, window: Int64, directory: [String: String]) throws -> [Int64: String] {
        let cc = try c.names.id(Flow.clientCredentials.rawValue), success = try c.names.id(Outcome.success.rawValue)
        let contexts = try c.facts.contexts.ids { $0.flow == Flow.clientCredentials.rawValue && $0.isSuccess }
        guard cc != 0, success != 0, !contexts.isEmpty else { return [:] }
        let span: [SQLValue] = [.integer(c.windowStart - window), .integer(c.windowEnd + window)]
        var logins: [(time: Int64, user: Int64)] = []
        for row in try c.facts.rows("""
            SELECT time, username FROM logins WHERE time BETWEEN ? AND ? AND username IS NOT NULL AND user_id IS NULL
              AND context IN (\(contexts.map(String.init).joined(separator: ","))) ORDER BY time
            """, span) {
            if let time = row[0].int, let user = row[1].int { logins.append((time, user)) }
        }
        guard !logins.isEmpty else { return [:] }
        var votes: [Int64: [Int64: Int]] = [:]
        var first = 0
        for row in try c.facts.rows("""
            SELECT time, user_id FROM token_requests WHERE time BETWEEN ? AND ? AND flow = ? AND outcome = ?
              AND sub IS NULL AND user_id IS NOT NULL ORDER BY time
            """, span + [.integer(cc), .integer(success)]) {
            guard let time = row[0].int, let id = row[1].int,
                  let text = try c.names.name(id), directory[text] == nil, directory[String(text.prefix(15))] == nil else { continue }
            while first < logins.count && logins[first].time < time - window { first += 1 }
            var seen: Set<Int64> = []
            var i = first
            while i < logins.count && logins[i].time <= time + window {
                if seen.insert(logins[i].user).inserted { votes[id, default: [:]][logins[i].user, default: 0] += 1 }
                i += 1
            }
        }
        var learned: [Int64: String] = [:]
        for (id, tally) in votes {
            let ranked = tally.sorted { $0.value > $1.value }
            guard let top = ranked.first, top.value >= 3, top.value >= 2 * (ranked.dropFirst().first?.value ?? 0) else { continue }
            learned[id] = try c.names.name(top.key)
        }
        return learned
    }
}

