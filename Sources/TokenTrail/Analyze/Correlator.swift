/// Pairs client token requests with the server logins they produced.
///
/// A pair has the same subject (the username: a request's `sub`, or the user its response
/// `id` names; a login's username, or its user id resolved through the user directory),
/// times within `matchWindowSeconds` after correcting for the host's clock offset, and, when
/// the policy maps the client id to an app, the same app. Pairing is greedy by smallest time
/// gap, one-to-one within each server-side origin (Login History and Event Monitoring each
/// record the same login once: a request pairs with one row of each), and deterministic,
/// so re-running gives the same pairs. A matched JWT
/// bearer login whose flow was inferred (or taken from the policy) gets basis `client_log`.
public struct Correlation {
    /// Server logins with a client counterpart, as (time, key).
    public var matchedLogins: Set<RowID> = []
    public var matchedRequests: Set<RowID> = []
    /// Client ids (and the apps they map to) whose requests were matched: "apps we have client logs for".
    public var appsWithClientLogs: [String: (first: Int64, last: Int64)] = [:]

    public struct RowID: Hashable, Sendable { public let time: Int64; public let key: Int64 }
}

enum Correlator {
    /// `id.time` is the request time corrected for the host's clock (used for pairing);
    /// `storedTime` is the time as logged, which identifies the row.
    private struct Request { let id: Correlation.RowID; let storedTime: Int64; let subject: String; let clientId: String?; let host: String? }
    private struct Login { let id: Correlation.RowID; let subject: String; let app: String?; let origin: Int64 }

    static func run(_ c: AnalysisContext) throws -> Correlation {
        let window = Int64(c.policy?.matchWindowSeconds ?? 120) * 1000
        let directory = try c.usernames()
        let offsets = try c.clockOffsets(from: c.windowStart, to: c.windowEnd)
        func subject(name: String?, id: String?) -> String? {
            if let name { return name.lowercased() }
            guard let id else { return nil }
            return (directory[id] ?? directory[String(id.prefix(15))] ?? "id:" + id.prefix(15)).lowercased()
        }
        var requests: [String: [Request]] = [:]
        var clientSpan: [String: (Int64, Int64)] = [:]
        for row in try c.rows("""
            SELECT t.time, t.key, (SELECT value FROM strings WHERE id = t.sub), (SELECT value FROM strings WHERE id = t.user_id),
                   (SELECT value FROM strings WHERE id = t.client_id), (SELECT value FROM strings WHERE id = t.host)
            FROM token_requests t WHERE t.time BETWEEN ? AND ? AND t.outcome = (SELECT id FROM strings WHERE value = 'success')
              AND t.flow IN (SELECT id FROM strings WHERE value IN ('jwt_bearer', 'client_credentials'))
            """, [.integer(c.windowStart - window), .integer(c.windowEnd + window)]) {
            guard let time = row[0].int, let key = row[1].int,
                  let who = subject(name: row[2].string, id: row[3].string) else { continue }
            let host = row[5].string
            let corrected = time + (host.flatMap { offsets[$0]?.offsetMs } ?? 0)
            requests[who, default: []].append(Request(id: .init(time: corrected, key: key), storedTime: time, subject: who,
                                                      clientId: row[4].string, host: host))
            if let client = row[4].string {
                let span = clientSpan[client] ?? (time, time)
                clientSpan[client] = (min(span.0, time), max(span.1, time))
            }
        }
        var result = Correlation()
        guard !requests.isEmpty else { return result }
        struct Side: Hashable { let subject: String; let origin: Int64 }
        var logins: [Side: [Login]] = [:]
        for row in try c.rows("""
            SELECT l.time, l.key, (SELECT value FROM strings WHERE id = l.username), (SELECT value FROM strings WHERE id = l.user_id),
                   (SELECT value FROM strings WHERE id = l.app), x.origin
            FROM logins l JOIN login_contexts x ON x.id = l.context
            WHERE l.time BETWEEN ? AND ? AND x.outcome = (SELECT id FROM strings WHERE value = 'success')
              AND x.flow IN (SELECT id FROM strings WHERE value IN ('jwt_bearer', 'client_credentials'))
            """, [.integer(c.windowStart - window), .integer(c.windowEnd + window)]) {
            guard let time = row[0].int, let key = row[1].int,
                  let who = subject(name: row[2].string, id: row[3].string), requests[who] != nil else { continue }
            let origin = row[5].int ?? 0
            logins[Side(subject: who, origin: origin), default: []].append(Login(id: .init(time: time, key: key), subject: who, app: row[4].string, origin: origin))
        }
        // Greedy one-to-one by smallest gap, per subject (and origin).
        var pairs: [(login: Correlation.RowID, request: Correlation.RowID, gap: Int64, client: String?, app: String?)] = []
        for (side, serverSide) in logins.sorted(by: { ($0.key.subject, $0.key.origin) < ($1.key.subject, $1.key.origin) }) {
            let clientSide = (requests[side.subject] ?? []).sorted { $0.id.time < $1.id.time }
            var candidates: [(Int64, Int, Int)] = []   // gap, login index, request index
            for (li, login) in serverSide.enumerated() {
                // Binary search the first request not earlier than login − window.
                var lo = 0, hi = clientSide.count
                while lo < hi { let mid = (lo + hi) / 2; if clientSide[mid].id.time < login.id.time - window { lo = mid + 1 } else { hi = mid } }
                var ri = lo
                while ri < clientSide.count && clientSide[ri].id.time <= login.id.time + window {
                    let request = clientSide[ri]
                    let expected = request.clientId.flatMap { c.app(forClientId: $0)?.name }
                    if expected == nil || login.app == nil || expected == login.app {
                        candidates.append((abs(login.id.time - request.id.time), li, ri))
                    }
                    ri += 1
                }
            }
            candidates.sort { ($0.0, serverSide[$0.1].id.time, serverSide[$0.1].id.key, clientSide[$0.2].id.key)
                              < ($1.0, serverSide[$1.1].id.time, serverSide[$1.1].id.key, clientSide[$1.2].id.key) }
            var usedLogins = Set<Int>(), usedRequests = Set<Int>()
            for (gap, li, ri) in candidates where !usedLogins.contains(li) && !usedRequests.contains(ri) {
                usedLogins.insert(li); usedRequests.insert(ri)
                let request = clientSide[ri]
                pairs.append((serverSide[li].id, .init(time: request.storedTime, key: request.id.key), gap, request.clientId, serverSide[li].app))
            }
        }
        try c.db.transaction {
            _ = try c.db.rows("DELETE FROM matches WHERE login_time BETWEEN ? AND ? OR request_time BETWEEN ? AND ?",
                              [.integer(c.windowStart), .integer(c.windowEnd), .integer(c.windowStart), .integer(c.windowEnd)])
            let insert = try c.db.prepare("INSERT OR REPLACE INTO matches VALUES(?,?,?,?,?)")  // a request pairs with one row per origin
            for pair in pairs {
                let requestTime = pair.request.time
                try insert.bind([.integer(pair.login.time), .integer(pair.login.key), .integer(requestTime),
                                 .integer(pair.request.key), .integer(pair.login.time - requestTime)])
                try insert.run()
                result.matchedLogins.insert(pair.login)
                result.matchedRequests.insert(.init(time: requestTime, key: pair.request.key))
                for name in [pair.client, pair.app].compactMap({ $0 }) {
                    let span = clientSpan[pair.client ?? ""] ?? (pair.login.time, pair.login.time)
                    let known = result.appsWithClientLogs[name] ?? (span.0, span.1)
                    result.appsWithClientLogs[name] = (min(known.first, span.0), max(known.last, span.1))
                }
            }
            try promoteBasis(c, pairs.map(\.login))
        }
        return result
    }

