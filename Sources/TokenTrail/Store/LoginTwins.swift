/// A login seen in two exports is one login (DESIGN.md → Canonical records). An org with Event
/// Monitoring exports every login twice: in Login History (or LoginEvent), which names the app
/// and the subtype, and in ELF Login, which names the session (`LOGIN_KEY`). Neither carries the
/// other's id, so the twins are found by what they share: the same second (the same minute for a
/// Setup download, which has no seconds), the same user (id or username), the same source IP and
/// the same outcome, one to one.
///
/// The Login History (or LoginEvent) row stays in `logins` and takes what only the ELF row knows
/// (login key, request id, username, org); the ELF row leaves `logins` for `login_twins`, which
/// keeps its `file:line` as the login's second evidence. The result does not depend on which
/// file came first, and a re-read ELF file adds nothing (its rows are known twins).
///
/// Owner of `login_twins`.
enum LoginTwins {
    struct Result: Equatable {
        /// Twin pairs found now (each one login stored once).
        var merged = 0
        /// Twins of the file just read that were already known (the file read again).
        var known = 0
        /// Of `merged` and `known`, the rows that came from the file just read and left `logins`.
        var leftFromFile = 0
    }

    /// Formats whose logins keep their row (they name the app: Login History's API export and
    /// Setup downloads, LoginEvent), and the format whose logins merge into them.
    static let keptFormats = SourceFormat.sql(SourceFormat.allCases.filter { $0.kind == .serverLogin && $0.loginOrigin != "elf" })
    static let mergedFormats = SourceFormat.sql(SourceFormat.allCases.filter { $0.loginOrigin == "elf" })

    /// Resolves twins among the logins of [from, to] after file `source` was read. `mergedSide`:
    /// the file's logins are ELF's (else Login History's or LoginEvent's). Cheap when no file of
    /// the other side overlaps the period (an org exporting one of them).
    static func resolve(_ db: Database, vocabulary: Vocabulary, source: Int64, mergedSide: Bool, from: Int64, to: Int64) throws -> Result {
        let otherFormats = mergedSide ? keptFormats : mergedFormats
        let overlap = try db.scalar("""
            SELECT EXISTS(SELECT 1 FROM sources WHERE id <> ? AND first_time <= ? AND last_time >= ?
                          AND \(otherFormats))
            """, [.integer(source), .integer(to + 60_000), .integer(from - 60_000)]).int == 1
        guard overlap else { return Result() }
        return try resolve(db, vocabulary: vocabulary, source: source, from: from, to: to)
    }

    /// Every twin in the database (a database written before twins were merged).
    static func resolveAll(_ db: Database, vocabulary: Vocabulary) throws -> Result {
        let span = try db.rows("SELECT min(time), max(time) FROM logins").first
        guard let from = span?[0].int, let to = span?[1].int else { return Result() }
        return try resolve(db, vocabulary: vocabulary, source: 0, from: from, to: to)
    }

    private struct Row {
        let time: Int64, key: Int64, source: Int64, line: Int64, context: Int64
        let userId: Int64, username: Int64, ip: Int64, org: Int64
        let loginKey: String?, requestId: String?
        /// The outcome's symbol: twins have the same (a failure never merges into a success, nor an unknown into either).
        let outcome: Int64
        /// The time's precision in its export, at least a second: Login History's API export
        /// has whole seconds, a Setup download whole minutes.
        let precision: Int64
    }

    /// A login row's primary key.
    private struct RowId: Hashable { let time: Int64, key: Int64 }

    /// Who logged in from where, with what outcome, in which second (or minute, for a kept row
    /// of a Setup download): what twins share (user by id, or by name).
    private struct Identity: Hashable { let user: Int64, byName: Bool, ip: Int64, outcome: Int64, bucket: Int64 }

