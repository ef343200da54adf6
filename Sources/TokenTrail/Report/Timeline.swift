import Foundation

/// One chronological list for a responder: client token requests, server logins (with the
/// request each was paired with), API activity (joined to its login by LOGIN_KEY), Okta
/// events and findings, filtered by user, app, IP and client host, in a period.
/// "What did this key / user / IP do between T1 and T2" in one command.
public struct Timeline {
    public struct Filter: Sendable {
        public var user: String?
        public var app: String?
        public var ip: String?
        public var host: String?
        public var since: Int64
        public var until: Int64
        public var limit = 5000
        /// Only the records of one incident (set by `forIncident`).
        public var scope: Scope?
        public init(since: Int64, until: Int64) { self.since = since; self.until = until }
    }

    /// An incident's records (what its findings cite and its blast radius rows, by primary key) and findings.
    public struct Scope: Sendable {
        public var rows: [RecordRef] = []
        public var findings: [String] = []
    }

    public struct Event: Sendable {
        public var time: Int64
        public var kind: String       // request, login, api, okta, finding
        public var app: String?
        public var user: String?
        public var ip: String?
        public var host: String?
        public var outcome: String?
        public var detail: String
        public var evidence: String
        /// The facts `detail` tells, one field each, for machines (`--format json`): a reader
        /// sums `rows` or filters on `login_key` without parsing text.
        public var facts: [String: JSONValue] = [:]
    }

    public var events: [Event] = []
    /// More events matched than `limit`: the earliest `limit` are kept.
    public var truncated = false

