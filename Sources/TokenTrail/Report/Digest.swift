import Foundation

/// The weekly digest: what is new in a period compared with the period of the same length
/// just before it (apps, JWT subjects, Run As users, networks, flows, client hosts), dormant
/// apps active again, and each rule's finding count then and now.
public struct Digest: Sendable {
    public struct Change: Sendable, Equatable {
        public var kind: String     // "app", "subject", "run-as user", "network", "flow", "host"
        public var item: String
        public var detail: String
    }

    public var since: Int64
    public var until: Int64
    public var previousSince: Int64
    public var added: [Change] = []
    public var gone: [Change] = []
    public var reactivated: [String] = []
    /// False when the database has nothing in the previous period: everything is "new".
    public var previousHasData = true
    /// Set when the period itself holds no record: says where the records are.
    public var emptyPeriod: String?
    /// (rule, findings in the previous period, findings in this one), changed ones only.
    public var ruleCounts: [(rule: String, previous: Int, current: Int)] = []
    /// An incident as the digest lists it.
    /// `state`: the review's decision (`open` when none).
    public struct IncidentLine: Sendable, Equatable { public var id: String, severity: String, title: String, state = TriageState.open.rawValue }
    /// Incidents active in this period and not in the previous one; active in the previous
    /// one and not in this one (nothing of them seen since); active in both.
    public var newIncidents: [IncidentLine] = []
    public var resolvedIncidents: [IncidentLine] = []
    public var ongoing: [IncidentLine] = []
    public var ongoingIncidents: Int { ongoing.count }
    /// Active in the previous period and not in this one, but the sources that showed them do
    /// not cover this one: silence is not resolution (DESIGN.md, History, point 5).
    public var notCovered: [(incident: IncidentLine, missing: [String])] = []

    /// The things seen in one period, as (kind, item, detail) keys.
    private struct Seen {
        var items: [String: (kind: String, item: String, detail: String)] = [:]
        mutating func add(_ kind: String, _ item: String, _ detail: String) {
            let key = kind + "\u{1F}" + item
            if items[key] == nil { items[key] = (kind, item, detail) }
        }
    }

