/// The one owner of `finding_parts` and `findings` (DESIGN.md, History).
///
/// A rule's finding for one analysis week is a **part**: one cause (the rule's grain key) over
/// that week. A week is always evaluated whole, over every record the database has for it, so
/// a later evaluation (a late file, a re-scan, a wider run) sees a superset of the records and
/// its parts replace the week's earlier ones; records are never removed, so what a week showed
/// stays unless later records explain it (a late client log pairing a login). A **finding** is
/// an episode: the parts of one cause with no gap longer than the episode gap between them.
/// `findings` is rebuilt from the parts of every cause a run touched, so it is a function of
/// the records, never of how the runs were cut.
public enum FindingsTable {
    /// An episode keeps the evidence of every part, up to this many lines (earliest parts first).
    public static let maxEpisodeEvidence = 4 * Finding.maxEvidence
    /// An episode's message names at most this many parts; the rest are counted.
    static let maxMessageParts = 6

    // MARK: parts

    /// Stores one week's findings as its parts: the week was evaluated whole, over every record
    /// the database has for it (a superset of what any earlier evaluation saw), so what it
    /// finds replaces what the rules that ran found for it before. Returns the causes whose
    /// episodes must be rebuilt: those found now and those found before.
    @discardableResult
    public static func storeParts(_ db: Database, _ findings: [Finding], week: Int64, rules: [String]) throws -> Set<String> {
        var causes: Set<String> = []
        try db.transaction {
            let ran = SQLValue.text(JSONValue.array(rules.map { .string($0) }).serialized)
            for row in try db.records("SELECT cause FROM finding_parts WHERE week = ? AND rule IN (SELECT value FROM json_each(?))", [.integer(week), ran]) {
                if let cause = row["cause"].string { causes.insert(cause) }
            }
            try db.execute("DELETE FROM finding_parts WHERE week = ? AND rule IN (SELECT value FROM json_each(?))", [.integer(week), ran])
            // Rows of the grain before issue 14 (one finding per user) inside the week are retired
            // for the one finding per cause the week now has.
            try db.execute("""
                DELETE FROM findings WHERE grain < 1 AND first_seen >= ? AND last_seen < ? AND rule IN (SELECT value FROM json_each(?))
                """, [.integer(week), .integer(week + AnalysisWeeks.weekMs), ran])
            for part in findings {
                try db.execute("""
                    INSERT OR REPLACE INTO finding_parts(cause, week, rule, severity, first_seen, last_seen, app, user, host, source_ip,
                                                         message, count, evidence, users, user_count)
                    VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                    """, [.text(part.cause), .integer(week)] + encode(part))
                causes.insert(part.cause)
            }
        }
        return causes
    }

    /// The weeks an analysis evaluated (`analysed_weeks`).
    public static func markAnalysed(_ db: Database, week: Int64) throws {
        try db.execute("INSERT INTO analysed_weeks(week, analysed_at) VALUES(?, ?) ON CONFLICT(week) DO UPDATE SET analysed_at = excluded.analysed_at",
                       [.integer(week), .integer(Clock.nowMs())])
    }

    /// The weeks analysed before whose start is in [from, through], ascending.
    public static func analysedWeeks(_ db: Database, from: Int64, through: Int64) throws -> [Int64] {
        try db.records("SELECT week FROM analysed_weeks WHERE week BETWEEN ? AND ? ORDER BY week", [.integer(from), .integer(through)]).compactMap { $0["week"].int }
    }

    /// Whether the week has a part of one of these rules whose activity comes within `margin` of `time`.
    public static func hasPart(_ db: Database, week: Int64, near time: Int64, within margin: Int64, of rules: [String]) throws -> Bool {
        try db.scalar("""
            SELECT EXISTS(SELECT 1 FROM finding_parts WHERE week = ? AND last_seen >= ? AND first_seen <= ? AND rule IN (SELECT value FROM json_each(?)))
            """, [.integer(week), .integer(time - margin), .integer(time + margin), .text(JSONValue.array(rules.map { .string($0) }).serialized)]).int == 1
    }

    // MARK: episodes

    /// What `rebuild` did: the episodes first stored, and the fingerprints that changed (an
    /// earlier part a late file added moved where a later episode starts): the old one's
    /// incident membership and alert go to the new one, so the incident keeps its id.
    public struct Rebuilt {
        public var new: Set<String> = []
        public var renamed: [String: String] = [:]
    }

