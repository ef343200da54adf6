/// Pairs client token requests with the server logins they produced.
///
/// A pair has the same subject (`CorrelationSubjects`: the user, or for client credentials of
/// an app the policy maps a client id to, the app), times within `matchWindowSeconds` after
/// correcting for the host's clock offset, and, when the policy maps the client id to an app,
/// the same app. Logins and requests stream from SQLite in time order; each login takes the
/// nearest unused request of its subject (ties: the earlier, then the lower key), one-to-one
/// within each server-side origin (a login in two exports is already one row: `LoginTwins`).
/// Only the requests of the match window are held, so memory does not grow with the input, and
/// re-running gives the same pairs. Its cases are a table of tests (`CorrelatorCaseTests`).
///
/// Pairs are stored in `matches`; a matched JWT bearer login whose flow was inferred (or taken
/// from the policy) reads as basis `client_log` in the views.
final class Correlator {
    /// A successful (or unknown-outcome) token request read and not yet too old to pair.
    private struct PendingRequest {
        let corrected: Int64, stored: Int64, key: Int64, subject: Int32
        let clientId: Int64, host: Int64, provider: Int64, sub: Int64, userId: Int64, sourceId: Int64, line: Int64
        /// The app the policy maps the client id to, if any, lowercased (app names compare case-insensitively, as subjects do).
        let app: String?
        /// Unknown-outcome requests (an unreadable status) pair, but are never reported unpaired.
        let succeeded: Bool
        /// Origins (bit per server-side origin) this request is paired with.
        var origins: UInt64 = 0
    }

    /// A server login waiting until every login that could compete for its requests is known.
    /// `user`: its user as a subject (a client credentials login pairs on its app's).
    private struct WaitingLogin { let time: Int64, key: Int64, subject: Int32, user: Int32, bit: UInt64, app: String?, appId: Int64 }

    // What the window is and how far pairing reaches.
    private let c: AnalysisContext
    private let window: Int64, skew: Int64
    private let offsets: [Int64: Int64]
    /// Periods the server exports cover: a request outside them has nothing to pair with.
    private let covered: [(Int64, Int64)]
    private let success: Int64, clientCredentials: Int64
    private let subjects: CorrelationSubjects

    // The requests read so far, by subject; the next one in time order.
    private var requests: RequestCursor
    private var nextRequest: RequestRow?
    private var pending: [Int32: [PendingRequest]] = [:]
    private var lastEviction = Int64.min

    // The logins read and waiting, in time order (`head` is the next to decide).
    private var queue: [WaitingLogin] = [], head = 0
    private var waiting: [Int32: [Int]] = [:]   // subject → indexes into queue, in time order

    // Names resolved once.
    private var appOfClient: [Int64: String?] = [:], appName: [Int64: String?] = [:], originBit: [String: UInt64] = [:]

    // What the pairs say, beyond `matches`.
    private var result = Correlation()
    private var clientSpan: [Int64: (Int64, Int64)] = [:]
    private var matchedApps: Set<[Int64]> = []           // (client id, login app)
    private var matchedSubjects: [Int32: Set<Int64>] = [:]   // user subject → client ids

    static func run(_ c: AnalysisContext) throws -> Correlation {
        let window = Int64(c.policy?.matchWindowSeconds ?? 120) * 1000
        let loginContexts = try c.facts.contexts.ids { $0.isServerToServer && $0.isSuccess }
        let success = try c.names.id(Outcome.success.rawValue)
        let flows = try c.facts.symbols([Flow.jwtBearer.rawValue, Flow.clientCredentials.rawValue])
        guard !loginContexts.isEmpty, success != 0, !flows.isEmpty else { return Correlation() }
        // No client log in reach: nothing to pair, and no login needs reading.
        guard try c.facts.db.scalar("SELECT EXISTS(SELECT 1 FROM token_requests WHERE time BETWEEN ? AND ?)",
                                    [.integer(c.windowStart - window), .integer(c.windowEnd + window)]).int == 1 else { return Correlation() }
        let correlator = try Correlator(c, window: window, success: success, flows: flows)
        try correlator.pairLogins(contexts: loginContexts)
        return try correlator.summary()
    }