    /// `directory`: usernames for user ids when the caller has read them already.
    public static func compute(db: Database, since: Int64, until: Int64, directory given: [String: String]? = nil) throws -> Digest {
        let length = max(until - since, 1)
        var digest = Digest(since: since, until: until, previousSince: since - length)
        let c = try Facts(db: db, windowStart: since, windowEnd: until)
        let contexts = try c.contexts
        let successfulOAuth = contexts.ids { $0.isOAuth && $0.isSuccess }
        let serverToServer = Set(contexts.ids { $0.isServerToServer })
        // The directory straight from the tables: `c.usernames()` would compute the login and
        // request facts of the window only to name users (1.7 s of a week's report on 1M + 1M).
        let directory = try given ?? Facts.directory(db)
        func seen(_ from: Int64, _ to: Int64) throws -> Seen {
            var s = Seen()
            // Keys already named, on ids: a million rows cost hash lookups, not strings.
            struct Done: Hashable { let kind: UInt8, a: Int64, b: Int64 }
            var done: Set<Done> = []
            try LoginCursor.forEach(db, from: from, to: to, contexts: successfulOAuth) { row in
                guard row.app != 0 else { return true }
                let x = contexts[row.context]
                let app = { try c.names.name(row.app) ?? "?" }
                if done.insert(Done(kind: 0, a: row.app, b: 0)).inserted { s.add("app", try app(), "") }
                if done.insert(Done(kind: 1, a: row.app, b: row.context)).inserted { s.add("flow", "\(try app()): \(x.flow)", "") }
                guard serverToServer.contains(row.context) else { return true }
                let jwt = x.flow == Flow.jwtBearer.rawValue
                if done.insert(Done(kind: jwt ? 2 : 3, a: row.app, b: row.username != 0 ? row.username : row.userId)).inserted {
                    let user = c.displayUser(username: try c.names.name(row.username), userId: try c.names.name(row.userId), directory: directory) ?? "?"
                    if jwt { s.add("subject", "\(try app()): \(user)", "JWT bearer") } else { s.add("run-as user", "\(try app()): \(user)", "client credentials") }
                }
                if row.sourceIp != 0, done.insert(Done(kind: 4, a: row.app, b: row.sourceIp)).inserted, let ip = try c.names.name(row.sourceIp) {
                    s.add("network", "\(try app()): \(CIDR.network(of: ip))", "e.g. \(ip)")
                }
                return true
            }
            // Distinct ids first, then their names: naming every request first took 0.2 s a week.
            for row in try db.rows("""
                SELECT (SELECT value FROM strings WHERE id = h.host) FROM (SELECT DISTINCT host FROM token_requests WHERE time BETWEEN ? AND ? AND host IS NOT NULL) h
                """, [.integer(from), .integer(to)]) {
                if let host = row[0].string { s.add("host", host, "client log") }
            }
            return s
        }
        let now = try seen(since, until), before = try seen(digest.previousSince, since - 1)
        digest.previousHasData = try db.scalar("""
            SELECT EXISTS(SELECT 1 FROM logins WHERE time BETWEEN ?1 AND ?2) OR EXISTS(SELECT 1 FROM token_requests WHERE time BETWEEN ?1 AND ?2)
            """, [.integer(digest.previousSince), .integer(since - 1)]).int == 1
        digest.emptyPeriod = try Period.emptiness(db: db, since: since, until: until)
        let order = ["app", "flow", "subject", "run-as user", "network", "host"]
        func sorted(_ list: [(kind: String, item: String, detail: String)]) -> [Change] {
            list.map { Change(kind: $0.kind, item: $0.item, detail: $0.detail) }
                .sorted { (order.firstIndex(of: $0.kind) ?? 9, $0.item) < (order.firstIndex(of: $1.kind) ?? 9, $1.item) }
        }
        digest.added = sorted(now.items.filter { before.items[$0.key] == nil }.map(\.value))
        digest.gone = sorted(before.items.filter { now.items[$0.key] == nil }.map(\.value))
        digest.reactivated = try db.rows("SELECT DISTINCT coalesce(app, user) FROM findings WHERE rule = 'dormant-app' AND first_seen BETWEEN ? AND ? ORDER BY 1",
                                         [.integer(since), .integer(until)]).compactMap { $0[0].string }
        func counts(_ from: Int64, _ to: Int64) throws -> [String: Int] {
            var out: [String: Int] = [:]
            for row in try db.rows("SELECT rule, count(*) FROM findings WHERE last_seen >= ? AND first_seen <= ? GROUP BY rule", [.integer(from), .integer(to)]) {
                out[row[0].string ?? "?"] = Int(row[1].int ?? 0)
            }
            return out
        }
        let current = try counts(since, until), previous = try counts(digest.previousSince, since - 1)
        digest.ruleCounts = Set(current.keys).union(previous.keys).sorted().compactMap { rule in
            let (p, n) = (previous[rule] ?? 0, current[rule] ?? 0)
            return p == n ? nil : (rule, p, n)
        }
        // Most severe first, then oldest first.
        let stored = try db.rows("""
            SELECT id, severity, title, first_seen, last_seen FROM incidents
            ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END, first_seen, id
            """)
        let decisions = try TriageTable.all(db)
        for row in stored {
            let (first, last) = (row[3].int ?? 0, row[4].int ?? 0)
            let now = last >= since && first <= until, before = last >= digest.previousSince && first <= since - 1
            var line = IncidentLine(id: row[0].string ?? "?", severity: row[1].string ?? "?", title: row[2].string ?? "")
            if let decided = decisions[line.id]?.last { line.state = decided.state.rawValue }
            if now && !before { digest.newIncidents.append(line) }
            else if before && !now && last < since {
                let missing = try uncovered(db: db, incident: line.id, since: since, until: until)
                if missing.isEmpty { digest.resolvedIncidents.append(line) } else { digest.notCovered.append((line, missing)) }
            }
            else if now && before { digest.ongoing.append(line) }
        }
        return digest
    }

    /// The sources that showed an incident (its findings' evidence files, and its client
    /// hosts' token logs) that have no records in [since, until].
    static func uncovered(db: Database, incident: String, since: Int64, until: Int64) throws -> [String] {
        var formats: Set<SourceFormat> = []
        for row in try db.rows("""
            SELECT f.evidence FROM incident_findings m JOIN findings f ON f.fingerprint = m.fingerprint WHERE m.incident_id = ?
            """, [.text(incident)]) {
            let lines = (try? JSONParser.parse(row[0].string ?? "[]"))?.array?.compactMap(\.string) ?? []
            for path in Set(lines.compactMap { EvidenceRef.parse($0)?.path }) {
                for format in try db.rows("SELECT DISTINCT format FROM sources WHERE path = ?", [.text(path)]) {
                    if let f = format[0].string.flatMap(SourceFormat.init(rawValue:)), f.kind != .clientLog { formats.insert(f) }
                }
            }
        }
        // And the files of the rows its timeline lists (its blast radius: the API activity its sessions had).
        let stored = try IncidentsTable.load(db, id: incident)
        for record in stored?.records ?? [] {
            let table = ["logins", "token_requests", "api_activity", "idp_events"][Int(record.table.rawValue)]
            if let format = try db.scalar("SELECT s.format FROM \(table) t JOIN sources s ON s.id = t.source_id WHERE t.time = ? AND t.key = ?",
                                          [.integer(record.time), .integer(record.key)]).string.flatMap(SourceFormat.init(rawValue:)),
               format.kind != .clientLog {
                formats.insert(format)
            }
        }
        // A source is its kind (Login History of any download or API shape is Login History),
        // not the exact export format that showed the incident.
        var kinds: [String: [SourceFormat]] = [:]
        for format in formats {
            let kind = CoverageSilence.kinds.first { $0.formats.contains(format) }
            kinds[kind?.label ?? format.rawValue] = kind?.formats ?? [format]
        }
        var missing: [String] = []
        for (label, group) in kinds.sorted(by: { $0.key < $1.key }) {
            let covered = try db.scalar("""
                SELECT EXISTS(SELECT 1 FROM sources WHERE \(SourceFormat.sql(group)) AND first_time <= ? AND last_time >= ?)
                """, [.integer(until), .integer(since)]).int ?? 0
            if covered == 0 { missing.append(label) }
        }
        for host in stored?.hosts ?? [] {
            let covered = try db.scalar("""
                SELECT EXISTS(SELECT 1 FROM token_requests WHERE time BETWEEN ? AND ? AND host = (SELECT id FROM strings WHERE value = ?))
                """, [.integer(since), .integer(until), .text(host)]).int ?? 0
            if covered == 0 { missing.append("token log of \(host)") }
        }
        return missing
    }

