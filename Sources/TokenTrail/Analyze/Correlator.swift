/// Pairs client token requests with the server logins they produced.
///
/// A pair has the same subject (the username: a request's `sub`, or the user its response
/// `id` names; a login's username, or its user id resolved through the user directory; for
/// client credentials of an app the policy maps a client id to, the app: the server runs them
/// as whatever Run As user the app has now),
/// times within `matchWindowSeconds` after correcting for the host's clock offset, and, when
/// the policy maps the client id to an app, the same app. Logins and requests stream from
/// SQLite in time order; each login takes the nearest unused request of its subject (ties:
/// the earlier, then the lower key), one-to-one within each server-side origin (Login
/// History and Event Monitoring each record the same login once: a request pairs with one
/// row of each). Only the requests of the match window are held, so memory does not grow
/// with the input, and re-running gives the same pairs.
///
/// Pairs are stored in `matches`; a matched JWT bearer login whose flow was inferred (or taken
/// from the policy) reads as basis `client_log` in the views.
public struct Correlation {
    /// The columns of a `matches` row, in the order the correlator adds them.
    static let matchColumns = ["login_time", "login_key", "request_time", "request_key", "offset_ms"]
    /// Client ids (and the apps they map to) whose requests were matched: "apps we have client
    /// logs for", with the period their client logs cover.
    public var appsWithClientLogs: [String: (first: Int64, last: Int64)] = [:]
    /// The same for the users (lowercased username, or `id:` + 15-character id) those requests
    /// logged in as: integration rules fall back to the user where an export names no app.
    public var usersWithClientLogs: [String: (first: Int64, last: Int64)] = [:]
    /// Successful requests in the window with no login, while a server export covers their time.
    var unmatchedRequests: [UnmatchedRequests: (group: Group, evidence: [EvidenceRef])] = [:]
    /// Per host and hour: the server login time minus the request time of matched pairs (a
    /// second clock estimate, beside the response Date header).
    var pairOffsets: [HostHour: OffsetHistogram] = [:]

    public struct UnmatchedRequests: Hashable, Sendable {
        public let host: Int64, clientId: Int64, subject: Int64, provider: Int64
    }
}

enum Correlator {
    private struct Pending {
        let corrected: Int64, stored: Int64, key: Int64, subject: Int32
        let clientId: Int64, host: Int64, provider: Int64, sub: Int64, userId: Int64, sourceId: Int64, line: Int64
        /// The app the policy maps the client id to, if any.
        let app: String?
        let succeeded: Bool
        /// Origins (bit per server-side origin) this request is paired with.
        var origins: UInt64 = 0
    }

