/// `tokentrail export --format ocsf`: the database as OCSF 1.8.0 events (docs/ocsf.md has
/// the mapping, field by field): every stored login and Okta sign-in as Authentication (3002),
/// every API-activity row as API Activity (6003), every finding as Detection Finding (2004),
/// every incident as Incident Finding (2005). Each event keeps its record's `file:line`
/// (`metadata.log_name`, `unmapped.evidence`); TokenTrail's own facts (flow and its basis,
/// pairing, records read) go in `unmapped`. Rows are read in time order and written as they
/// come: memory stays flat whatever the database.
public enum OCSFExport {
    public static let version = "1.8.0"
    public static let classes = ["authentication", "api_activity", "detection_finding", "incident_finding"]

    public struct Summary: Sendable {
        public var counts: [String: Int] = [:]
        public var directory = ""
    }

    public static func write(db: Database, to directory: String, since: Int64, until: Int64) throws -> Summary {
        let out = try OCSFPartitions(root: directory, classes: classes)
        try logins(db, since, until) { time, key, row in
            try out.write("authentication", time: time) { authentication(row, time: time, uid: ("login", key), into: &$0) }
        }
        try oktaSignIns(db, since, until) { time, key, row in
            try out.write("authentication", time: time) { authentication(row, time: time, uid: ("okta", key), into: &$0) }
        }
        try apiActivity(db, since, until) { time, write in
            try out.write("api_activity", time: time, write)
        }
        for finding in try FindingsTable.load(db, since: since, until: until).sorted(by: { ($0.lastSeen, $0.fingerprint) < ($1.lastSeen, $1.fingerprint) }) {
            try out.write("detection_finding", time: finding.lastSeen) { detection(finding, into: &$0) }
        }
        for incident in try IncidentsTable.load(db, since: since, until: until).sorted(by: { ($0.lastSeen, $0.id) < ($1.lastSeen, $1.id) }) {
            try out.write("incident_finding", time: incident.lastSeen) { incidentFinding(incident, into: &$0) }
        }
        try out.close()
        return Summary(counts: out.counts, directory: directory)
    }

    /// `metadata`: the OCSF version, the product, the record's `file:line` and the event's uid.
    static func metadata(_ w: inout JSONEventWriter, evidence: String, uid: (inout JSONEventWriter) -> Void) {
        w.object("metadata") { m in
            m.field("version", version)
            m.object("product") { p in
                p.field("name", "TokenTrail" as StaticString); p.field("vendor_name", "TokenTrail" as StaticString); p.field("version", Scanner.version)
            }
            m.field("log_name", evidence)
            uid(&m)
        }
    }

    /// Symbol columns are read as ids and named through a bounded cache: most of them (flows,
    /// outcomes, apps, event types) repeat on every row, and a correlated lookup per column per
    /// row cost more than writing the event.
    static let namesHeld = 65_536

    /// What every event starts with: its class, category, activity, type, severity and time
    /// (`type_uid` is the class's uid × 100 + the activity's).
    static func header(_ e: inout JSONEventWriter, class uid: Int, _ name: StaticString, category: Int, _ categoryName: StaticString,
                       activity: Int, _ activityName: StaticString, severity: (Int, String), time: Int64) {
        e.field("class_uid", uid); e.field("class_name", name)
        e.field("category_uid", category); e.field("category_name", categoryName)
        e.field("activity_id", activity); e.field("activity_name", activityName)
        e.field("type_uid", uid * 100 + activity); e.field("type_name", "\(name): \(activityName)")
        e.field("severity_id", severity.0); e.field("severity", severity.1)
        e.field("time", time)
    }

    // MARK: Authentication (3002)

    struct LoginRow {
        let user: String?, userId: String?, app: String?, ip: String?, outcome: String?, failure: String?, status: String?
        let flow: String?, basis: String?, loginType: String?, subtype: String?, origin: String?, country: String?
        let loginURL: String?, evidence: String, service: String
    }