    private init(_ c: AnalysisContext, window: Int64, success: Int64, flows: Set<Int64>) throws {
        self.c = c
        self.window = window
        self.success = success
        clientCredentials = try c.names.id(Flow.clientCredentials.rawValue)
        var offsets: [Int64: Int64] = [:]
        for (host, offset) in try c.facts.clockOffsets(from: c.windowStart, to: c.windowEnd) { offsets[try c.names.id(host)] = offset.offsetMs }
        self.offsets = offsets
        skew = offsets.values.map { abs($0) }.max() ?? 0
        covered = try c.facts.rows("""
            SELECT first_time, last_time FROM sources WHERE \(SourceFormat.sql(SourceFormat.all(.serverLogin))) AND first_time IS NOT NULL
            """).compactMap { row in row[0].int.flatMap { a in row[1].int.map { (a, $0) } } }
        subjects = try CorrelationSubjects(c, window: window)
        let unknown = try c.names.id(Outcome.unknown.rawValue)
        requests = try RequestCursor(c.facts.db, from: c.windowStart - window - skew, to: c.windowEnd + window + skew,
                                     condition: "outcome IN (\(success), \(unknown)) AND flow IN (\(flows.map(String.init).joined(separator: ",")))")
        nextRequest = try requests.next()
    }

    // MARK: requests

    /// Reads requests up to `time`, each under its subject, with its clock-corrected time.
    private func readRequests(through time: Int64) throws {
        while let r = nextRequest, r.time <= time {
            nextRequest = try requests.next()
            if r.clientId != 0 {
                let span = clientSpan[r.clientId] ?? (r.time, r.time)
                clientSpan[r.clientId] = (min(span.0, r.time), max(span.1, r.time))
            }
            let app = try appOfClient[r.clientId] ?? {
                let name = try c.names.name(r.clientId).flatMap { c.app(forClientId: $0)?.name }
                appOfClient[r.clientId] = name
                return name
            }()
            let who = try r.flow == clientCredentials && clientCredentials != 0 && app != nil ? subjects.app(app!) : subjects.user(name: r.sub, id: r.userId)
            guard who != 0 else { continue }
            pending[who, default: []].append(PendingRequest(
                corrected: r.time + (offsets[r.host] ?? 0), stored: r.time, key: r.key, subject: who, clientId: r.clientId, host: r.host,
                provider: r.provider, sub: r.sub, userId: r.userId, sourceId: r.sourceId, line: r.line, app: app?.lowercased(),
                succeeded: r.outcome == success))
        }
    }

    /// Drops requests too old to pair with a login at `time` or later.
    private func evict(before time: Int64) {
        for (who, list) in pending {
            guard list.contains(where: { $0.corrected < time }) else { continue }
            for r in list where r.corrected < time { noteIfUnpaired(r) }
            let kept = list.filter { $0.corrected >= time }
            pending[who] = kept.isEmpty ? nil : kept
        }
    }

    /// A successful request of the window that paired with no login, while a server export covers its time.
    private func noteIfUnpaired(_ r: PendingRequest) {
        guard r.succeeded, r.origins == 0, r.stored >= c.windowStart, r.stored <= c.windowEnd,
              covered.contains(where: { r.stored >= $0.0 && r.stored <= $0.1 }) else { return }
        let key = Correlation.UnmatchedRequests(host: r.host, clientId: r.clientId, subject: r.sub != 0 ? r.sub : r.userId, provider: r.provider)
        var entry = result.unmatchedRequests[key] ?? (Group(), [])
        entry.group.add(r.stored)
        if entry.evidence.count < Finding.maxEvidence { entry.evidence.append(EvidenceRef(source: r.sourceId, line: r.line)) }
        result.unmatchedRequests[key] = entry
    }

    // MARK: logins

