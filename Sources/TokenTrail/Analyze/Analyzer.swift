import Foundation

/// Runs every enabled rule over a window and stores the findings. A finding is upserted on
/// its fingerprint: re-running over the same data adds no finding and no duplicate.
public enum Analyzer {
    /// The grain findings are stored at (`findings.grain`): 1 is one finding per cause (issue 14);
    /// 0, rows from before it (one per user). Only rows of an older grain are ever retired.
    static let grain: Int64 = 1

    public struct Result {
        public var findings: [Finding]
        /// Fingerprints seen for the first time in this analysis.
        public var new: Set<String>
        /// The incidents of the findings around the window (most severe first) and the ids new in this run.
        public var incidents: [Incident] = []
        public var newIncidents: Set<String> = []
        public init(findings: [Finding], new: Set<String>) {
            self.findings = findings
            self.new = new
        }
    }

    /// The user directory the rules used, so the views name API-export user ids too (`v_logins.user`).
    static func storeDirectory(_ db: Database, _ directory: [String: String]) throws {
        try db.transaction {
            let insert = try db.prepare("INSERT INTO user_directory(user_id, username) VALUES(?, ?) ON CONFLICT(user_id) DO UPDATE SET username = excluded.username")
            for (id, name) in directory {
                try insert.bind([.text(id), .text(name)])
                try insert.run()
            }
        }
    }

    public static func run(db: Database, policy: Policy?, windowStart: Int64, windowEnd: Int64,
                           runId: Int64? = nil, rules: [any Rule] = RuleCatalog.all) throws -> Result {
        try run(try AnalysisContext(db: db, policy: policy, windowStart: windowStart, windowEnd: windowEnd), runId: runId, rules: rules)
    }

    public static func run(_ context: AnalysisContext, runId: Int64? = nil, rules: [any Rule] = RuleCatalog.all) throws -> Result {
        let db = context.facts.db, windowStart = context.windowStart, windowEnd = context.windowEnd
        // Before anything reads logins: ELF rows get the app other sources name for them, over
        // the window and the 30 days of history the baselines read (an archive loaded with
        // `--no-analysis` is attributed when a later window first looks back at it).
        try Timings.measure("  app attribution") {
            try AppAttribution.run(context.facts, from: windowStart - AppAttribution.historyMs, to: windowEnd)
        }
        var findings: [Finding] = []
        for rule in rules where context.isEnabled(rule.id) {
            let severity = context.severity(of: rule)
            for var finding in try Timings.measure(rule.id, { try rule.evaluate(context) }) {
                if finding.severity == rule.defaultSeverity { finding.severity = severity }
                findings.append(finding)
            }
        }
        try context.facts.resolveEvidence(&findings)
        // Pairs and clock estimates are stored whichever rules run: the report and timeline read them.
        try Timings.measure("  clock estimates") { try ClockEstimates.store(context) }
        try storeDirectory(db, try context.facts.usernames())
        try context.facts.dailyRollups()
        findings.sort(by: Finding.reviewOrder)
        var new: Set<String> = []
        try db.transaction {
            let upsert = try db.prepare("""
                INSERT INTO findings(fingerprint, rule, severity, first_seen, last_seen, app, user, host, source_ip,
                                     message, count, evidence, first_run, last_run, users, user_count, grain)
                VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                ON CONFLICT(fingerprint) DO UPDATE SET severity = excluded.severity,
                    first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen),
                    user = excluded.user, message = excluded.message, count = excluded.count, evidence = excluded.evidence,
                    last_run = excluded.last_run, users = excluded.users, user_count = excluded.user_count, grain = excluded.grain
                """)
            let exists = try db.prepare("SELECT 1 FROM findings WHERE fingerprint = ?")
            for f in findings {
                exists.bind(f.fingerprint, at: 1)
                if try !exists.step() { new.insert(f.fingerprint) }
                exists.reset()
                try upsert.bind([.text(f.fingerprint), .text(f.rule), .text(f.severity.rawValue), .integer(f.firstSeen),
                                 .integer(f.lastSeen), f.app.map { .text($0) } ?? .null, f.user.map { .text($0) } ?? .null,
                                 f.host.map { .text($0) } ?? .null, f.sourceIp.map { .text($0) } ?? .null,
                                 .text(f.message), .integer(Int64(f.count)),
                                 .text(JSONValue.array(f.evidence.map { .string($0) }).serialized),
                                 runId.map { .integer($0) } ?? .null, runId.map { .integer($0) } ?? .null,
                                 .text(JSONValue.array(f.users.map { .object(["user": .string($0.name), "count": .number(Double($0.count))]) }).serialized),
                                 .integer(Int64(f.userCount)), .integer(grain)])
                try upsert.run()
            }
            // A database analysed at an older grain (one finding per user) converges to one per cause:
            // its rows of a rule that ran, wholly inside the window and not raised now, are retired.
            // A current-grain finding is never retired: a later run over a wider window (a backfill
            // with no history before it) may not re-raise a first-seen finding that was true.
            let ran = rules.filter { context.isEnabled($0.id) }.map { SQLValue.text($0.id) }
            if !ran.isEmpty {
                try db.execute("CREATE TEMP TABLE IF NOT EXISTS raised(fingerprint TEXT PRIMARY KEY) WITHOUT ROWID; DELETE FROM temp.raised")
                let raised = try db.prepare("INSERT OR IGNORE INTO temp.raised VALUES(?)")
                for f in findings { try raised.bind([.text(f.fingerprint)]); try raised.run() }
                _ = try db.rows("""
                    DELETE FROM findings WHERE first_seen >= ? AND last_seen <= ? AND rule IN (\(Array(repeating: "?", count: ran.count).joined(separator: ",")))
                      AND fingerprint NOT IN (SELECT fingerprint FROM temp.raised) AND grain < ?
                    """, [.integer(windowStart), .integer(windowEnd)] + ran + [.integer(grain)])
            }
        }
        var result = Result(findings: findings, new: new)
        let incidents = try Timings.measure("incidents") { try Incidents.run(context.facts, runId: runId) }
        (result.incidents, result.newIncidents) = (incidents.incidents, incidents.new)
        return result
    }
}