    static func logins(_ db: Database, _ since: Int64, _ until: Int64, _ each: (Int64, Int64, LoginRow) throws -> Void) throws {
        let names = try SymbolNames(db: db, capacity: namesHeld)
        let rows = try db.prepare("""
            SELECT l.time, l.key, l.username, l.user_id, l.app, l.source_ip, c.outcome,
                   c.failure_class, c.status, c.flow, c.flow_basis, c.login_type, c.subtype,
                   c.origin, c.country, c.login_url, \(Schema.evidence("src", "l.line"))
            FROM logins l JOIN login_contexts c ON c.id = l.context JOIN sources src ON src.id = l.source_id
            WHERE l.time BETWEEN ? AND ? ORDER BY l.time, l.key
            """)
        try rows.bind([.integer(since), .integer(until)])
        while try rows.step() {
            let n = { (i: Int32) in try names.name(rows.int(at: i)) }
            try each(rows.int(at: 0), rows.int(at: 1), LoginRow(user: n(2), userId: n(3), app: n(4), ip: n(5), outcome: n(6), failure: n(7), status: n(8),
                                                                 flow: n(9), basis: n(10), loginType: n(11), subtype: n(12), origin: n(13), country: n(14),
                                                                 loginURL: n(15), evidence: rows.text(at: 16) ?? "?", service: "Salesforce"))
        }
    }

    /// Okta's sign-ins and SSO events: Authentication too, their service Okta.
    static func oktaSignIns(_ db: Database, _ since: Int64, _ until: Int64, _ each: (Int64, Int64, LoginRow) throws -> Void) throws {
        let names = try SymbolNames(db: db, capacity: namesHeld)
        let rows = try db.prepare("""
            SELECT e.time, e.key, e.actor_name, e.actor_id, e.client_id, e.client_ip, e.outcome,
                   e.failure_class, e.outcome_reason, e.flow, e.event_type, \(Schema.evidence("src", "e.line"))
            FROM idp_events e JOIN sources src ON src.id = e.source_id
            WHERE e.time BETWEEN ? AND ? AND e.event_type IN (SELECT id FROM strings WHERE value LIKE 'user.session.start' OR value LIKE 'user.authentication.%'
                                                               OR value LIKE 'app.oauth2.%token.grant%')
            ORDER BY e.time, e.key
            """)
        try rows.bind([.integer(since), .integer(until)])
        while try rows.step() {
            let n = { (i: Int32) in try names.name(rows.int(at: i)) }
            try each(rows.int(at: 0), rows.int(at: 1), LoginRow(user: n(2), userId: n(3), app: n(4), ip: n(5), outcome: n(6), failure: n(7), status: n(8),
                                                                 flow: n(9), basis: nil, loginType: n(10), subtype: nil, origin: "okta", country: nil,
                                                                 loginURL: nil, evidence: rows.text(at: 11) ?? "?", service: "Okta"))
        }
    }

    static func status(_ outcome: String?) -> (Int, String) {
        switch outcome {
        case "success": (1, "Success")
        case "failure": (2, "Failure")
        default: (0, "Unknown")
        }
    }

    static func authentication(_ r: LoginRow, time: Int64, uid: (prefix: StaticString, key: Int64), into e: inout JSONEventWriter) {
        header(&e, class: 3002, "Authentication", category: 3, "Identity & Access Management", activity: 1, "Logon", severity: (1, "Informational"), time: time)
        let (statusId, statusName) = status(r.outcome)
        e.field("status_id", statusId); e.field("status", statusName)
        if statusId == 2 { e.field("status_detail", r.failure ?? r.status ?? "other") }
        if let flow = r.flow.flatMap(Flow.init(rawValue:)) {
            if flow.isOAuth { e.field("auth_protocol_id", 6); e.field("auth_protocol", "OAUTH 2.0" as StaticString) }
            else if flow == .saml { e.field("auth_protocol_id", 5); e.field("auth_protocol", "SAML" as StaticString) }
        }
        e.object("user") { u in
            u.field("name", r.user ?? (r.userId == nil ? "(not in the export)" : nil))
            u.field("uid", r.userId)
        }
        endpoint(r.ip, country: r.country.flatMap { $0.utf8.count == 2 && $0.utf8.allSatisfy { ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A } ? $0 : nil }, into: &e)
        e.object("service") { $0.field("name", r.app ?? r.service) }
        metadata(&e, evidence: r.evidence) { $0.field("uid", prefix: uid.prefix, time, uid.key) }
        e.object("unmapped") { u in
            u.field("evidence", r.evidence); u.field("origin", r.origin ?? "?")
            u.field("flow", r.flow); u.field("flow_basis", r.basis); u.field("login_type", r.loginType); u.field("login_subtype", r.subtype)
            u.field("login_url", r.loginURL); u.field("app", r.app); u.field("platform", r.service == "Okta" ? "Okta" : "Salesforce")
        }
    }