    public var text: String {
        var out = "What changed: \(UTCTime.iso(since)) … \(UTCTime.iso(until)) against \(UTCTime.iso(previousSince)) … \(UTCTime.iso(since - 1))\n"
        if let emptyPeriod { out += "(\(emptyPeriod))\n" }
        else if !previousHasData { out += "(the database has no records in the previous period: everything below is new by default)\n" }
        func list(_ title: String, _ changes: [Change]) {
            out += "\n\(title) (\(changes.count))\n"
            if changes.isEmpty { out += "  nothing\n" }
            // Each value on its own line: its line breaks shown as `·`, so a log value cannot forge a line.
            let v = TerminalSummary.sanitize
            for change in changes { out += "  \(change.kind.padding(toLength: 12, withPad: " ", startingAt: 0)) \(v(change.item))\(change.detail.isEmpty ? "" : "  (\(v(change.detail)))")\n" }
        }
        list("New", added)
        list("Not seen any more", gone)
        out += "\nDormant apps active again (\(reactivated.count))\n" + (reactivated.isEmpty ? "  nothing\n" : reactivated.map { "  \(TerminalSummary.sanitize($0))\n" }.joined())
        out += "\nIncidents: \(newIncidents.count) new, \(ongoing.count) ongoing, \(resolvedIncidents.count) resolved (nothing seen since, and their sources cover this period), \(notCovered.count) not covered (their sources are missing here)\n"
        func line(_ state: String, _ i: IncidentLine) -> String {
            "  \(state.padding(toLength: 12, withPad: " ", startingAt: 0)) \(i.severity.padding(toLength: 8, withPad: " ", startingAt: 0)) \(i.id)"
                + "\(i.state == TriageState.open.rawValue ? "" : " [\(i.state)]")  \(TerminalSummary.sanitize(i.title))\n"
        }
        for i in newIncidents { out += line("new", i) }
        for i in ongoing { out += line("ongoing", i) }
        for i in resolvedIncidents { out += line("resolved", i) }
        for (i, missing) in notCovered { out += line("not covered", i) + "               no records of \(TerminalSummary.sanitize(missing.joined(separator: ", "))) in this period\n" }
        out += "\nFindings by rule, previous → this period\n"
        if ruleCounts.isEmpty { out += "  unchanged\n" }
        for (rule, p, n) in ruleCounts { out += "  \(rule.padding(toLength: 30, withPad: " ", startingAt: 0)) \(p) → \(n) \(n > p ? "▲" : "▼")\n" }
        return TerminalSummary.sanitizeLines(out)
    }

    public var json: JSONValue {
        func incident(_ i: IncidentLine) -> JSONValue { .object(["id": .string(i.id), "severity": .string(i.severity), "title": .string(i.title), "state": .string(i.state)]) }
        func changes(_ list: [Change]) -> JSONValue {
            .array(list.map { .object(["kind": .string($0.kind), "item": .string($0.item), "detail": .string($0.detail)]) })
        }
        return .object([
            "since": .string(UTCTime.iso(since)), "until": .string(UTCTime.iso(until)),
            "previous_since": .string(UTCTime.iso(previousSince)), "previous_has_data": .bool(previousHasData),
            "empty_period": emptyPeriod.map { .string($0) } ?? .null,
            "new": changes(added), "gone": changes(gone), "dormant_active_again": .array(reactivated.map { .string($0) }),
            "incidents": .object([
                "new": .array(newIncidents.map(incident)), "resolved": .array(resolvedIncidents.map(incident)),
                "ongoing": .array(ongoing.map(incident)),
                "not_covered": .array(notCovered.map { entry in
                    var object = incident(entry.incident)
                    if case .object(var o) = object { o["missing_sources"] = .array(entry.missing.map { .string($0) }); object = .object(o) }
                    return object
                }),
                "new_count": .number(Double(newIncidents.count)), "resolved_count": .number(Double(resolvedIncidents.count)),
                "ongoing_count": .number(Double(ongoingIncidents)),
            ]),
            "rule_counts": .array(ruleCounts.map { .object(["rule": .string($0.rule), "previous": .number(Double($0.previous)), "current": .number(Double($0.current))]) }),
        ])
    }
}