    /// `directory`: the user directory, when the caller has it (reading it scans every login).
    public static func build(db: Database, filter f: Filter, directory given: [String: String]? = nil) throws -> Timeline {
        let c = try Facts(db: db, windowStart: f.since, windowEnd: f.until)
        let directory = try given ?? Facts.directory(db)
        func symbol(_ text: String?) throws -> Int64? { try text.map { try c.names.id($0) } }
        // A user is named by username or by any id the directory maps to it.
        var userSymbols: [Int64] = []
        if let user = f.user {
            userSymbols.append(try c.names.id(user))
            userSymbols.append(try c.names.id(SalesforceId.canonical(user)))   // a 15-character id finds its 18-character form
            for (id, name) in directory where name.caseInsensitiveCompare(user) == .orderedSame { userSymbols.append(try c.names.id(id)) }
        }
        let users = "(" + (userSymbols.isEmpty ? "0" : userSymbols.map(String.init).joined(separator: ",")) + ")"
        let app = try symbol(f.app), ip = try symbol(f.ip), host = try symbol(f.host)
        let limit = f.limit + 1
        var timeline = Timeline()
        let window: [SQLValue] = [.integer(f.since), .integer(f.until)]
        if let scope = f.scope { try stage(scope, db: db) }
        // A scope's rows are looked up by primary key (the planner drives the query from the list).
        let cited = { (t: String, table: RecordRef.Table) in "(\(t).time, \(t).key) IN (SELECT time, key FROM temp.timeline_rows WHERE kind = \(table.rawValue))" }
        func add(_ sql: String, _ values: [SQLValue], _ make: ([SQLValue]) throws -> Event) throws {
            for row in try db.rows(sql + " LIMIT \(limit)", values) { timeline.events.append(try make(row)) }
        }
        func name(_ v: SQLValue) -> String? { v.string }
        let pairedRequest = """
            (SELECT t.host FROM matches m JOIN token_requests t ON t.time = m.request_time AND t.key = m.request_key
             WHERE m.login_time = l.time AND m.login_key = l.key)
            """

        // Server logins.
        var where_ = ["l.time BETWEEN ? AND ?"]
        var values = window
        if f.user != nil { where_.append("(l.username IN \(users) OR l.user_id IN \(users))") }
        if let app { where_.append("l.app = ?"); values.append(.integer(app)) }
        if let ip { where_.append("l.source_ip = ?"); values.append(.integer(ip)) }
        if let host { where_.append("\(pairedRequest) = ?"); values.append(.integer(host)) }
        if f.scope != nil { where_.append(cited("l", .login)) }
        try add("""
            SELECT l.time, (SELECT value FROM strings WHERE id = l.app), (SELECT value FROM strings WHERE id = l.username),
                   (SELECT value FROM strings WHERE id = l.user_id), (SELECT value FROM strings WHERE id = l.source_ip),
                   (SELECT value FROM strings WHERE id = x.outcome), (SELECT value FROM strings WHERE id = x.flow),
                   (SELECT value FROM strings WHERE id = x.status), \(Schema.evidence("s", "l.line")),
                   (SELECT value FROM strings WHERE id = \(pairedRequest)), l.login_key,
                   (SELECT \(Schema.evidence("ts", "tw.line")) FROM login_twins tw JOIN sources ts ON ts.id = tw.source_id
                     WHERE tw.canonical_time = l.time AND tw.canonical_key = l.key LIMIT 1),
                   (SELECT value FROM strings WHERE id = x.browser), (SELECT value FROM strings WHERE id = x.country)
            FROM logins l JOIN login_contexts x ON x.id = l.context JOIN sources s ON s.id = l.source_id
            WHERE \(where_.joined(separator: " AND ")) ORDER BY l.time
            """, values) { r in
            // Only a server-to-server login has a client request to pair with (a vendor's refresh
            // token or a person's browser logs none anyone holds): saying "none" elsewhere is noise.
            let pairable = ["jwt_bearer", "client_credentials", "oauth_unknown"].contains(r[6].string ?? "")
            let paired = r[9].string.map { "paired with a request from \($0)" } ?? (pairable ? "no client request paired" : nil)
            let user = c.displayUser(username: r[2].string, userId: r[3].string, directory: directory)
            var event = Event(time: r[0].int ?? 0, kind: "login", app: name(r[1]), user: user, ip: name(r[4]), host: r[9].string, outcome: name(r[5]),
                              detail: [r[6].string, r[7].string, paired, r[10].string.map { "login key \($0)" },
                                       r[12].string.flatMap { Placeholder.isBlank($0) ? nil : "client \($0)" }, r[13].string.map { "country \($0)" },
                                       r[11].string.map { "also in \($0)" }].compactMap { $0 }.joined(separator: "; "),   // the login's ELF Login twin
                              evidence: r[8].string ?? "")
            event.facts = Self.facts(["flow": r[6], "status": r[7], "paired_request_host": r[9], "login_key": r[10], "twin_evidence": r[11],
                                      "user_agent": r[12].string.map { Placeholder.isBlank($0) ? .null : r[12] } ?? .null, "country": r[13]])
            if pairable && r[9].string == nil { event.facts["paired"] = .bool(false) }
            return event
        }

        // Client token requests.
        where_ = ["t.time BETWEEN ? AND ?"]
        values = window
        if f.user != nil { where_.append("(t.sub IN \(users) OR t.user_id IN \(users))") }
        if let app {
            where_.append("""
                (t.client_id = ? OR t.integration = ? OR EXISTS (SELECT 1 FROM matches m JOIN logins l ON l.time = m.login_time AND l.key = m.login_key
                  WHERE m.login_time BETWEEN t.time - 3600000 AND t.time + 3600000 AND m.request_time = t.time AND m.request_key = t.key AND l.app = ?))
                """)
            values += [.integer(app), .integer(app), .integer(app)]
        }
        if let ip { where_.append("t.source_ip = ?"); values.append(.integer(ip)) }
        if let host { where_.append("t.host = ?"); values.append(.integer(host)) }
        if f.scope != nil { where_.append(cited("t", .request)) }
        try add("""
            SELECT t.time, coalesce((SELECT value FROM strings WHERE id = t.integration), (SELECT value FROM strings WHERE id = t.client_id)),
                   coalesce((SELECT value FROM strings WHERE id = t.sub), (SELECT value FROM strings WHERE id = t.user_id)),
                   (SELECT value FROM strings WHERE id = t.source_ip), (SELECT value FROM strings WHERE id = t.host),
                   (SELECT value FROM strings WHERE id = t.outcome), (SELECT value FROM strings WHERE id = t.flow), t.http_status,
                   coalesce((SELECT value FROM strings WHERE id = t.error_description), (SELECT value FROM strings WHERE id = t.error_code)),
                   \(Schema.evidence("s", "t.line"))
            FROM token_requests t JOIN sources s ON s.id = t.source_id
            WHERE \(where_.joined(separator: " AND ")) ORDER BY t.time
            """, values) { r in
            var event = Event(time: r[0].int ?? 0, kind: "request", app: name(r[1]), user: name(r[2]), ip: name(r[3]), host: name(r[4]), outcome: name(r[5]),
                              detail: [r[6].string, r[7].string.map { "HTTP \($0)" }, r[8].string].compactMap { $0 }.joined(separator: "; "), evidence: r[9].string ?? "")
            event.facts = Self.facts(["flow": r[6], "http_status": r[7], "error": r[8]])
            return event
        }

        // API activity, with the login it belongs to (same LOGIN_KEY) when that login is stored.
        where_ = ["a.time BETWEEN ? AND ?"]
        values = window
        // One API call is one row: ApiTotalUsage logs again each call a RestApi or API row has
        // (same instant, user, address, method and object, another request id); that row is left
        // out, and the call's row takes the app ApiTotalUsage names. A call that differs in any of
        // them (another object, a DELETE beside a GET) stays.
        let usage = try c.names.id("ApiTotalUsage")
        let calls = try ["RestApi", "API"].map { try c.names.id($0) }.filter { $0 != 0 }.map(String.init).joined(separator: ",")
        let twinCall = """
            (SELECT o.app FROM api_activity o WHERE o.time = a.time AND o.user_id = a.user_id AND o.client_ip IS a.client_ip
              AND o.method IS a.method AND o.entity IS a.entity AND o.event_type = \(usage) AND o.app IS NOT NULL LIMIT 1)
            """
        if usage != 0 && !calls.isEmpty {
            where_.append("""
                NOT (a.event_type = \(usage) AND EXISTS (SELECT 1 FROM api_activity o WHERE o.time = a.time AND o.user_id = a.user_id
                  AND o.client_ip IS a.client_ip AND o.method IS a.method AND o.entity IS a.entity AND o.event_type IN (\(calls))))
                """)
        }
        // The app of the row's login (a day of logins read per row that names none): an incident's
        // rows are listed without it (the incident names its apps), so a report of many stays quick.
        let login = f.scope != nil ? "NULL"
            : "(SELECT l.app FROM logins l WHERE l.login_key = a.login_key AND l.time BETWEEN a.time - 86400000 AND a.time LIMIT 1)"
        if f.user != nil { where_.append("(a.username IN \(users) OR a.user_id IN \(users))") }
        if let app { where_.append("(a.app = ? OR \(login) = ?)"); values += [.integer(app), .integer(app)] }
        if let ip { where_.append("a.client_ip = ?"); values.append(.integer(ip)) }
        if host != nil { where_.append("0") }   // API events carry no client host
        if f.scope != nil { where_.append(cited("a", .api)) }
        try add("""
            SELECT a.time, coalesce((SELECT value FROM strings WHERE id = a.app), (SELECT value FROM strings WHERE id = \(usage != 0 ? twinCall : "NULL")),
                                    (SELECT value FROM strings WHERE id = \(login))),
                   (SELECT value FROM strings WHERE id = a.username), (SELECT value FROM strings WHERE id = a.user_id),
                   (SELECT value FROM strings WHERE id = a.client_ip), (SELECT value FROM strings WHERE id = a.event_type),
                   (SELECT value FROM strings WHERE id = a.method), (SELECT value FROM strings WHERE id = a.resource),
                   (SELECT value FROM strings WHERE id = a.entity), a.rows, a.login_key, \(Schema.evidence("s", "a.line")),
                   (SELECT value FROM strings WHERE id = a.delegated_user), a.job_id, (SELECT value FROM strings WHERE id = a.job_state),
                   (SELECT value FROM strings WHERE id = a.user_agent), (SELECT value FROM strings WHERE id = a.client_name), a.session_key
            FROM api_activity a JOIN sources s ON s.id = a.source_id
            WHERE \(where_.joined(separator: " AND ")) ORDER BY a.time
            """, values) { r in
            let detail = [r[5].string, r[6].string, r[7].string, r[8].string, r[9].int.map { "\($0) rows" },
                          r[12].string.map { "by \($0)" }, r[13].string.map { "job \($0)" + (r[14].string.map { " \($0)" } ?? "") },
                          r[10].string.map { "login key \($0)" }].compactMap { $0 }.joined(separator: " ")
            var event = Event(time: r[0].int ?? 0, kind: "api", app: name(r[1]), user: c.displayUser(username: r[2].string, userId: r[3].string, directory: directory),
                              ip: name(r[4]), host: nil, outcome: nil, detail: detail, evidence: r[11].string ?? "")
            event.facts = Self.facts(["event_type": r[5], "method": r[6], "resource": r[7], "entity": r[8], "rows": r[9], "login_key": r[10],
                                      "delegated_user": r[12], "job_id": r[13], "job_state": r[14], "user_agent": r[15], "client_name": r[16],
                                      "session_key": r[17]])
            return event
        }

        // Okta System Log events.
        where_ = ["e.time BETWEEN ? AND ?"]
        values = window
        if let user = f.user { where_.append("e.actor_name = ?"); values.append(.integer(try c.names.id(user))) }
        if app != nil || host != nil { where_.append("0") }
        if let ip { where_.append("e.client_ip = ?"); values.append(.integer(ip)) }
        if f.scope != nil { where_.append(cited("e", .okta)) }
        try add("""
            SELECT e.time, (SELECT value FROM strings WHERE id = e.actor_name), (SELECT value FROM strings WHERE id = e.client_ip),
                   (SELECT value FROM strings WHERE id = e.outcome), (SELECT value FROM strings WHERE id = e.event_type),
                   (SELECT value FROM strings WHERE id = e.outcome_reason), \(Schema.evidence("s", "e.line"))
            FROM idp_events e JOIN sources s ON s.id = e.source_id
            WHERE \(where_.joined(separator: " AND ")) ORDER BY e.time
            """, values) { r in
            var event = Event(time: r[0].int ?? 0, kind: "okta", app: nil, user: name(r[1]), ip: name(r[2]), host: nil, outcome: name(r[3]),
                              detail: [r[4].string, r[5].string].compactMap { $0 }.joined(separator: "; "), evidence: r[6].string ?? "")
            event.facts = Self.facts(["event_type": r[4], "outcome_reason": r[5]])
            return event
        }

        // Findings, at their first time.
        var conditions: [String] = ["last_seen >= ? AND first_seen <= ?"]
        values = window
        if let user = f.user { conditions.append("user = ?"); values.append(.text(user)) }
        if let a = f.app { conditions.append("app = ?"); values.append(.text(a)) }
        if let i = f.ip { conditions.append("source_ip = ?"); values.append(.text(i)) }
        if let h = f.host { conditions.append("host = ?"); values.append(.text(h)) }
        if f.scope != nil { conditions.append("fingerprint IN (SELECT fingerprint FROM temp.timeline_findings)") }
        try add("SELECT first_seen, app, user, source_ip, host, severity, rule, message, evidence FROM findings WHERE \(conditions.joined(separator: " AND ")) ORDER BY first_seen",
                values) { r in
            let evidence = (try? JSONParser.parse(r[8].string ?? "[]"))?.array?.first?.string ?? ""
            var event = Event(time: r[0].int ?? 0, kind: "finding", app: name(r[1]), user: name(r[2]), ip: name(r[3]), host: name(r[4]),
                              outcome: r[5].string, detail: "[\(r[6].string ?? "")] \(r[7].string ?? "")", evidence: evidence)
            event.facts = Self.facts(["rule": r[6], "severity": r[5], "message": r[7]])
            return event
        }

        let order = ["finding": 0, "request": 1, "login": 2, "api": 3, "okta": 4]
        timeline.events.sort { ($0.time, order[$0.kind] ?? 9, $0.evidence) < ($1.time, order[$1.kind] ?? 9, $1.evidence) }
        if timeline.events.count > f.limit {
            timeline.truncated = true
            timeline.events.removeLast(timeline.events.count - f.limit)
        }
        return timeline
    }