    static func run(_ c: AnalysisContext) throws -> Correlation {
        let window = Int64(c.policy?.matchWindowSeconds ?? 120) * 1000
        var offsets: [Int64: Int64] = [:]
        for (host, offset) in try c.facts.clockOffsets(from: c.windowStart, to: c.windowEnd) { offsets[try c.names.id(host)] = offset.offsetMs }
        let skew = offsets.values.map { abs($0) }.max() ?? 0
        let directory = try c.facts.usernames()
        let contexts = try c.facts.contexts
        let loginContexts = contexts.ids { $0.isServerToServer && $0.isSuccess }
        let success = try c.names.id(Outcome.success.rawValue), unknown = try c.names.id(Outcome.unknown.rawValue)
        let flows = try c.facts.symbols([Flow.jwtBearer.rawValue, Flow.clientCredentials.rawValue])
        var result = Correlation()
        guard !loginContexts.isEmpty, success != 0, !flows.isEmpty else { return result }
        // No client log in reach: nothing to pair, and no login needs reading.
        guard try c.facts.db.scalar("SELECT EXISTS(SELECT 1 FROM token_requests WHERE time BETWEEN ? AND ?)",
                              [.integer(c.windowStart - window), .integer(c.windowEnd + window)]).int == 1 else { return result }
        // Server exports' coverage: a request outside it has nothing to pair with.
        let covered = try c.facts.rows("""
            SELECT first_time, last_time FROM sources WHERE (format LIKE 'login_history%' OR format IN ('elf_login', 'login_event')) AND first_time IS NOT NULL
            """).compactMap { row in row[0].int.flatMap { a in row[1].int.map { (a, $0) } } }

        // Subjects as small integers: lowercased usernames, ids resolved through the directory.
        var subjects: [String: Int32] = [:], byName: [Int64: Int32] = [:], byId: [Int64: Int32] = [:]
        func intern(_ text: String) -> Int32 {
            let key = text.lowercased()
            if let known = subjects[key] { return known }
            let id = Int32(subjects.count + 1)
            subjects[key] = id
            return id
        }
        // Client credentials requests pair by app (the client id the policy maps to a connected
        // app), whatever user the server ran them as: a changed Run As user is run-as-mismatch,
        // not a stolen secret. The subject is the app's name behind a prefix no username has.
        let cc = try c.names.id(Flow.clientCredentials.rawValue)
        var ccApps: Set<String> = [], appOfRunAs: [String: String] = [:]
        for app in c.policy?.apps ?? [] where !app.clientIds.isEmpty {
            ccApps.insert(app.name.lowercased())
            if let runAs = app.runAsUser { appOfRunAs[runAs.lowercased()] = app.name.lowercased() }
        }
        func appSubject(_ app: String) -> Int32 { intern("\u{1F}app " + app) }
        // Otherwise client credentials requests name their user by id only, and a Setup download
        // names it by username only: the Run As user learned from the logins bridges them.
        let learnedRunAs = try learnRunAs(c, window: window, directory: directory)
        func subject(name: Int64, id: Int64) throws -> Int32 {
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
        var appOfClient: [Int64: String?] = [:], appName: [Int64: String?] = [:], originBit: [String: UInt64] = [:]
        var clientSpan: [Int64: (Int64, Int64)] = [:]
        var matchedApps: Set<[Int64]> = []   // (client id, login app)
        var matchedSubjects: [Int32: Set<Int64>] = [:]   // subject → client ids

        var pending: [Int32: [Pending]] = [:]
        var requests = try RequestCursor(c.facts.db, from: c.windowStart - window - skew, to: c.windowEnd + window + skew,
                                         // A request of unknown outcome (an unreadable status) may have
                                         // succeeded: it pairs, but is never reported unpaired.
                                         condition: "outcome IN (\(success), \(unknown)) AND flow IN (\(flows.map(String.init).joined(separator: ",")))")
        var next = try requests.next()
        func finalize(_ r: Pending) throws {
            guard r.succeeded, r.origins == 0, r.stored >= c.windowStart, r.stored <= c.windowEnd,
                  covered.contains(where: { r.stored >= $0.0 && r.stored <= $0.1 }) else { return }
            let key = Correlation.UnmatchedRequests(host: r.host, clientId: r.clientId, subject: r.sub != 0 ? r.sub : r.userId, provider: r.provider)
            var entry = result.unmatchedRequests[key] ?? (Group(), [])
            entry.group.add(r.stored)
            if entry.evidence.count < Finding.maxEvidence { entry.evidence.append(EvidenceRef(source: r.sourceId, line: r.line)) }
            result.unmatchedRequests[key] = entry
        }
        /// Drops requests too old to pair with a login at `time` or later.
        func evict(before time: Int64) throws {
            for (who, list) in pending {
                guard list.contains(where: { $0.corrected < time }) else { continue }
                for r in list where r.corrected < time { try finalize(r) }
                let kept = list.filter { $0.corrected >= time }
                pending[who] = kept.isEmpty ? nil : kept
            }
        }
        var lastEviction = Int64.min

        /// Reads requests up to `time`, each under its subject, with its clock-corrected time.
        func readRequests(through time: Int64) throws {
            while let r = next, r.time <= time {
                next = try requests.next()
                if r.clientId != 0 {
                    let span = clientSpan[r.clientId] ?? (r.time, r.time)
                    clientSpan[r.clientId] = (min(span.0, r.time), max(span.1, r.time))
                }
                let app = try appOfClient[r.clientId] ?? {
                    let name = try c.names.name(r.clientId).flatMap { c.app(forClientId: $0)?.name }
                    appOfClient[r.clientId] = name
                    return name
                }()
                let who = try r.flow == cc && cc != 0 && app != nil ? appSubject(app!.lowercased()) : subject(name: r.sub, id: r.userId)
                guard who != 0 else { continue }
                pending[who, default: []].append(Pending(corrected: r.time + (offsets[r.host] ?? 0), stored: r.time, key: r.key, subject: who,
                                                         clientId: r.clientId, host: r.host, provider: r.provider, sub: r.sub, userId: r.userId,
                                                         sourceId: r.sourceId, line: r.line, app: app, succeeded: r.outcome == success))
            }
        }

        // Logins wait in `queue` (time order) until logins 2 windows later are read: every
        // login that could compete for one of their requests is then known.
        /// `user`: the login's user as a subject (for client-credentials logins paired by app, the
        /// subject is the app's).
        struct Waiting { let time: Int64, key: Int64, subject: Int32, user: Int32, bit: UInt64, app: String?, appId: Int64 }
        var queue: [Waiting] = [], head = 0
        var waiting: [Int32: [Int]] = [:]   // subject → indexes into queue, in time order
        func compatible(_ r: Pending, _ l: Waiting) -> Bool {
            r.origins & l.bit == 0 && abs(r.corrected - l.time) <= window && (r.app == nil || l.app == nil || r.app == l.app)
        }
        /// The nearest request `l` could take (ties: the earlier, then the lower key).
        func nearest(_ l: Waiting, in list: [Pending]) -> (index: Int, gap: Int64)? {
            var best: (index: Int, gap: Int64)?
            for (i, r) in list.enumerated() where compatible(r, l) {
                let gap = abs(r.corrected - l.time)
                if let b = best, (gap, r.stored, r.key) >= (b.gap, list[b.index].stored, list[b.index].key) { continue }
                best = (i, gap)
            }
            return best
        }
        /// True when a waiting login other than `l` is nearer to request `i` and has nothing
        /// nearer of its own: it would win the request under smallest-gap-first.
        func contested(_ i: Int, by l: Waiting, in list: [Pending]) -> Bool {
            let r = list[i], gap = abs(r.corrected - l.time)
            for index in waiting[l.subject] ?? [] {
                let rival = queue[index]
                guard rival.time != l.time || rival.key != l.key, compatible(r, rival) else { continue }
                let rivalGap = abs(r.corrected - rival.time)
                guard rivalGap < gap else { continue }
                if let own = nearest(rival, in: list), own.index != i, own.gap < rivalGap { continue }
                return true
            }
            return false
        }
        func decide(_ l: Waiting, into matches: inout RowWriter) throws {
            guard var list = pending[l.subject] else { return }
            // Candidates nearest first; usually the first is uncontested.
            var tried: Set<Int> = []
            while true {
                var best: (index: Int, gap: Int64)?
                for (i, r) in list.enumerated() where !tried.contains(i) && compatible(r, l) {
                    let gap = abs(r.corrected - l.time)
                    if let b = best, (gap, r.stored, r.key) >= (b.gap, list[b.index].stored, list[b.index].key) { continue }
                    best = (i, gap)
                }
                guard let i = best?.index else { return }
                if contested(i, by: l, in: list) { tried.insert(i); continue }
                list[i].origins |= l.bit
                pending[l.subject] = list
                let r = list[i]
                try matches.add([.integer(l.time), .integer(l.key), .integer(r.stored), .integer(r.key), .integer(l.time - r.stored)])
                matchedApps.insert([r.clientId, l.appId])
                if l.user != 0 { matchedSubjects[l.user, default: []].insert(r.clientId) }
                if r.host != 0 { result.pairOffsets[HostHour(host: r.host, hour: r.stored / 3_600_000), default: OffsetHistogram()].add(l.time - r.stored) }
                return
            }
        }
        func release(before time: Int64, into matches: inout RowWriter) throws {
            while head < queue.count, queue[head].time < time {
                let l = queue[head]
                try readRequests(through: l.time + 3 * window + skew)   // rivals up to 2 windows later see their own requests
                if lastEviction == .min || l.time - lastEviction > window {
                    try evict(before: l.time - window)
                    lastEviction = l.time
                }
                try decide(l, into: &matches)
                waiting[l.subject]?.removeFirst()
                head += 1
            }
            if head > 4096 && head * 2 > queue.count {   // keep only the waiting logins
                queue.removeFirst(head)
                for key in waiting.keys { waiting[key] = waiting[key]!.map { $0 - head } }
                head = 0
            }
        }

        try c.facts.db.transaction {
            // A request's pair is a login within the match window (and the host's skew) of it:
            // bounding login_time keeps this a range of the primary key, not a scan of every pair
            // stored (a backfill analyses week after week).
            let reach = 3 * window + skew
            try c.facts.db.execute("""
                DELETE FROM matches WHERE login_time BETWEEN ?1 AND ?2 AND (login_time BETWEEN ?3 AND ?4 OR request_time BETWEEN ?3 AND ?4)
                """, [.integer(c.windowStart - reach), .integer(c.windowEnd + reach), .integer(c.windowStart), .integer(c.windowEnd)])
            // A request pairs with one row per origin; re-running replaces a login's pair.
            var matches = try RowWriter(c.facts.db, "INSERT OR REPLACE INTO", "matches", columns: Correlation.matchColumns)
            try LoginCursor.forEach(c.facts.db, from: c.windowStart - window, to: c.windowEnd + window, contexts: loginContexts) { login in
                try release(before: login.time - 2 * window, into: &matches)
                let user = try subject(name: login.username, id: login.userId)
                let app = try appName[login.app] ?? {
                    let name = try c.names.name(login.app)
                    appName[login.app] = name
                    return name
                }()
                var who = user
                if !ccApps.isEmpty, contexts[login.context].flow == Flow.clientCredentials.rawValue {
                    // By app; an export that names no app (ELF Login) by the app whose Run As user it is.
                    if let app, ccApps.contains(app.lowercased()) {
                        who = appSubject(app.lowercased())
                    } else if app == nil, let name = try c.names.name(login.username), let owner = appOfRunAs[name.lowercased()] {
                        who = appSubject(owner)
                    }
                }
                guard who != 0 else { return true }
                let origin = contexts[login.context].origin
                let bit = originBit[origin] ?? {
                    let bit = UInt64(1) << UInt64(min(originBit.count, 63))
                    originBit[origin] = bit
                    return bit
                }()
                waiting[who, default: []].append(queue.count)
                queue.append(Waiting(time: login.time, key: login.key, subject: who, user: user, bit: bit, app: app, appId: login.app))
                return true
            }
            try release(before: .max, into: &matches)
            try matches.flush()
            // Requests after the last login still count as unmatched.
            try readRequests(through: .max)
            try evict(before: .max)
        }
        let subjectNames = Dictionary(uniqueKeysWithValues: subjects.map { ($0.value, $0.key) })
        for (who, clients) in matchedSubjects {
            guard let name = subjectNames[who] else { continue }
            for client in clients {
                guard let span = clientSpan[client] else { continue }
                let known = result.usersWithClientLogs[name] ?? span
                result.usersWithClientLogs[name] = (min(known.first, span.0), max(known.last, span.1))
            }
        }
        for pair in matchedApps {
            guard let span = clientSpan[pair[0]] else { continue }
            for name in [try c.names.name(pair[0]), try c.names.name(pair[1])].compactMap({ $0 }) {
                let known = result.appsWithClientLogs[name] ?? span
                result.appsWithClientLogs[name] = (min(known.first, span.0), max(known.last, span.1))
            }
        }
        return result
    }
}

extension Correlator {
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

extension AnalysisContext {
    /// Client↔server pairs for the window, computed once per analysis and stored in `matches`.
    public func correlation() throws -> Correlation {
        if let cached = correlationCache { return cached }
        let result = try Timings.measure("  correlation") { try Correlator.run(self) }
        correlationCache = result
        return result
    }
}
