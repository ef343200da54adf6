import Foundation

/// What a sweep of the database for an advisory's indicators found: per indicator that
/// matched, its hits, when, in which exports, by whom, with which app, the `file:line` of each
/// (the earliest `maxEvidence`), and the incidents the hit records belong to.
public struct HuntResult: Sendable {
    public struct Match: Sendable {
        public var indicator: Indicator
        public var hits = 0
        public var first = Int64.max, last = Int64.min
        public var sources: Set<String> = []
        public var users: Set<String> = []
        public var apps: Set<String> = []
        public var evidence: [(time: Int64, ref: String)] = []
        public var records: [RecordRef] = []
        public var incidents: Set<String> = []
    }
    public var matches: [Match] = []
    /// Indicators that matched nothing.
    public var unmatched: [Indicator] = []
    public var since: Int64 = 0, until: Int64 = 0
    public static let maxEvidence = 20
}

/// The sweep: every indicator looked up in the `strings` table once (exact values through
/// hash sets, networks by prefix, user-agent patterns), then each fact table read once for
/// the rows that carry a matched value (an indexed lookup per row, not a scan per
/// indicator): 10,000 indicators cost about what one does.
public enum Hunt {
    public static func sweep(db: Database, indicators given: [Indicator], since: Int64, until: Int64) throws -> HuntResult {
        // One indicator listed twice (two files, two shapes) is swept once, under its first origin.
        var seen: Set<String> = [], indicators: [Indicator] = []
        for i in given where seen.insert(i.key).inserted { indicators.append(i) }
        let matcher = Matcher(indicators)
        var byString: [Int64: [Int]] = [:]
        let statement = try db.prepare("SELECT id, value FROM strings")
        while try statement.step() {
            guard let value = statement.text(at: 1) else { continue }
            let hits = matcher.match(value)
            if !hits.isEmpty { byString[statement.int(at: 0)] = hits }
        }
        var result = HuntResult(since: since, until: until)
        var matches: [Int: HuntResult.Match] = [:]
        if !byString.isEmpty {
            try db.execute("CREATE TEMP TABLE IF NOT EXISTS hunt_ids(id INTEGER PRIMARY KEY); DELETE FROM temp.hunt_ids;")
            let insert = try db.prepare("INSERT OR IGNORE INTO temp.hunt_ids VALUES(?)")
            for id in byString.keys { try insert.bind([.integer(id)]); try insert.run() }
            // A value counts only in a column of its kind: an agent pattern that happens to match an
            // app's name, or a domain an address, is no hit.
            func hits(_ symbol: Int64, _ kinds: Set<Indicator.Kind>) -> [Int] { (byString[symbol] ?? []).filter { kinds.contains(indicators[$0].kind) } }
            // Login contexts carry the browser and the login URL.
            var contexts: [Int64: [Int]] = [:]
            for row in try db.rows("""
                SELECT id, browser, login_url FROM login_contexts
                WHERE browser IN (SELECT id FROM temp.hunt_ids) OR login_url IN (SELECT id FROM temp.hunt_ids)
                """) {
                guard let id = row[0].int else { continue }
                let found = hits(row[1].int ?? 0, Self.agents) + hits(row[2].int ?? 0, [.domain])
                if !found.isEmpty { contexts[id] = found }
            }
            let names = try SymbolNames(db: db)
            let directory = try Facts.directory(db)   // a user id as its username where the database knows it
            for table in Self.tables {
                var conditions = table.columns.map { "x.\($0.name) IN (SELECT id FROM temp.hunt_ids)" }
                if table.ref == .login && !contexts.isEmpty { conditions.append("x.context IN (\(contexts.keys.map(String.init).joined(separator: ",")))") }
                let sql = """
                    SELECT x.time, x.key, \(Schema.evidence("s", "x.line")), s.format, \(table.user), \(table.app),
                           \(table.columns.map { "x." + $0.name }.joined(separator: ", "))\(table.ref == .login ? ", x.context" : "")
                    FROM \(table.name) x JOIN sources s ON s.id = x.source_id
                    WHERE x.time BETWEEN ? AND ? AND (\(conditions.joined(separator: " OR ")))
                    """
                let rows = try db.prepare(sql)
                try rows.bind([.integer(since), .integer(until)])
                while try rows.step() {
                    var hit: Set<Int> = []
                    for (c, column) in table.columns.enumerated() { for i in hits(rows.int(at: Int32(6 + c)), column.kinds) { hit.insert(i) } }
                    if table.ref == .login { for i in contexts[rows.int(at: Int32(6 + table.columns.count))] ?? [] { hit.insert(i) } }
                    let time = rows.int(at: 0), ref = RecordRef(table.ref, time: time, key: rows.int(at: 1))
                    for i in hit {
                        var m = matches[i] ?? HuntResult.Match(indicator: indicators[i])
                        m.hits += 1
                        m.first = min(m.first, time); m.last = max(m.last, time)
                        m.sources.insert(rows.text(at: 3) ?? "?")
                        if let user = try names.name(rows.int(at: 4)) { m.users.insert(directory[user] ?? user) }
                        if let app = try names.name(rows.int(at: 5)) { m.apps.insert(app) }
                        m.evidence.append((time, rows.text(at: 2) ?? "?"))
                        if m.evidence.count > 4 * HuntResult.maxEvidence {   // keep the earliest, bounded
                            m.evidence.sort { $0.time < $1.time }
                            m.evidence.removeLast(m.evidence.count - HuntResult.maxEvidence)
                        }
                        if m.records.count < Incident.maxRecords { m.records.append(ref) }
                        matches[i] = m
                    }
                }
            }
        }
        // The incidents whose records the hits are.
        if !matches.isEmpty {
            var incidentOf: [RecordRef: [String]] = [:]
            for row in try db.rows("SELECT id, records FROM incidents") {
                guard let id = row[0].string else { continue }
                for ref in ((try? JSONParser.parse(row[1].string ?? "[]"))?.array ?? []).compactMap(RecordRef.init(json:)) { incidentOf[ref, default: []].append(id) }
            }
            for (i, var m) in matches {
                for ref in m.records { for id in incidentOf[ref] ?? [] { m.incidents.insert(id) } }
                m.evidence.sort { ($0.time, $0.ref) < ($1.time, $1.ref) }
                m.evidence = Array(m.evidence.prefix(HuntResult.maxEvidence))
                matches[i] = m
            }
        }
        result.matches = matches.sorted { ($0.value.first, $0.key) < ($1.value.first, $1.key) }.map(\.value)
        result.unmatched = indicators.indices.filter { matches[$0] == nil }.map { indicators[$0] }
        return result
    }

