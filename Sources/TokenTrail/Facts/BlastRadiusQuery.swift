/// Where one incident's API activity is looked for: its sessions' keys, and the logins that
/// carry none (their calls are found by user + address + time), within [from, to].
public struct IncidentScope: Sendable {
    public var sessions: Set<String> = []
    public var keyless: [KeylessLogin] = []
    public var from: Int64
    public var to: Int64
    public init(from: Int64, to: Int64) { self.from = from; self.to = to }
}

extension Facts {
    /// How long after a keyless login its user's calls from the same address are counted as
    /// that login's (Salesforce's default session timeout is 2 hours).
    static let keylessSessionMs: Int64 = 2 * 3_600_000

    /// The blast radius of each scope, from API, RestApi, Bulk and ApiTotalUsage rows, in one
    /// pass over the rows of the union of the scopes' periods: each row probes a temp table
    /// of the scopes' session keys, and one of their keyless logins' (address, user, window).
    func blastRadius(_ scopes: [IncidentScope]) throws -> [BlastRadius] {
        var tallies = Array(repeating: BlastTally(), count: scopes.count)
        let types = try ApiEventTypes(names)
        try db.execute("""
            CREATE TEMP TABLE IF NOT EXISTS incident_keys(key TEXT NOT NULL, scope INTEGER NOT NULL, PRIMARY KEY(key, scope)) WITHOUT ROWID;
            CREATE TEMP TABLE IF NOT EXISTS incident_who(ip INTEGER NOT NULL, user INTEGER NOT NULL, scope INTEGER NOT NULL,
                start INTEGER NOT NULL, stop INTEGER NOT NULL, app INTEGER NOT NULL, PRIMARY KEY(ip, user, scope, start)) WITHOUT ROWID;
            DELETE FROM temp.incident_keys; DELETE FROM temp.incident_who;
            """)
        var from = Int64.max, to = Int64.min
        let who = try keylessWindows(scopes)
        try db.transaction {
            let key = try db.prepare("INSERT OR IGNORE INTO temp.incident_keys VALUES(?, ?)")
            for (i, scope) in scopes.enumerated() where !scope.sessions.isEmpty {
                for k in scope.sessions { try key.bind([.text(k), .integer(Int64(i))]); try key.run() }
                (from, to) = (min(from, scope.from), max(to, scope.to))
            }
            let window = try db.prepare("INSERT OR IGNORE INTO temp.incident_who VALUES(?, ?, ?, ?, ?, ?)")
            for w in who {
                for user in w.users {
                    try window.bind([.integer(w.ip), .integer(user), .integer(Int64(w.scope)), .integer(w.start), .integer(w.stop), .integer(w.app)])
                    try window.run()
                }
                (from, to) = (min(from, w.start), max(to, w.stop))
            }
        }
        guard from <= to else { return try scopes.indices.map { try finish(tallies[$0], scopes[$0]) } }
        // A row's login key joins it to its login; its session key only when it has no login key.
        // A keyless login's calls: its user's, from its address, in its window, of its app if the row names one.
        let rows = try db.prepare("""
            SELECT k.scope, w.scope, a.time, a.key, a.event_type, a.entity, a.rows, a.job_id, a.job_state, a.operation, a.source_id, a.line,
                   a.app, a.client_ip, a.batch_id
            FROM api_activity a
            LEFT JOIN temp.incident_keys k ON k.key = coalesce(nullif(a.login_key, ''), a.session_key)
            LEFT JOIN temp.incident_who w ON w.ip = a.client_ip AND (+w.user = a.username OR +w.user = a.user_id) AND a.time BETWEEN w.start AND w.stop
                AND (w.app = 0 OR a.app IS NULL OR a.app = w.app)
            WHERE a.time BETWEEN ? AND ? AND (k.scope IS NOT NULL OR w.scope IS NOT NULL)
            """)
        try rows.bind([.integer(from), .integer(to)])
        while try rows.step() {
            let time = rows.int(at: 2)
            if !rows.isNull(at: 0) {
                let i = Int(rows.int(at: 0))
                if time >= scopes[i].from, time <= scopes[i].to { try tallies[i].add(rows, offset: 2, types: types, byKey: true, facts: self) }
            }
            // Counted once per scope: a row its key already counted is skipped by the tally.
            if !rows.isNull(at: 1) { try tallies[Int(rows.int(at: 1))].add(rows, offset: 2, types: types, byKey: false, facts: self) }
        }
        return try scopes.indices.map { try finish(tallies[$0], scopes[$0]) }
    }