    /// Rebuilds the episodes of these causes from their parts.
    public static func rebuild(_ db: Database, causes: Set<String>, gapMs: Int64, runId: Int64?) throws -> Rebuilt {
        var result = Rebuilt()
        try db.transaction {
            // One cause in memory at a time (a database of months holds every week's parts of
            // each), through statements prepared once: preparing four per cause took most of a
            // second for a benchmark week's 8,000 causes.
            let readParts = try db.prepare("SELECT * FROM finding_parts WHERE cause = ? ORDER BY first_seen, week")
            let readBefore = try db.prepare("SELECT fingerprint, first_run, first_seen, last_seen FROM findings WHERE cause = ?")
            let delete = try db.prepare("DELETE FROM findings WHERE cause = ?")
            let insert = try db.prepare("""
                INSERT INTO findings(fingerprint, cause, recurrence_of, rule, severity, first_seen, last_seen, app, user, host, source_ip,
                                     message, count, evidence, users, user_count, first_run, last_run, grain)
                VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1)
                """)
            for cause in causes.sorted() {
                let parts = try db.records(readParts, [.text(cause)]).map(decode)
                let before = try db.records(readBefore, [.text(cause)])
                try delete.bind([.text(cause)])
                _ = try delete.run()
                let episodes = episodes(parts, gapMs: gapMs)
                var firstRun: [String: SQLValue] = [:]
                for old in before {
                    guard let fingerprint = old["fingerprint"].string else { continue }
                    var heir = fingerprint
                    if !episodes.contains(where: { $0.fingerprint == fingerprint }),
                       let successor = episodes.first(where: { $0.firstSeen <= (old["last_seen"].int ?? 0) && (old["first_seen"].int ?? 0) <= $0.lastSeen }) {
                        heir = successor.fingerprint
                        result.renamed[fingerprint] = heir
                    }
                    if firstRun[heir] == nil { firstRun[heir] = old["first_run"] }
                }
                for episode in episodes {
                    if firstRun[episode.fingerprint] == nil { result.new.insert(episode.fingerprint) }
                    let run: SQLValue = runId.map { .integer($0) } ?? .null
                    try insert.bind([.text(episode.fingerprint), .text(cause), episode.recurrenceOf.map { .text($0) } ?? .null]
                                    + encode(episode) + [firstRun[episode.fingerprint] ?? run, run])
                    _ = try insert.run()
                }
            }
        }
        return result
    }

    /// The parts of one cause (in time order) cut into episodes at gaps longer than `gapMs`.
    /// The first episode's fingerprint is the cause (as before episodes existed); a later one's
    /// is derived from the cause and the week it starts in, and names the one before it.
    static func episodes(_ parts: [(finding: Finding, week: Int64)], gapMs: Int64) -> [Finding] {
        var groups: [[(finding: Finding, week: Int64)]] = []
        for part in parts {
            if let last = groups.last?.map(\.finding.lastSeen).max(), part.finding.firstSeen - last <= gapMs {
                groups[groups.count - 1].append(part)
            } else {
                groups.append([part])
            }
        }
        var out: [Finding] = []
        for (index, group) in groups.enumerated() {
            var episode = combine(group.map(\.finding))
            episode.cause = group[0].finding.cause
            episode.fingerprint = index == 0 ? episode.cause : Finding.fingerprint(rule: episode.rule, identity: [episode.cause, "episode", String(group[0].week)])
            episode.recurrenceOf = out.last?.fingerprint
            out.append(episode)
        }
        return out
    }

    /// One episode from its parts. Counts add up where the parts' spans are disjoint (each
    /// week's records); a part whose span overlaps the one before describes the same records
    /// again (a rule that reports a state, such as a file's rejects, in every week it touches)
    /// and counts once.
    static func combine(_ parts: [Finding]) -> Finding {
        var episode = parts[0]
        var users: [String: Int] = [:]
        for u in parts[0].users { users[u.name] = u.count }
        var messages = [(text: parts[0].message, weeks: 1)]
        for part in parts.dropFirst() {
            let disjoint = part.firstSeen > episode.lastSeen
            episode.count = disjoint ? episode.count + part.count : max(episode.count, part.count)
            for u in part.users { users[u.name] = disjoint ? users[u.name, default: 0] + u.count : max(users[u.name] ?? 0, u.count) }
            episode.userCount = max(episode.userCount, part.userCount)
            episode.severity = max(episode.severity, part.severity)
            episode.firstSeen = min(episode.firstSeen, part.firstSeen)
            episode.lastSeen = max(episode.lastSeen, part.lastSeen)
            episode.evidence += part.evidence
            if episode.app != part.app { episode.app = episode.app ?? part.app }
            if episode.user != part.user { episode.user = episode.user ?? part.user }
            if episode.host != part.host { episode.host = episode.host ?? part.host }
            if episode.sourceIp != part.sourceIp { episode.sourceIp = episode.sourceIp ?? part.sourceIp }
            // Words repeated by a part about the same records (a file's rejects, seen from each
            // week it spans) are one statement, not one per week.
            if let same = messages.firstIndex(where: { $0.text == part.message }) {
                if disjoint { messages[same].weeks += 1 }
            } else {
                messages.append((part.message, 1))
            }
        }
        episode.users = Finding.ranked(users)
        episode.userCount = max(episode.userCount, users.count)
        episode.evidence = Array(ordered(episode.evidence).prefix(maxEpisodeEvidence))
        episode.message = message(messages)
        return episode
    }

    /// The whole episode in words: the first part's message, then what each later week added;
    /// words that several weeks share once, with how many weeks said them.
    static func message(_ parts: [(text: String, weeks: Int)]) -> String {
        let said = parts.map { $0.weeks > 1 ? "\($0.text) (in each of \($0.weeks) weeks)" : $0.text }
        guard said.count > 1 else { return said.first ?? "" }
        let shown = said.prefix(maxMessageParts)
        var text = shown[0] + " Then: " + shown.dropFirst().joined(separator: " Then: ")
        if said.count > shown.count { text += " (and \(said.count - shown.count) more week(s))" }
        return text
    }