    /// Where an indicator can appear, per fact table: the columns of interned values, and the
    /// user and app a hit is told with.
    struct Column { let name: String; let kinds: Set<Indicator.Kind> }
    struct Table { let name: String; let ref: RecordRef.Table; let columns: [Column]; let user: String; let app: String }
    static let addresses: Set<Indicator.Kind> = [.address, .network], agents: Set<Indicator.Kind> = [.userAgent, .userAgentPattern]
    /// Users by name, and the domain of their e-mail-shaped usernames.
    static let users: Set<Indicator.Kind> = [.user, .domain]
    static let tables = [
        Table(name: "logins", ref: .login, columns: [Column(name: "source_ip", kinds: addresses), Column(name: "username", kinds: users),
                                                      Column(name: "user_id", kinds: [.user]), Column(name: "app", kinds: [.app])],
              user: "coalesce(x.username, x.user_id)", app: "x.app"),
        Table(name: "api_activity", ref: .api, columns: [Column(name: "client_ip", kinds: addresses), Column(name: "username", kinds: users),
                                                         Column(name: "user_id", kinds: [.user]), Column(name: "app", kinds: [.app]),
                                                         Column(name: "app_id", kinds: [.appId]), Column(name: "user_agent", kinds: agents),
                                                         Column(name: "client_name", kinds: agents)],
              user: "coalesce(x.username, x.user_id)", app: "x.app"),
        Table(name: "token_requests", ref: .request, columns: [Column(name: "source_ip", kinds: addresses), Column(name: "sub", kinds: users),
                                                               Column(name: "user_id", kinds: [.user]), Column(name: "client_id", kinds: [.consumerKey, .appId]),
                                                               Column(name: "iss", kinds: [.consumerKey]), Column(name: "integration", kinds: [.app]),
                                                               Column(name: "token_url", kinds: [.domain]), Column(name: "aud", kinds: [.domain]),
                                                               Column(name: "instance_url", kinds: [.domain])],
              user: "coalesce(x.sub, x.user_id)", app: "coalesce(x.integration, x.client_id)"),
        Table(name: "idp_events", ref: .okta, columns: [Column(name: "client_ip", kinds: addresses), Column(name: "actor_name", kinds: users),
                                                        Column(name: "user_agent", kinds: agents), Column(name: "client_id", kinds: [.consumerKey, .app]),
                                                        Column(name: "request_uri", kinds: [.domain])],
              user: "x.actor_name", app: "x.client_id"),
    ]