    /// The filter of one stored incident: its findings and its records, from an hour before it
    /// to a day after (what the token did next); nil when the database has no incident of that id.
    public static func forIncident(_ id: String, db: Database) throws -> Filter? {
        guard let row = try db.rows("SELECT first_seen, last_seen, findings, records FROM incidents WHERE id = ?", [.text(id)]).first,
              let first = row[0].int, let last = row[1].int else { return nil }
        let rows = ((try? JSONParser.parse(row[3].string ?? "[]"))?.array ?? []).compactMap(RecordRef.init(json:))
        let findings = (try? JSONParser.parse(row[2].string ?? "[]"))?.array?.compactMap(\.string) ?? []
        var filter = Filter(since: min(first, rows.first?.time ?? first) - 3_600_000, until: max(last, rows.last?.time ?? last) + 86_400_000)
        filter.scope = Scope(rows: rows, findings: findings)
        return filter
    }

    /// The scope's rows and findings as temp tables the queries probe.
    static func stage(_ scope: Scope, db: Database) throws {
        try db.execute("""
            CREATE TEMP TABLE IF NOT EXISTS timeline_rows(kind INTEGER NOT NULL, time INTEGER NOT NULL, key INTEGER NOT NULL,
                PRIMARY KEY(kind, time, key)) WITHOUT ROWID;
            CREATE TEMP TABLE IF NOT EXISTS timeline_findings(fingerprint TEXT PRIMARY KEY) WITHOUT ROWID;
            DELETE FROM temp.timeline_rows; DELETE FROM temp.timeline_findings;
            """)
        let row = try db.prepare("INSERT OR IGNORE INTO temp.timeline_rows VALUES(?, ?, ?)")
        for r in scope.rows { try row.bind([.integer(r.table.rawValue), .integer(r.time), .integer(r.key)]); try row.run() }
        let finding = try db.prepare("INSERT OR IGNORE INTO temp.timeline_findings VALUES(?)")
        for f in scope.findings { try finding.bind([.text(f)]); try finding.run() }
    }

