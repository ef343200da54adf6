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

    static func run(db: Database, from: Int64, to: Int64) throws {
        let elf = try db.scalar("SELECT id FROM strings WHERE value = 'elf'").int ?? 0
        guard elf != 0, try db.scalar("""
            SELECT EXISTS(SELECT 1 FROM logins l JOIN login_contexts c ON c.id = l.context
                          WHERE l.time BETWEEN ? AND ? AND l.app IS NULL AND c.origin = ?)
            """, [.integer(from), .integer(to), .integer(elf)]).int == 1 else { return }
        let span: [SQLValue] = [.integer(from - followMs), .integer(to + followMs)]
        var byKey: [String: (app: Int64, via: String)] = [:]
        for row in try db.rows("SELECT login_key, app FROM logins WHERE time BETWEEN ? AND ? AND login_key IS NOT NULL AND app IS NOT NULL", span) {
            if let key = row[0].string, let app = row[1].int { byKey[key] = (app, "login_event") }
        }
        var nameOfId: [Int64: Int64] = [:]
        for row in try db.rows("SELECT DISTINCT app_id, app FROM api_activity WHERE time BETWEEN ? AND ? AND app_id IS NOT NULL AND app IS NOT NULL", span) {
            if let id = row[0].int, let app = row[1].int { nameOfId[id] = app }
        }
        for row in try db.rows("""
            SELECT login_key, app, app_id FROM api_activity WHERE time BETWEEN ? AND ? AND login_key IS NOT NULL
              AND (app IS NOT NULL OR app_id IS NOT NULL)
            """, span) {
            guard let key = row[0].string, byKey[key] == nil else { continue }
            if let app = row[1].int ?? row[2].int.flatMap({ nameOfId[$0] }) { byKey[key] = (app, "api_activity") }
        }
        // ApiTotalUsage by user and client IP, in time order.
        struct Who: Hashable { let user: Int64, ip: Int64 }
        var usage: [Who: [(time: Int64, app: Int64)]] = [:]
        for row in try db.rows("""
            SELECT a.time, a.user_id, a.client_ip, a.app FROM api_activity a
            WHERE a.time BETWEEN ? AND ? AND a.app IS NOT NULL AND a.user_id IS NOT NULL AND a.client_ip IS NOT NULL
              AND a.event_type = (SELECT id FROM strings WHERE value = 'ApiTotalUsage') ORDER BY a.time
            """, span) {
            if let time = row[0].int, let user = row[1].int, let ip = row[2].int, let app = row[3].int {
                usage[Who(user: user, ip: ip), default: []].append((time, app))
            }
        }
        var updates: [(time: Int64, key: Int64, app: Int64, via: String)] = []
        for row in try db.rows("""
            SELECT l.time, l.key, l.login_key, l.user_id, l.source_ip FROM logins l JOIN login_contexts c ON c.id = l.context
            WHERE l.time BETWEEN ? AND ? AND l.app IS NULL AND c.origin = ?
            """, [.integer(from), .integer(to), .integer(elf)]) {
            guard let time = row[0].int, let key = row[1].int else { continue }
            if let loginKey = row[2].string, let found = byKey[loginKey] {
                updates.append((time, key, found.app, found.via))
            } else if let user = row[3].int, let ip = row[4].int, let uses = usage[Who(user: user, ip: ip)],
                      let next = uses.first(where: { $0.time >= time && $0.time <= time + followMs }) {
                updates.append((time, key, next.app, "api_total_usage"))
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