    /// Each line once, in the order first given.
    static func ordered(_ lines: [String]) -> [String] {
        var seen: Set<String> = []
        return lines.filter { seen.insert($0).inserted }
    }

    // MARK: rows

    /// The columns a part and an episode share, from `rule` to `user_count`.
    static func encode(_ f: Finding) -> [SQLValue] {
        func text(_ s: String?) -> SQLValue { s.map { .text($0) } ?? .null }
        return [.text(f.rule), .text(f.severity.rawValue), .integer(f.firstSeen), .integer(f.lastSeen), text(f.app), text(f.user),
                text(f.host), text(f.sourceIp), .text(f.message), .integer(Int64(f.count)),
                .text(JSONValue.array(f.evidence.map { .string($0) }).serialized),
                .text(JSONValue.array(f.users.map { .object(["user": .string($0.name), "count": .number(Double($0.count))]) }).serialized),
                .integer(Int64(f.userCount))]
    }

    static func decode(_ row: NamedRow) -> (finding: Finding, week: Int64) {
        (decodeFinding(row), row["week"].int ?? 0)
    }

    static func decodeFinding(_ row: NamedRow) -> Finding {
        var f = Finding(rule: row["rule"].string ?? "?", severity: Severity(rawValue: row["severity"].string ?? "") ?? .info,
                        firstSeen: row["first_seen"].int ?? 0, lastSeen: row["last_seen"].int ?? 0, app: row["app"].string,
                        user: row["user"].string, host: row["host"].string, sourceIp: row["source_ip"].string,
                        message: row["message"].string ?? "", count: Int(row["count"].int ?? 0), evidence: [], identity: [])
        f.evidence = (try? JSONParser.parse(row["evidence"].string ?? "[]"))?.array?.compactMap(\.string) ?? []
        f.fingerprint = row["fingerprint"].string ?? row["cause"].string ?? f.fingerprint
        f.cause = row["cause"].string ?? f.fingerprint
        f.recurrenceOf = row["recurrence_of"].string
        f.incident = row["incident"].string
        f.users = ((try? JSONParser.parse(row["users"].string ?? "[]"))?.array ?? []).compactMap { item in
            item["user"]?.string.map { AffectedUser(name: $0, count: Int(item["count"]?.integer ?? 0)) }
        }
        f.userCount = Int(row["user_count"].int ?? 0)
        return f
    }

    // MARK: the read side

    static let selected = "f.*, m.incident_id AS incident FROM findings f LEFT JOIN incident_findings m ON m.fingerprint = f.fingerprint"

    /// Findings active in [since, until] (first or last seen inside it), in review order.
    public static func load(_ db: Database, since: Int64, until: Int64) throws -> [Finding] {
        try db.records("SELECT \(selected) WHERE f.last_seen >= ? AND f.first_seen <= ?", [.integer(since), .integer(until)])
            .map(decodeFinding).sorted(by: Finding.reviewOrder)
    }

    /// Findings by fingerprint (those not stored are left out), in review order.
    public static func load(_ db: Database, fingerprints: some Sequence<String>) throws -> [Finding] {
        var out: [Finding] = []
        for fingerprint in Set(fingerprints) {
            out += try db.records("SELECT \(selected) WHERE f.fingerprint = ?", [.text(fingerprint)]).map(decodeFinding)
        }
        return out.sorted(by: Finding.reviewOrder)
    }

    /// Findings of these causes (every episode), in review order.
    public static func load(_ db: Database, causes: some Sequence<String>) throws -> [Finding] {
        var out: [Finding] = []
        for cause in Set(causes) {
            out += try db.records("SELECT \(selected) WHERE f.cause = ?", [.text(cause)]).map(decodeFinding)
        }
        return out.sorted(by: Finding.reviewOrder)
    }

    /// A database of schema 9 or older has findings and no parts: each finding becomes the part
    /// of its first week, so the next run extends it instead of starting it over.
    static func migrateToParts(_ db: Database) throws {
        let pending = try db.scalar("SELECT count(*) FROM findings WHERE cause IS NULL AND grain >= 1").int ?? 0
        guard pending > 0 else { return }
        for row in try db.records("SELECT * FROM findings WHERE cause IS NULL AND grain >= 1") {
            var finding = decodeFinding(row)
            finding.cause = finding.fingerprint
            let week = AnalysisWeeks.weekStart(containing: finding.firstSeen)
            try db.execute("""
                INSERT OR IGNORE INTO finding_parts(cause, week, rule, severity, first_seen, last_seen, app, user, host, source_ip,
                                                    message, count, evidence, users, user_count)
                VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                """, [.text(finding.cause), .integer(week)] + encode(finding))
        }
        try db.execute("UPDATE findings SET cause = fingerprint WHERE cause IS NULL AND grain >= 1")
    }
}
