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
        let metadataProduct: JSONValue = .object(["name": .string("TokenTrail"), "vendor_name": .string("TokenTrail"), "version": .string(Scanner.version)])
        func metadata(_ evidence: String, uid: String) -> JSONValue {
            .object(["version": .string(version), "product": metadataProduct, "log_name": .string(evidence), "uid": .string(uid)])
        }
        try logins(db, since, until) { time, key, row in
            try out.write("authentication", time: time, authentication(row, time: time, metadata: metadata(row.evidence, uid: "login-\(time)-\(key)")))
        }
        try oktaSignIns(db, since, until) { time, key, row in
            try out.write("authentication", time: time, authentication(row, time: time, metadata: metadata(row.evidence, uid: "okta-\(time)-\(key)")))
        }
        try apiActivity(db, since, until) { time, key, event in
            try out.write("api_activity", time: time, event(metadata))
        }
        for finding in try FindingsTable.load(db, since: since, until: until).sorted(by: { ($0.lastSeen, $0.fingerprint) < ($1.lastSeen, $1.fingerprint) }) {
            try out.write("detection_finding", time: finding.lastSeen, detection(finding, metadata: metadata(finding.evidence.first ?? "tokentrail:finding/\(finding.fingerprint)", uid: finding.fingerprint)))
        }
        for incident in try IncidentsTable.load(db, since: since, until: until).sorted(by: { ($0.lastSeen, $0.id) < ($1.lastSeen, $1.id) }) {
            try out.write("incident_finding", time: incident.lastSeen, incidentFinding(incident, metadata: metadata("tokentrail:incident/\(incident.id)", uid: incident.id)))
        }
        try out.close()
        return Summary(counts: out.counts, directory: directory)
    }

    /// A symbol column's text, looked up in the query (one B-tree probe a row, no name cache to hold).
    static func s(_ column: String) -> String { "(SELECT value FROM strings WHERE id = \(column))" }

    // MARK: Authentication (3002)

    struct LoginRow {
        let user: String?, userId: String?, app: String?, ip: String?, outcome: String?, failure: String?, status: String?
        let flow: String?, basis: String?, loginType: String?, subtype: String?, origin: String?, country: String?
        let loginURL: String?, evidence: String, service: String
    }

    static func logins(_ db: Database, _ since: Int64, _ until: Int64, _ each: (Int64, Int64, LoginRow) throws -> Void) throws {
        let rows = try db.prepare("""
            SELECT l.time, l.key, \(s("l.username")), \(s("l.user_id")), \(s("l.app")), \(s("l.source_ip")), \(s("c.outcome")),
                   \(s("c.failure_class")), \(s("c.status")), \(s("c.flow")), \(s("c.flow_basis")), \(s("c.login_type")), \(s("c.subtype")),
                   \(s("c.origin")), \(s("c.country")), \(s("c.login_url")), \(Schema.evidence("src", "l.line"))
            FROM logins l JOIN login_contexts c ON c.id = l.context JOIN sources src ON src.id = l.source_id
            WHERE l.time BETWEEN ? AND ? ORDER BY l.time, l.key
            """)
        try rows.bind([.integer(since), .integer(until)])
        while try rows.step() {
            let t = { (i: Int32) in rows.text(at: i) }
            try each(rows.int(at: 0), rows.int(at: 1), LoginRow(user: t(2), userId: t(3), app: t(4), ip: t(5), outcome: t(6), failure: t(7), status: t(8),
                                                                 flow: t(9), basis: t(10), loginType: t(11), subtype: t(12), origin: t(13), country: t(14),
                                                                 loginURL: t(15), evidence: t(16) ?? "?", service: "Salesforce"))
        }
    }

    /// Okta's sign-ins and SSO events: Authentication too, their service Okta.
    static func oktaSignIns(_ db: Database, _ since: Int64, _ until: Int64, _ each: (Int64, Int64, LoginRow) throws -> Void) throws {
        let rows = try db.prepare("""
            SELECT e.time, e.key, \(s("e.actor_name")), \(s("e.actor_id")), \(s("e.client_id")), \(s("e.client_ip")), \(s("e.outcome")),
                   \(s("e.failure_class")), \(s("e.outcome_reason")), \(s("e.flow")), \(s("e.event_type")), \(Schema.evidence("src", "e.line"))
            FROM idp_events e JOIN sources src ON src.id = e.source_id
            WHERE e.time BETWEEN ? AND ? AND e.event_type IN (SELECT id FROM strings WHERE value LIKE 'user.session.start' OR value LIKE 'user.authentication.%'
                                                               OR value LIKE 'app.oauth2.%token.grant%')
            ORDER BY e.time, e.key
            """)
        try rows.bind([.integer(since), .integer(until)])
        while try rows.step() {
            let t = { (i: Int32) in rows.text(at: i) }
            try each(rows.int(at: 0), rows.int(at: 1), LoginRow(user: t(2), userId: t(3), app: t(4), ip: t(5), outcome: t(6), failure: t(7), status: t(8),
                                                                 flow: t(9), basis: nil, loginType: t(10), subtype: nil, origin: "okta", country: nil,
                                                                 loginURL: nil, evidence: t(11) ?? "?", service: "Okta"))
        }
    }

    static func status(_ outcome: String?) -> (Int, String) {
        switch outcome {
        case "success": (1, "Success")
        case "failure": (2, "Failure")
        default: (0, "Unknown")
        }
    }

    static func authentication(_ r: LoginRow, time: Int64, metadata: JSONValue) -> JSONValue {
        var e: [String: JSONValue] = [
            "activity_id": 1, "activity_name": "Logon", "category_uid": 3, "category_name": "Identity & Access Management",
            "class_uid": 3002, "class_name": "Authentication", "type_uid": 300201, "type_name": "Authentication: Logon",
            "severity_id": 1, "severity": "Informational", "time": .number(Double(time)), "metadata": metadata,
        ]
        let (statusId, statusName) = status(r.outcome)
        e["status_id"] = .number(Double(statusId)); e["status"] = .string(statusName)
        if statusId == 2 { e["status_detail"] = .string(r.failure ?? r.status ?? "other") }
        if let flow = r.flow.flatMap(Flow.init(rawValue:)) {
            if flow.isOAuth { e["auth_protocol_id"] = 6; e["auth_protocol"] = "OAUTH 2.0" }
            else if flow == .saml { e["auth_protocol_id"] = 5; e["auth_protocol"] = "SAML" }
        }
        var user: [String: JSONValue] = [:]
        if let name = r.user { user["name"] = .string(name) }
        if let uid = r.userId { user["uid"] = .string(uid) }
        if user.isEmpty { user["name"] = "(not in the export)" }
        e["user"] = .object(user)
        e["src_endpoint"] = endpoint(r.ip)
        e["service"] = .object(["name": .string(r.app ?? r.service)])
        if let country = r.country, country.count == 2 { e["src_endpoint"] = merged(e["src_endpoint"], ["location": .object(["country": .string(country)])]) }
        var unmapped: [String: JSONValue] = ["evidence": .string(r.evidence), "origin": .string(r.origin ?? "?")]
        for (key, value) in [("flow", r.flow), ("flow_basis", r.basis), ("login_type", r.loginType), ("login_subtype", r.subtype),
                             ("login_url", r.loginURL), ("app", r.app), ("platform", r.service == "Okta" ? "Okta" : "Salesforce")] {
            if let value { unmapped[key] = .string(value) }
        }
        e["unmapped"] = .object(unmapped)
        return .object(e)
    }

    /// An address as `ip` (an `ip_t` must be one); anything else an export wrote there (ELF's
    /// `Salesforce.com IP`) as the endpoint's name.
    static func endpoint(_ value: String?) -> JSONValue {
        guard let value else { return .object(["name": "unknown"]) }
        return IPText.isAddress(value) ? .object(["ip": .string(value)]) : .object(["name": .string(value)])
    }

    static func merged(_ value: JSONValue?, _ extra: [String: JSONValue]) -> JSONValue {
        guard case .object(var o)? = value else { return .object(extra) }
        for (k, v) in extra { o[k] = v }
        return .object(o)
    }

    // MARK: API Activity (6003)

    static func apiActivity(_ db: Database, _ since: Int64, _ until: Int64,
                            _ each: (Int64, Int64, (_ metadata: (String, String) -> JSONValue) -> JSONValue) throws -> Void) throws {
        let rows = try db.prepare("""
            SELECT a.time, a.key, \(s("a.event_type")), \(s("a.username")), \(s("a.user_id")), \(s("a.app")), \(s("a.client_ip")),
                   \(s("a.method")), \(s("a.resource")), \(s("a.entity")), \(s("a.status")), a.rows, a.request_id, a.login_key, a.session_key,
                   \(s("a.user_agent")), \(s("a.client_name")), \(s("a.app_id")), a.job_id, \(Schema.evidence("src", "a.line"))
            FROM api_activity a JOIN sources src ON src.id = a.source_id
            WHERE a.time BETWEEN ? AND ? ORDER BY a.time, a.key
            """)
        try rows.bind([.integer(since), .integer(until)])
        while try rows.step() {
            let t = { (i: Int32) in rows.text(at: i) }
            let time = rows.int(at: 0), key = rows.int(at: 1), evidence = t(19) ?? "?"
            let type = t(2) ?? "?", method = t(7), entity = t(9)
            let activity: (Int, String) = switch method?.uppercased() {
            case "GET", "QUERY", "QUERYMORE", "QUERYALL", "RETRIEVE", "DESCRIBESOBJECT", "SEARCH": (2, "Read")
            case "POST", "CREATE", "INSERT": (1, "Create")
            case "PATCH", "PUT", "UPDATE", "UPSERT": (3, "Update")
            case "DELETE", "HARDDELETE": (4, "Delete")
            default: (99, "Other")
            }
            var e: [String: JSONValue] = [
                "activity_id": .number(Double(activity.0)), "activity_name": .string(activity.1), "category_uid": 6, "category_name": "Application Activity",
                "class_uid": 6003, "class_name": "API Activity", "type_uid": .number(Double(600300 + activity.0)), "type_name": .string("API Activity: \(activity.1)"),
                "severity_id": 1, "severity": "Informational", "time": .number(Double(time)),
            ]
            var actor: [String: JSONValue] = [:]
            var user: [String: JSONValue] = [:]
            if let name = t(3) { user["name"] = .string(name) }
            if let uid = t(4) { user["uid"] = .string(uid) }
            if !user.isEmpty { actor["user"] = .object(user) }
            if let app = t(5) { actor["app_name"] = .string(app) }
            if let appId = t(17) { actor["app_uid"] = .string(appId) }
            if actor.isEmpty { actor["app_name"] = .string(type) }
            e["actor"] = .object(actor)
            var api: [String: JSONValue] = ["operation": .string([method, t(8)].compactMap { $0 }.joined(separator: " ").nilIfEmpty ?? type),
                                            "service": .object(["name": .string(type)])]
            if let request = t(12) { api["request"] = .object(["uid": .string(request)]) }
            e["api"] = .object(api)
            e["src_endpoint"] = endpoint(t(6))
            if let code = t(10).flatMap(Int.init) {
                let ok = (200..<400).contains(code)
                e["status_id"] = .number(ok ? 1 : 2); e["status"] = .string(ok ? "Success" : "Failure")
                e["status_code"] = .string(String(code))
            }
            if let entity {
                var resource: [String: JSONValue] = ["type": .string(entity), "name": .string(entity)]
                if !rows.isNull(at: 11) { resource["data"] = .object(["records_read": .number(Double(rows.int(at: 11)))]) }
                e["resources"] = .array([.object(resource)])
            }
            var unmapped: [String: JSONValue] = ["evidence": .string(evidence), "event_type": .string(type)]
            if !rows.isNull(at: 11) { unmapped["rows"] = .number(Double(rows.int(at: 11))) }
            for (k, i) in [("login_key", Int32(13)), ("session_key", 14), ("user_agent", 15), ("client_name", 16), ("job_id", 18)] {
                if let v = t(i) { unmapped[k] = .string(v) }
            }
            e["unmapped"] = .object(unmapped)
            try each(time, key) { metadata in
                e["metadata"] = metadata(evidence, "api-\(time)-\(key)")
                return .object(e)
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

    static func detection(_ f: Finding, metadata: JSONValue) -> JSONValue {
        let (sid, sname) = severityId(f.severity)
        var info: [String: JSONValue] = ["uid": .string(f.fingerprint), "title": .string(RuleCatalog.rule(id: f.rule)?.title ?? f.rule),
                                         "types": .array([.string(f.rule)]), "first_seen_time": .number(Double(f.firstSeen)),
                                         "last_seen_time": .number(Double(f.lastSeen)),
                                         "analytic": .object(["uid": .string(f.rule), "name": .string(f.rule), "type_id": 1, "type": "Rule"])]
        info["desc"] = .string(f.message)
        var e: [String: JSONValue] = [
            "activity_id": 1, "activity_name": "Create", "category_uid": 2, "category_name": "Findings",
            "class_uid": 2004, "class_name": "Detection Finding", "type_uid": 200401, "type_name": "Detection Finding: Create",
            "severity_id": .number(Double(sid)), "severity": .string(sname), "time": .number(Double(f.lastSeen)),
            "start_time": .number(Double(f.firstSeen)), "end_time": .number(Double(f.lastSeen)),
            "status_id": 1, "status": "New", "count": .number(Double(f.count)), "message": .string(f.message),
            "finding_info": .object(info), "metadata": metadata,
        ]
        var evidence: [String: JSONValue] = [:], observables: [JSONValue] = []
        if let ip = f.sourceIp, IPText.isAddress(ip) {
            evidence["src_endpoint"] = .object(["ip": .string(ip)])
            observables.append(.object(["name": "evidences[0].src_endpoint.ip", "type_id": 2, "type": "IP Address", "value": .string(ip)]))
        }
        if let user = f.user {
            evidence["user"] = .object(["name": .string(user)])
            observables.append(.object(["name": "evidences[0].user.name", "type_id": 4, "type": "User Name", "value": .string(user)]))
        }
        if !evidence.isEmpty { e["evidences"] = .array([.object(evidence)]) }
        if !observables.isEmpty { e["observables"] = .array(observables) }
        var unmapped: [String: JSONValue] = ["evidence": .array(f.evidence.map { .string($0) }), "rule": .string(f.rule)]
        if let app = f.app { unmapped["app"] = .string(app) }
        if let host = f.host { unmapped["host"] = .string(host) }
        e["unmapped"] = .object(unmapped)
        return .object(e)
    }

    static func incidentFinding(_ i: Incident, metadata: JSONValue) -> JSONValue {
        let (sid, sname) = severityId(i.severity)
        let (status, statusName): (Int, String) = switch i.state {
        case .open: (1, "New")
        case .acknowledged: (2, "In Progress")
        case .resolved: (4, "Resolved")
        case .falsePositive: (5, "Closed")
        }
        var e: [String: JSONValue] = [
            "activity_id": 1, "activity_name": "Create", "category_uid": 2, "category_name": "Findings",
            "class_uid": 2005, "class_name": "Incident Finding", "type_uid": 200501, "type_name": "Incident Finding: Create",
            "severity_id": .number(Double(sid)), "severity": .string(sname), "time": .number(Double(i.lastSeen)),
            "start_time": .number(Double(i.firstSeen)), "end_time": .number(Double(i.lastSeen)),
            "status_id": .number(Double(status)), "status": .string(statusName), "desc": .string(i.title),
            "finding_info_list": .array(zip(i.findings, i.rules).map { .object(["uid": .string($0), "types": .array([.string($1)])]) }),
            "metadata": metadata,
        ]
        if i.state == .falsePositive { e["verdict_id"] = 1; e["verdict"] = "False Positive" }
        // The schema wants an assignee: who triaged it, else the review as a group.
        if let by = i.triage.last?.by, !by.isEmpty { e["assignee"] = .object(["name": .string(by)]) }
        else { e["assignee_group"] = .object(["name": "security-review"]) }
        e["unmapped"] = .object(["incident_id": .string(i.id), "records_read": .number(Double(i.blast.recordsRead)),
                                 "api_calls": .number(Double(i.blast.apiCalls)), "to_do": .string(i.toDo), "state": .string(i.state.rawValue),
                                 "apps": .array(i.apps.map { .string($0) }), "users": .array(i.users.map { .string($0) }),
                                 "ips": .array(i.ips.map { .string($0) })])
        return .object(e)
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
