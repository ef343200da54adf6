/// Names the app of logins whose export names none (ELF `Login` rows): the rules about
/// integrations need an app, and an org that exports only the free Event Monitoring files
/// must still see a stolen key. In order of certainty (`app_via`):
/// - `login_event`: a LoginEvent row of the same `LOGIN_KEY` names it;
/// - `api_activity`: API / RestApi rows of the same `LOGIN_KEY` carry the connected app
///   (its name, or its id named by ApiTotalUsage rows that carry both);
/// - `api_total_usage`: ApiTotalUsage rows of the same user from the same IP within
///   `followSeconds` after the login name the app (ApiTotalUsage has no `LOGIN_KEY`).
/// Otherwise the app stays unknown, not guessed.
enum AppAttribution {
    static let followMs: Int64 = 600_000
    static let historyMs: Int64 = 30 * 86_400_000

    static func run(_ facts: Facts, from: Int64, to: Int64) throws {
        let db = facts.db
        let elf = try db.scalar("SELECT id FROM strings WHERE value = 'elf'").int ?? 0
        guard elf != 0 else { return }
        // The ELF logins still without an app: what the passes below look for (one stream each).
        struct Candidate { let time: Int64, key: Int64, loginKey: String?, user: Int64, ip: Int64 }
        typealias Who = UserAddress
        var candidates: [Candidate] = [], wantedKeys: Set<String> = [], wantedWho: Set<Who> = []
        let pending = try db.prepare("""
            SELECT l.time, l.key, l.login_key, l.user_id, l.source_ip FROM logins l JOIN login_contexts c ON c.id = l.context
            WHERE l.time BETWEEN ? AND ? AND l.app IS NULL AND c.origin = ?
            """)
        try pending.bind([.integer(from), .integer(to), .integer(elf)])
        while try pending.step() {
            let candidate = Candidate(time: pending.int(at: 0), key: pending.int(at: 1), loginKey: pending.text(at: 2), user: pending.int(at: 3), ip: pending.int(at: 4))
            candidates.append(candidate)
            if let key = candidate.loginKey { wantedKeys.insert(key) }
            if candidate.user != 0 && candidate.ip != 0 { wantedWho.insert(Who(user: candidate.user, ip: candidate.ip)) }
        }
        guard !candidates.isEmpty else { return }
        let span: [SQLValue] = [.integer(from - followMs), .integer(to + followMs)]
        var byKey: [String: (app: Int64, via: String)] = [:]
        // Only LoginEvent exports name both a login key and an app.
        let loginEvent = try db.scalar("SELECT id FROM strings WHERE value = 'login_event'").int ?? 0
        if !wantedKeys.isEmpty, loginEvent != 0, try db.scalar("SELECT EXISTS(SELECT 1 FROM login_contexts WHERE origin = ?)", [.integer(loginEvent)]).int == 1 {
            let named = try db.prepare("SELECT login_key, app FROM logins WHERE time BETWEEN ? AND ? AND login_key IS NOT NULL AND app IS NOT NULL")
            try named.bind(span)
            while try named.step() {
                if let key = named.text(at: 0), wantedKeys.contains(key) { byKey[key] = (named.int(at: 1), "login_event") }
            }
        }
        // API activity: the app (or its id, named by rows that carry both) of each wanted session,
        // and ApiTotalUsage by user and client IP, in time order: asked of the shared pass.
        var request = AttributionRequest()
        (request.keys, request.who, request.from, request.to) = (wantedKeys.subtracting(byKey.keys), wantedWho, from - followMs, to + followMs)
        let answer = try facts.apiFacts(attributing: request).attribution
        for (key, app) in answer.appOfKey where byKey[key] == nil { byKey[key] = (app, "api_activity") }
        let usage = answer.usage
        var updates: [(time: Int64, key: Int64, app: Int64, via: String)] = []
        for candidate in candidates {
            if let loginKey = candidate.loginKey, let found = byKey[loginKey] {
                updates.append((candidate.time, candidate.key, found.app, found.via))
            } else if let uses = usage[Who(user: candidate.user, ip: candidate.ip)],
                      let next = uses.first(where: { $0.time >= candidate.time && $0.time <= candidate.time + followMs }) {
                updates.append((candidate.time, candidate.key, next.app, "api_total_usage"))
            }
        }
        guard !updates.isEmpty else { return }
        try db.transaction {
            for via in ["login_event", "api_activity", "api_total_usage"] {
                _ = try db.rows("INSERT INTO strings(value) VALUES(?) ON CONFLICT(value) DO NOTHING", [.text(via)])
            }
            var viaIds: [String: Int64] = [:]
            for row in try db.rows("SELECT value, id FROM strings WHERE value IN ('login_event', 'api_activity', 'api_total_usage')") {
                if let value = row[0].string, let id = row[1].int { viaIds[value] = id }
            }
            let update = try db.prepare("UPDATE logins SET app = ?, app_via = ? WHERE time = ? AND key = ?")
            for u in updates {
                try update.bind([.integer(u.app), .integer(viaIds[u.via] ?? 0), .integer(u.time), .integer(u.key)])
                try update.run()
            }
        }
    }
}