    private func finish(_ tally: BlastTally, _ scope: IncidentScope) throws -> BlastRadius {
        var blast = try tally.result(self)
        blast.exported = try exportedEventTypes(from: scope.from, to: scope.to)
        return blast
    }

    /// Each scope's keyless logins as (address, user symbols, window): from the login to 2 h
    /// after it, overlapping windows of one (address, user) merged. A user is named by every
    /// symbol it has: username, user id, the ids the directory maps to the username.
    func keylessWindows(_ scopes: [IncidentScope]) throws -> [(scope: Int, ip: Int64, users: Set<Int64>, start: Int64, stop: Int64, app: Int64)] {
        var idsOfName: [String: [String]] = [:]
        for (id, name) in try usernames() { idsOfName[name, default: []].append(id) }
        var out: [(scope: Int, ip: Int64, users: Set<Int64>, start: Int64, stop: Int64, app: Int64)] = []
        for (i, scope) in scopes.enumerated() {
            var byWho: [UserAddress: [KeylessLogin]] = [:]
            for login in scope.keyless where login.ip != 0 {
                byWho[UserAddress(user: login.username != 0 ? login.username : login.userId, ip: login.ip), default: []].append(login)
            }
            for (who, logins) in byWho {
                let first = logins[0]
                var users: Set<Int64> = [who.user, first.userId, first.username]
                if let name = try names.name(first.username) { for id in idsOfName[name] ?? [] { users.insert(try names.id(id)) } }
                users.remove(0)
                var current: (start: Int64, stop: Int64)?
                for login in logins.sorted(by: { $0.time < $1.time }) {
                    if let c = current, login.time <= c.stop { current = (c.start, login.time + Self.keylessSessionMs); continue }
                    if let c = current { out.append((i, who.ip, users, c.start, c.stop, first.app)) }
                    current = (login.time, login.time + Self.keylessSessionMs)
                }
                if let c = current { out.append((i, who.ip, users, c.start, c.stop, first.app)) }
            }
        }
        return out
    }

    /// The API event types whose ELF files cover some of [from, to], by their usual names.
    func exportedEventTypes(from: Int64, to: Int64) throws -> [String] {
        let calls = SourceFormat.all(.activity).filter { !["Logout", "LoginAs", nil].contains($0.eventType) }
        let types = try db.rows("SELECT DISTINCT format FROM sources WHERE \(SourceFormat.sql(calls)) AND last_time >= ? AND first_time <= ?",
                                [.integer(from), .integer(to)]).compactMap { $0[0].string.flatMap(SourceFormat.init(rawValue:))?.eventType }
        return Set(types).sorted { $0.lowercased() < $1.lowercased() }
    }
}

/// Symbols of the event types and Bulk states a blast radius tells apart.
struct ApiEventTypes {
    let usage: Int64, notCalls: Set<Int64>, bulk: Set<Int64>, bulk2: Int64

    init(_ names: SymbolNames) throws {
        func ids(_ values: [String]) throws -> Set<Int64> { Set(try values.map { try names.id($0) }.filter { $0 != 0 }) }
        usage = try names.id("ApiTotalUsage")
        notCalls = try ids(["Logout", "LoginAs", "Login"])
        bulk = try ids(["BulkApi", "BulkApi2"])
        bulk2 = try names.id("BulkApi2")
    }

    static let known = ["api": "API", "restapi": "RestApi", "apitotalusage": "ApiTotalUsage", "bulkapi": "BulkApi",
                        "bulkapi2": "BulkApi2", "login": "Login", "logout": "Logout", "loginas": "LoginAs", "uri": "URI",
                        "report": "Report", "reportexport": "ReportExport", "lightningpageview": "LightningPageView"]

    /// `restapi` → `RestApi`: the name Event Monitoring gives the type.
    static func displayName(_ lowered: String) -> String { known[lowered] ?? lowered }
}

/// A blast radius being counted, on symbols (names are resolved once at the end).
struct BlastTally {
    struct Job { var entity: Int64 = 0, operation: Int64 = 0, state: Int64 = 0, stateTime = Int64.min, records: Int64 = 0, first = Int64.max, last = Int64.min }
    /// Rows counted (time, key): a row found by key and by address is counted once.
    var seen: Set<SymbolPair> = []
    var keyedCalls: Int64 = 0, usageCalls: Int64 = 0, records: Int64 = 0
    var callsByType: [Int64: Int64] = [:]
    var keyedEntities: [Int64: (calls: Int64, records: Int64)] = [:], usageEntities: [Int64: (calls: Int64, records: Int64)] = [:]
    var jobs: [String: Job] = [:]
    var first = Int64.max, last = Int64.min
    var reads: [Int64: Int64] = [:]
    var evidence: [(time: Int64, key: Int64, source: Int64, line: Int64)] = []
    var byKey = 0, byAddress = 0
    var addresses: [Int64: (calls: Int64, records: Int64)] = [:]
    var recordsRead = RecordsRead()