    private static func resolve(_ db: Database, vocabulary: Vocabulary, source: Int64, from: Int64, to: Int64) throws -> Result {
        // Sides, outcomes and precisions by context (a few thousand contexts).
        var kept: Set<Int64> = [], merged: Set<Int64> = [], outcome: [Int64: Int64] = [:], precision: [Int64: Int64] = [:]
        for row in try db.rows("SELECT id, origin, outcome, precision_ms FROM login_contexts") {
            guard let id = row[0].int, let origin = row[1].int else { continue }
            if origin == vocabulary.loginHistory || origin == vocabulary.loginEvent { kept.insert(id) }
            if origin == vocabulary.elf { merged.insert(id) }
            outcome[id] = row[2].int ?? 0
            // At least the second: Login History's API export writes `…:01.000+0000`, whole
            // seconds spelled with milliseconds, while ELF has the real milliseconds.
            precision[id] = max(1000, row[3].int ?? 1000)
        }
        guard !kept.isEmpty, !merged.isEmpty else { return Result() }
        // Whole minutes around the period: a kept row's time is truncated to its precision.
        let minute: Int64 = 60_000
        let start = from - from % minute - minute, end = to - to % minute + 2 * minute - 1
        // Twins already paired: their kept rows are taken, their ELF rows (read again) go at once.
        var takenKept: Set<RowId> = [], knownTwins: Set<RowId> = []
        for row in try db.rows("SELECT time, key, canonical_time, canonical_key FROM login_twins WHERE time BETWEEN ? AND ?",
                               [.integer(start), .integer(end)]) {
            knownTwins.insert(RowId(time: row[0].int ?? 0, key: row[1].int ?? 0))
            takenKept.insert(RowId(time: row[2].int ?? 0, key: row[3].int ?? 0))
        }
        let both = kept.union(merged).map(String.init).joined(separator: ",")
        let cursor = try db.prepare("""
            SELECT time, key, source_id, line, context, coalesce(user_id, 0), coalesce(username, 0), coalesce(source_ip, 0),
                   coalesce(org, 0), login_key, request_id
            FROM logins WHERE time BETWEEN ? AND ? AND context IN (\(both)) ORDER BY time, key
            """)
        let update = try db.prepare("""
            UPDATE logins SET context = ?, login_key = coalesce(login_key, ?), request_id = coalesce(request_id, ?),
                   username = coalesce(username, ?), org = coalesce(org, ?) WHERE time = ? AND key = ?
            """)
        let remember = try db.prepare("""
            INSERT INTO login_twins(time, key, source_id, line, canonical_time, canonical_key) VALUES(?,?,?,?,?,?) ON CONFLICT DO NOTHING
            """)
        let delete = try db.prepare("DELETE FROM logins WHERE time = ? AND key = ?")
        let contexts = try ContextMerger(db)
        var result = Result()
        func nonZero(_ v: Int64) -> SQLValue { v == 0 ? .null : .integer(v) }

        /// Pairs one minute's ELF rows with its kept rows (each kept row once), in time order.
        /// A row without an address is never a twin: two empty addresses say nothing.
        func settle(kept keptRows: [Row], merged mergedRows: [Row], deletes: inout [Row]) throws {
            var candidates: [Identity: [Int]] = [:], next: [Identity: Int] = [:]
            for (i, row) in keptRows.enumerated() where row.ip != 0 {
                let bucket = row.time - row.time % row.precision
                if row.userId != 0 { candidates[Identity(user: row.userId, byName: false, ip: row.ip, outcome: row.outcome, bucket: bucket), default: []].append(i) }
                if row.username != 0 { candidates[Identity(user: row.username, byName: true, ip: row.ip, outcome: row.outcome, bucket: bucket), default: []].append(i) }
            }
            var taken = Set<Int>()
            /// The first kept row of `identity` not yet taken; a list is walked once however many twins ask.
            func firstFree(_ identity: Identity) -> Int? {
                guard let list = candidates[identity] else { return nil }
                var k = next[identity] ?? 0
                while k < list.count && taken.contains(list[k]) { k += 1 }
                next[identity] = k
                return k < list.count ? list[k] : nil
            }
            for twin in mergedRows {
                if knownTwins.contains(RowId(time: twin.time, key: twin.key)) {
                    result.known += 1
                    deletes.append(twin)
                    continue
                }
                guard twin.ip != 0 else { continue }
                var found: Int?
                search: for (user, byName) in [(twin.userId, false), (twin.username, true)] where user != 0 {
                    for p: Int64 in [1000, 60_000] {   // a kept row on the second, or a Setup download's minute
                        found = firstFree(Identity(user: user, byName: byName, ip: twin.ip, outcome: twin.outcome, bucket: twin.time - twin.time % p))
                        if found != nil { break search }
                    }
                }
                guard let i = found else { continue }
                taken.insert(i)
                let canonical = keptRows[i]
                let context = try contexts.merged(kept: canonical.context, twin: twin.context)
                try update.bind([.integer(context), twin.loginKey.map { .text($0) } ?? .null, twin.requestId.map { .text($0) } ?? .null,
                                 nonZero(twin.username), nonZero(twin.org), .integer(canonical.time), .integer(canonical.key)])
                _ = try update.run()
                try remember.bind([.integer(twin.time), .integer(twin.key), .integer(twin.source), .integer(twin.line),
                                   .integer(canonical.time), .integer(canonical.key)])
                _ = try remember.run()
                result.merged += 1
                deletes.append(twin)
            }
        }

        // An hour at a time: the hour's rows are read, then its twins merged and deleted (a row
        // must not vanish under a running SELECT), so memory holds one hour of logins. Only hours
        // that have rows: a file spanning years (a crafted date) costs its rows, not its hours.
        let nextRow = try db.prepare("SELECT min(time) FROM logins WHERE time BETWEEN ? AND ? AND context IN (\(both))")
        var hour = start
        while hour <= end {
            try nextRow.bind([.integer(hour), .integer(end)])
            let first = try nextRow.step() && !nextRow.isNull(at: 0) ? nextRow.int(at: 0) : nil
            nextRow.reset()
            guard let first else { break }
            hour = first - (first - start) % 3_600_000   // hours stay aligned on whole minutes from `start`
            defer { hour += 3_600_000 }
            try cursor.bind([.integer(hour), .integer(min(end, hour + 3_599_999))])
            var byMinute: [Int64: (kept: [Row], merged: [Row])] = [:]
            while try cursor.step() {
                let time = cursor.int(at: 0), context = cursor.int(at: 4)
                let row = Row(time: time, key: cursor.int(at: 1), source: cursor.int(at: 2), line: cursor.int(at: 3), context: context,
                              userId: cursor.int(at: 5), username: cursor.int(at: 6), ip: cursor.int(at: 7), org: cursor.int(at: 8),
                              loginKey: cursor.text(at: 9), requestId: cursor.text(at: 10), outcome: outcome[context] ?? 0,
                              precision: precision[context] ?? 1000)
                if merged.contains(context) {
                    byMinute[time / minute, default: ([], [])].merged.append(row)
                } else if !takenKept.contains(RowId(time: row.time, key: row.key)) {
                    byMinute[time / minute, default: ([], [])].kept.append(row)
                }
            }
            cursor.reset()
            var deletes: [Row] = []
            for minute in byMinute.keys.sorted() {
                let rows = byMinute[minute]!
                try settle(kept: rows.kept, merged: rows.merged, deletes: &deletes)
            }
            for twin in deletes {
                try delete.bind([.integer(twin.time), .integer(twin.key)])
                _ = try delete.run()
                if twin.source == source { result.leftFromFile += 1 }
            }
        }
        return result
    }
}