    static let columns = ["time_utc", "kind", "app", "user", "ip", "host", "outcome", "detail", "evidence"]

    func cells(_ e: Event) -> [String] {
        [UTCTime.iso(e.time), e.kind, e.app ?? "", e.user ?? "", e.ip ?? "", e.host ?? "", e.outcome ?? "", e.detail, e.evidence]
    }

    public var text: String {
        guard !events.isEmpty else { return "No event matches.\n" }
        var out = ""
        for e in events {
            let who = [e.app, e.user, e.ip, e.host].compactMap { $0 }.joined(separator: " · ")
            out += "\(UTCTime.iso(e.time))  \(e.kind.padding(toLength: 7, withPad: " ", startingAt: 0))  \(e.outcome.map { $0 + "  " } ?? "")\(who)\n"
            out += "    \(e.detail)\(e.evidence.isEmpty ? "" : "  ← \(e.evidence)")\n"
        }
        return TerminalSummary.sanitizeLines(out)
    }

    public var csv: String {
        func field(_ s: String) -> String {
            // A leading = + - @ would be a formula in a spreadsheet: log content must stay text.
            let safe = s.first.map { "=+-@\t\r".contains($0) } == true ? "'" + s : s
            return safe.contains(where: { ",\"\n\r".contains($0) }) ? "\"" + safe.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : safe
        }
        return ([Self.columns] + events.map(cells)).map { $0.map(field).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    /// One object per event: the columns, and each fact in a field of its own (numbers as numbers).
    public var ndjson: String {
        events.map { e in
            var object = Dictionary(uniqueKeysWithValues: zip(Self.columns, cells(e)).map { key, value in
                (key, value.isEmpty && key != "detail" ? JSONValue.null : .string(value))
            })
            for (key, value) in e.facts where object[key] == nil { object[key] = value }
            return JSONValue.object(object).serialized
        }.joined(separator: "\n") + (events.isEmpty ? "" : "\n")
    }

    /// The non-empty values of a row as facts: integers stay numbers.
    static func facts(_ values: [String: SQLValue]) -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        for (key, value) in values {
            if case .integer(let n) = value { out[key] = .number(Double(n)) }
            else if let text = value.string, !text.isEmpty { out[key] = .string(text) }
        }
        return out
    }
}