    /// One row (columns from `offset`: time, key, event_type, entity, rows, job_id, job_state, operation, source_id, line, app, client_ip, batch_id).
    mutating func add(_ row: Statement, offset o: Int32, types: ApiEventTypes, byKey keyed: Bool, facts: Facts) throws {
        let time = row.int(at: o), type = row.int(at: o + 2)
        guard seen.insert(SymbolPair(first: time, second: row.int(at: o + 1))).inserted, !types.notCalls.contains(type) else { return }
        if keyed { byKey += 1 } else { byAddress += 1 }
        first = min(first, time)
        last = max(last, time)
        callsByType[type, default: 0] += 1
        let entity = row.int(at: o + 3), state = row.int(at: o + 6)
        let bulkVersion = type == 0 ? nil : type == types.bulk2 ? 2 : types.bulk.contains(type) ? 1 : nil
        let read = recordsRead.add(row.isNull(at: o + 4) ? nil : row.int(at: o + 4),
                                   bulk: RecordsRead.bulkKey(version: bulkVersion, job: row.text(at: o + 5), batch: row.text(at: o + 12)))
        let ip = row.int(at: o + 11)
        if type != types.usage { addresses[ip, default: (0, 0)].calls += 1; addresses[ip, default: (0, 0)].records += read }
        if type == types.usage {
            usageCalls += 1
            usageEntities[entity, default: (0, 0)].calls += 1
        } else {
            keyedCalls += 1
            records += read
            keyedEntities[entity, default: (0, 0)].calls += 1
            keyedEntities[entity, default: (0, 0)].records += read
            if read > 0 { reads[time / BlastRadius.bucketMs * BlastRadius.bucketMs, default: 0] += read }
        }
        if types.bulk.contains(type), let id = row.text(at: o + 5), !id.isEmpty {
            var job = jobs[id] ?? Job()
            if job.entity == 0 { job.entity = entity }
            if job.operation == 0 { job.operation = row.int(at: o + 7) }
            if state != 0, time >= job.stateTime { (job.state, job.stateTime) = (state, time) }
            job.records += read
            job.first = min(job.first, time)
            job.last = max(job.last, time)
            jobs[id] = job
        }
        if evidence.count < BlastRadius.maxEvidence { evidence.append((time, row.int(at: o + 1), row.int(at: o + 8), row.int(at: o + 9))) }
    }

    func result(_ facts: Facts) throws -> BlastRadius {
        let names = facts.names
        var b = BlastRadius()
        let ordered = evidence.sorted { ($0.time, $0.source, $0.line) < ($1.time, $1.source, $1.line) }
        b.evidence = try ordered.map { try facts.evidence(source: $0.source, line: $0.line) }
        b.rows = ordered.map { RecordRef(.api, time: $0.time, key: $0.key) }
        b.apiCalls = max(keyedCalls, usageCalls)
        b.recordsRead = records
        for (type, n) in callsByType { b.callsByType[try names.name(type) ?? "?", default: 0] += n }
        // ApiTotalUsage names the same calls as the keyed types: its entities only where it saw more.
        let entities = keyedCalls >= usageCalls ? keyedEntities : usageEntities
        b.entities = try entities.compactMap { entity, tally in
            try names.name(entity).map { BlastRadius.Entity(name: $0, calls: tally.calls, records: tally.records) }
        }.sorted { ($1.records, $1.calls, $0.name) < ($0.records, $0.calls, $1.name) }
        b.bulkJobs = try jobs.map { id, job in
            BlastRadius.BulkJob(id: id, entity: try names.name(job.entity), operation: try names.name(job.operation),
                                state: try names.name(job.state), records: job.records, first: job.first, last: job.last)
        }.sorted { ($0.first, $0.id) < ($1.first, $1.id) }
        if first <= last { (b.first, b.last) = (first, last) }
        b.addresses = try addresses.map { ip, tally in
            BlastRadius.Address(ip: try names.name(ip) ?? "(none)", calls: tally.calls, records: tally.records)
        }.sorted { ($1.records, $1.calls, $0.ip) < ($0.records, $0.calls, $1.ip) }
        b.reads = reads
        b.matchedByKey = byKey
        b.matchedByAddress = byAddress
        return b
    }
}