    /// Reads the window's server-to-server logins in time order; each waits until logins two
    /// windows later are read, then takes its request.
    private func pairLogins(contexts: [Int64]) throws {
        let db = c.facts.db, names = try c.facts.contexts
        try db.transaction {
            // A request's pair is a login within the match window (and the host's skew) of it:
            // bounding login_time keeps this a range of the primary key, not a scan of every pair
            // stored (a backfill analyses week after week).
            let reach = 3 * window + skew
            try db.execute("""
                DELETE FROM matches WHERE login_time BETWEEN ?1 AND ?2 AND (login_time BETWEEN ?3 AND ?4 OR request_time BETWEEN ?3 AND ?4)
                """, [.integer(c.windowStart - reach), .integer(c.windowEnd + reach), .integer(c.windowStart), .integer(c.windowEnd)])
            // A request pairs with one row per origin; re-running replaces a login's pair.
            var matches = try RowWriter(db, "INSERT OR REPLACE INTO", "matches", columns: Correlation.matchColumns)
            try LoginCursor.forEach(db, from: c.windowStart - window, to: c.windowEnd + window, contexts: contexts) { login in
                try release(before: login.time - 2 * window, into: &matches)
                let app = try appName[login.app] ?? {
                    let name = try c.names.name(login.app)
                    appName[login.app] = name
                    return name
                }()
                let user = try subjects.user(name: login.username, id: login.userId)
                let context = names[login.context]
                let who = context.flow == Flow.clientCredentials.rawValue
                    ? try subjects.clientCredentialsLogin(app: app, username: login.username, user: user) : user
                guard who != 0 else { return true }
                let bit = originBit[context.origin] ?? {
                    let bit = UInt64(1) << UInt64(min(originBit.count, 63))
                    originBit[context.origin] = bit
                    return bit
                }()
                waiting[who, default: []].append(queue.count)
                queue.append(WaitingLogin(time: login.time, key: login.key, subject: who, user: user, bit: bit, app: app?.lowercased(), appId: login.app))
                return true
            }
            try release(before: .max, into: &matches)
            try matches.flush()
            // Requests after the last login still count as unpaired.
            try readRequests(through: .max)
            evict(before: .max)
        }
    }

    /// Decides every waiting login before `time`.
    private func release(before time: Int64, into matches: inout RowWriter) throws {
        while head < queue.count, queue[head].time < time {
            let l = queue[head]
            try readRequests(through: l.time + 3 * window + skew)   // rivals up to 2 windows later see their own requests
            if lastEviction == .min || l.time - lastEviction > window {
                evict(before: l.time - window)
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

    // MARK: the choice

    private func compatible(_ r: PendingRequest, _ l: WaitingLogin) -> Bool {
        r.origins & l.bit == 0 && abs(r.corrected - l.time) <= window && (r.app == nil || l.app == nil || r.app == l.app)
    }

    /// The nearest request `l` could take among those not `excluded` (ties: the earlier, then the lower key).
    private func nearest(_ l: WaitingLogin, in list: [PendingRequest], excluding excluded: Set<Int> = []) -> (index: Int, gap: Int64)? {
        var best: (index: Int, gap: Int64)?
        for (i, r) in list.enumerated() where !excluded.contains(i) && compatible(r, l) {
            let gap = abs(r.corrected - l.time)
            if let b = best, (gap, r.stored, r.key) >= (b.gap, list[b.index].stored, list[b.index].key) { continue }
            best = (i, gap)
        }
        return best
    }

    /// True when a waiting login other than `l` is nearer to request `i` and has nothing
    /// nearer of its own: it would win the request under smallest-gap-first.
    private func contested(_ i: Int, by l: WaitingLogin, in list: [PendingRequest]) -> Bool {
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

    /// `l` takes its nearest uncontested request, if any, and the pair is written.
    private func decide(_ l: WaitingLogin, into matches: inout RowWriter) throws {
        guard var list = pending[l.subject] else { return }
        var tried: Set<Int> = []   // candidates nearest first; usually the first is uncontested
        while let i = nearest(l, in: list, excluding: tried)?.index {
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

    // MARK: the result

    /// Which apps and users have client logs, and over what period.
    private func summary() throws -> Correlation {
        let subjectNames = subjects.names
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