    /// `src_endpoint`: an address as `ip` (an `ip_t` must be one); anything else an export wrote
    /// there (ELF's `Salesforce.com IP`) as the endpoint's name.
    static func endpoint(_ value: String?, country: String? = nil, into e: inout JSONEventWriter) {
        e.object("src_endpoint") { s in
            if let value, IPText.isAddress(value) { s.field("ip", value) } else { s.field("name", value ?? "unknown") }
            if let country { s.object("location") { $0.field("country", country) } }
        }
    }

    // MARK: API Activity (6003)

    static func apiActivity(_ db: Database, _ since: Int64, _ until: Int64,
                            _ each: (Int64, (inout JSONEventWriter) -> Void) throws -> Void) throws {
        let names = try SymbolNames(db: db, capacity: namesHeld)
        let rows = try db.prepare("""
            SELECT a.time, a.key, a.event_type, a.username, a.user_id, a.app, a.client_ip,
                   a.method, a.resource, a.entity, a.status, a.rows, a.request_id, a.login_key, a.session_key,
                   a.user_agent, a.client_name, a.app_id, a.job_id, \(Schema.evidence("src", "a.line"))
            FROM api_activity a JOIN sources src ON src.id = a.source_id
            WHERE a.time BETWEEN ? AND ? ORDER BY a.time, a.key
            """)
        try rows.bind([.integer(since), .integer(until)])
        while try rows.step() {
            let n = { (i: Int32) in try names.name(rows.int(at: i)) }, t = { (i: Int32) in rows.text(at: i) }
            let time = rows.int(at: 0), key = rows.int(at: 1), evidence = t(19) ?? "?"
            let type = try n(2) ?? "?", method = try n(7), entity = try n(9)
            let records: Int64? = rows.isNull(at: 11) ? nil : rows.int(at: 11)
            let user = try n(3), userId = try n(4), app = try n(5), appId = try n(17), ip = try n(6), resource = try n(8)
            let status = try n(10), userAgent = try n(15), clientName = try n(16)
            let activity: (Int, StaticString) = switch method?.uppercased() {
            case "GET", "QUERY", "QUERYMORE", "QUERYALL", "RETRIEVE", "DESCRIBESOBJECT", "SEARCH": (2, "Read")
            case "POST", "CREATE", "INSERT": (1, "Create")
            case "PATCH", "PUT", "UPDATE", "UPSERT": (3, "Update")
            case "DELETE", "HARDDELETE": (4, "Delete")
            default: (99, "Other")
            }
            try each(time) { e in
                header(&e, class: 6003, "API Activity", category: 6, "Application Activity", activity: activity.0, activity.1, severity: (1, "Informational"), time: time)
                if let code = status.flatMap(Int.init) {
                    let ok = (200..<400).contains(code)
                    e.field("status_id", ok ? 1 : 2); e.field("status", ok ? "Success" : "Failure")
                    e.field("status_code", String(code))
                }
                e.object("actor") { a in
                    if user != nil || userId != nil { a.object("user") { $0.field("name", user); $0.field("uid", userId) } }
                    a.field("app_name", app ?? (appId == nil && user == nil && userId == nil ? type : nil))
                    a.field("app_uid", appId)
                }
                e.object("api") { a in
                    a.field("operation", [method, resource].compactMap { $0 }.joined(separator: " ").nilIfEmpty ?? type)
                    a.object("service") { $0.field("name", type) }
                    if let request = t(12) { a.object("request") { $0.field("uid", request) } }
                }
                endpoint(ip, into: &e)
                if let entity {
                    e.array("resources") { list in
                        list.element { r in
                            r.field("type", entity); r.field("name", entity)
                            if let records { r.object("data") { $0.field("records_read", records) } }
                        }
                    }
                }
                metadata(&e, evidence: evidence) { $0.field("uid", prefix: "api", time, key) }
                e.object("unmapped") { u in
                    u.field("evidence", evidence); u.field("event_type", type)
                    if let records { u.field("rows", records) }
                    u.field("login_key", t(13)); u.field("session_key", t(14)); u.field("user_agent", userAgent)
                    u.field("client_name", clientName); u.field("job_id", t(18))
                }
            }
        }
    }