/// The context of a merged login: the kept row's, with what its export leaves blank taken from
/// the twin (Login History says `Unknown` for the browser an ELF row names: the client's user
/// agent, which client-fingerprint-drift reads).
private final class ContextMerger {
    private let db: Database
    private struct Pair: Hashable { let kept: Int64, twin: Int64 }
    private var cache: [Pair: Int64] = [:]
    private var blank: [Int64: Bool] = [0: true]
    /// Columns a twin may fill; origin, type, subtype, flow, status and outcome stay the kept row's.
    static let fillable = ["login_url", "country", "tls", "cipher", "browser", "platform", "api_type", "api_version",
                           "client_version", "auth_method", "uri"]
    private let select: Statement, insert: Statement, lookup: Statement

    init(_ db: Database) throws {
        self.db = db
        let columns = LoginContexts.columns
        select = try db.prepare("SELECT \(columns.map { "coalesce(\($0), 0)" }.joined(separator: ",")) FROM login_contexts WHERE id = ?")
        insert = try db.prepare("INSERT INTO login_contexts(\(columns.joined(separator: ","))) VALUES(\(columns.map { _ in "?" }.joined(separator: ","))) ON CONFLICT DO NOTHING")
        lookup = try db.prepare("SELECT id FROM login_contexts WHERE " + columns.map { "\($0) IS ?" }.joined(separator: " AND "))
    }

    func merged(kept: Int64, twin: Int64) throws -> Int64 {
        let pair = Pair(kept: kept, twin: twin)
        if let known = cache[pair] { return known }
        var values = try self.values(kept)
        let twinValues = try self.values(twin)
        var changed = false
        for (i, column) in LoginContexts.columns.enumerated() where Self.fillable.contains(column) {
            if try isBlank(values[i]), !(try isBlank(twinValues[i])) { values[i] = twinValues[i]; changed = true }
        }
        var id = kept
        if changed {
            let bound: [SQLValue] = LoginContexts.columns.indices.map { i in
                values[i] == 0 && LoginContexts.columns[i] != "precision_ms" ? .null : .integer(values[i])   // as LoginContexts stores them
            }
            try insert.bind(bound)
            _ = try insert.run()
            try lookup.bind(bound)
            if try lookup.step() { id = lookup.int(at: 0) }
            lookup.reset()
        }
        cache[pair] = id
        return id
    }

    private func values(_ context: Int64) throws -> [Int64] {
        try select.bind([.integer(context)])
        defer { select.reset() }
        guard try select.step() else { return Array(repeating: 0, count: LoginContexts.columns.count) }
        return LoginContexts.columns.indices.map { select.int(at: Int32($0)) }
    }

    /// No value, or the placeholder an export writes for one.
    private func isBlank(_ symbol: Int64) throws -> Bool {
        if let known = blank[symbol] { return known }
        let text = try db.scalar("SELECT value FROM strings WHERE id = ?", [.integer(symbol)]).string ?? ""
        let answer = Placeholder.isBlank(text)
        blank[symbol] = answer
        return answer
    }
}