    /// Which indicators a stored value matches.
    struct Matcher {
        var exact: [String: [Int]] = [:]          // addresses, consumer keys, app ids: as stored
        var folded: [String: [Int]] = [:]         // user agents, users, app names: lowercased
        var domains: [String: [Int]] = [:]
        var patterns: [(pattern: [UInt8], index: Int)] = []
        var networks: [Int: [[UInt8]: [Int]]] = [:]   // prefix length → masked network bytes → indicators

        init(_ indicators: [Indicator]) {
            for (i, indicator) in indicators.enumerated() {
                switch indicator.kind {
                case .address, .consumerKey, .appId: exact[indicator.value, default: []].append(i)
                case .userAgent, .user, .app: folded[indicator.value, default: []].append(i)
                case .domain: domains[indicator.value, default: []].append(i)
                case .userAgentPattern: patterns.append((Array(indicator.value.utf8), i))
                case .url: break   // read as a domain (Indicator.make)
                case .network:
                    if let cidr = CIDR(indicator.value) { networks[cidr.prefix * 100 + cidr.bytes.count, default: [:]][Self.mask(cidr.bytes, cidr.prefix), default: []].append(i) }
                }
            }
        }

        static func mask(_ bytes: [UInt8], _ prefix: Int) -> [UInt8] {
            var out = bytes, remaining = prefix
            for i in out.indices {
                let bits = max(0, min(8, remaining))
                out[i] &= bits == 8 ? 0xff : ~(0xff >> UInt8(bits))
                remaining -= 8
            }
            return out
        }

        func match(_ value: String) -> [Int] {
            var out: [Int] = exact[value] ?? []
            let lowered = value.lowercased()
            out += folded[lowered] ?? []
            if !patterns.isEmpty {
                let bytes = Array(lowered.utf8)
                for (pattern, i) in patterns where Self.like(bytes, pattern) { out.append(i) }
            }
            if !networks.isEmpty, value.count <= 45, let bytes = CIDR.parseAddress(value) {
                for (key, table) in networks where key % 100 == bytes.count {
                    out += table[Self.mask(bytes, key / 100)] ?? []
                }
            }
            if !domains.isEmpty, lowered.contains("."), let host = Self.host(lowered) {
                // The domain itself or any name under it.
                var name = Substring(host)
                while true {
                    out += domains[String(name)] ?? []
                    guard let dot = name.firstIndex(of: ".") else { break }
                    name = name[name.index(after: dot)...]
                }
            }
            return out
        }

        /// The host a stored value names: a URL's, or the value when it is a bare host name.
        static func host(_ lowered: String) -> String? {
            if lowered.contains("://") { return Indicator.domain(of: lowered) }
            if lowered.contains(" ") || lowered.contains("/") { return nil }
            // An e-mail address or username: its domain.
            if let at = lowered.lastIndex(of: "@") { return String(lowered[lowered.index(after: at)...]) }
            return lowered
        }

        /// STIX `LIKE`: `%` any run, `_` one byte; the whole value must match (linear with
        /// backtracking to the last `%`, so a crafted pattern cannot make it exponential).
        static func like(_ text: [UInt8], _ pattern: [UInt8]) -> Bool {
            let percent = UInt8(ascii: "%"), underscore = UInt8(ascii: "_")
            var t = 0, p = 0, star = -1, mark = 0
            while t < text.count {
                if p < pattern.count && (pattern[p] == underscore || pattern[p] == text[t]) { t += 1; p += 1 }
                else if p < pattern.count && pattern[p] == percent { star = p; mark = t; p += 1 }
                else if star >= 0 { p = star + 1; mark += 1; t = mark }
                else { return false }
            }
            while p < pattern.count && pattern[p] == percent { p += 1 }
            return p == pattern.count
        }
    }
}