    /// Matched JWT bearer logins whose flow was inferred or came from the policy are now
    /// confirmed by the client's own request: basis `client_log`.
    private static func promoteBasis(_ c: AnalysisContext, _ logins: [Correlation.RowID]) throws {
        guard !logins.isEmpty else { return }
        let columns = LoginContexts.columns.filter { $0 != "flow_basis" }.joined(separator: ", ")
        try c.db.execute("""
            CREATE TEMP TABLE IF NOT EXISTS promote(time INTEGER, key INTEGER, PRIMARY KEY(time, key)) WITHOUT ROWID;
            DELETE FROM promote;
            INSERT OR IGNORE INTO strings(value) VALUES('client_log');
            """)
        let insert = try c.db.prepare("INSERT OR IGNORE INTO promote VALUES(?, ?)")
        for login in logins { try insert.bind([.integer(login.time), .integer(login.key)]); try insert.run() }
        try c.db.execute("""
            INSERT OR IGNORE INTO login_contexts(\(columns), flow_basis)
              SELECT DISTINCT \(columns.split(separator: ",").map { "x." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")),
                     (SELECT id FROM strings WHERE value = 'client_log')
              FROM promote p JOIN logins l ON l.time = p.time AND l.key = p.key JOIN login_contexts x ON x.id = l.context
              WHERE x.flow = (SELECT id FROM strings WHERE value = 'jwt_bearer')
                AND x.flow_basis IN (SELECT id FROM strings WHERE value IN ('inferred', 'policy'));
            UPDATE logins SET context = (
                SELECT y.id FROM login_contexts x JOIN login_contexts y ON
                  \(LoginContexts.columns.filter { $0 != "flow_basis" }.map { "y.\($0) IS x.\($0)" }.joined(separator: " AND "))
                  AND y.flow_basis = (SELECT id FROM strings WHERE value = 'client_log')
                WHERE x.id = logins.context)
              WHERE (time, key) IN (SELECT time, key FROM promote)
                AND context IN (SELECT id FROM login_contexts WHERE flow = (SELECT id FROM strings WHERE value = 'jwt_bearer')
                                AND flow_basis IN (SELECT id FROM strings WHERE value IN ('inferred', 'policy')));
            """)
    }
}

extension AnalysisContext {
    /// Client↔server pairs for the window, computed once per analysis and stored in `matches`.
    public func correlation() throws -> Correlation {
        if let cached = correlationCache { return cached }
        let result = try Correlator.run(self)
        correlationCache = result
        return result
    }
}

import Foundation