    // MARK: Findings (2004) and incidents (2005)

    static func severityId(_ s: Severity) -> (Int, String) {
        switch s {
        case .info: (1, "Informational")
        case .low: (2, "Low")
        case .medium: (3, "Medium")
        case .high: (4, "High")
        case .critical: (5, "Critical")
        }
    }

    static func detection(_ f: Finding, into e: inout JSONEventWriter) {
        header(&e, class: 2004, "Detection Finding", category: 2, "Findings", activity: 1, "Create", severity: severityId(f.severity), time: f.lastSeen)
        e.field("start_time", f.firstSeen); e.field("end_time", f.lastSeen)
        e.field("status_id", 1); e.field("status", "New" as StaticString)
        e.field("count", f.count); e.field("message", f.message)
        e.object("finding_info") { info in
            info.field("uid", f.fingerprint); info.field("title", RuleCatalog.rule(id: f.rule)?.title ?? f.rule)
            info.field("desc", f.message)
            info.array("types") { $0.element(f.rule) }
            info.field("first_seen_time", f.firstSeen); info.field("last_seen_time", f.lastSeen)
            info.object("analytic") { a in
                a.field("uid", f.rule); a.field("name", f.rule); a.field("type_id", 1); a.field("type", "Rule" as StaticString)
            }
        }
        let ip = f.sourceIp.flatMap { IPText.isAddress($0) ? $0 : nil }
        if ip != nil || f.user != nil {
            e.array("evidences") { list in
                list.element { ev in
                    if let ip { ev.object("src_endpoint") { $0.field("ip", ip) } }
                    if let user = f.user { ev.object("user") { $0.field("name", user) } }
                }
            }
            e.array("observables") { list in
                if let ip {
                    list.element { o in
                        o.field("name", "evidences[0].src_endpoint.ip" as StaticString); o.field("type_id", 2)
                        o.field("type", "IP Address" as StaticString); o.field("value", ip)
                    }
                }
                if let user = f.user {
                    list.element { o in
                        o.field("name", "evidences[0].user.name" as StaticString); o.field("type_id", 4)
                        o.field("type", "User Name" as StaticString); o.field("value", user)
                    }
                }
            }
        }
        metadata(&e, evidence: f.evidence.first ?? "tokentrail:finding/\(f.fingerprint)") { $0.field("uid", f.fingerprint) }
        e.object("unmapped") { u in
            u.array("evidence") { list in for item in f.evidence { list.element(item) } }
            u.field("rule", f.rule); u.field("app", f.app); u.field("host", f.host)
        }
    }

    static func incidentFinding(_ i: Incident, into e: inout JSONEventWriter) {
        let (status, statusName): (Int, StaticString) = switch i.state {
        case .open: (1, "New")
        case .acknowledged: (2, "In Progress")
        case .resolved: (4, "Resolved")
        case .falsePositive: (5, "Closed")
        }
        header(&e, class: 2005, "Incident Finding", category: 2, "Findings", activity: 1, "Create", severity: severityId(i.severity), time: i.lastSeen)
        e.field("start_time", i.firstSeen); e.field("end_time", i.lastSeen)
        e.field("status_id", status); e.field("status", statusName)
        if i.state == .falsePositive { e.field("verdict_id", 1); e.field("verdict", "False Positive" as StaticString) }
        e.field("desc", i.title)
        e.array("finding_info_list") { list in
            for (uid, rule) in zip(i.findings, i.rules) { list.element { $0.field("uid", uid); $0.array("types") { $0.element(rule) } } }
        }
        // The schema wants an assignee: who triaged it, else the review as a group.
        if let by = i.triage.last?.by, !by.isEmpty { e.object("assignee") { $0.field("name", by) } }
        else { e.object("assignee_group") { $0.field("name", "security-review" as StaticString) } }
        metadata(&e, evidence: "tokentrail:incident/\(i.id)") { $0.field("uid", i.id) }
        e.object("unmapped") { u in
            u.field("incident_id", i.id); u.field("records_read", i.blast.recordsRead); u.field("api_calls", i.blast.apiCalls)
            u.field("to_do", i.toDo); u.field("state", i.state.rawValue)
            u.array("apps") { list in for app in i.apps { list.element(app) } }
            u.array("users") { list in for user in i.users { list.element(user) } }
            u.array("ips") { list in for ip in i.ips { list.element(ip) } }
        }
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
