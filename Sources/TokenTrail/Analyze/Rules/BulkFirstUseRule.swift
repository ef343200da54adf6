struct BulkFirstUseRule: Rule {
    let id = "bulk-first-use"
    let title = "First Bulk API query job by a user"
    let defaultSeverity = Severity.medium
    let cause = Cause.misuse
    let remedy = "Confirm the export was expected; if not, revoke the session's tokens and find where the data went."
    let verdict: String? = "{who} ran a Bulk query job for the first time"
    let rationale = """
        Bulk API query jobs move whole objects out of the org in one go. A user (an integration's or a person's) \
        that never ran one before and now does is worth a look: stolen vendor tokens in 2025 were used to export \
        Case and Account with Bulk 2.0. Judged against history only, so a first scan raises nothing; nightly exports \
        that already ran before the window are not new.
        """
    let knobs: [String] = []

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        let before = try c.facts.bulkQueryUsersBefore()
        let hasHistory = try c.facts.db.scalar("SELECT EXISTS(SELECT 1 FROM api_activity WHERE time < ?)", [.integer(c.windowStart)]).int == 1
        guard hasHistory else { return [] }
        struct Jobs {
            var jobs: Set<String> = [], entities: Set<String> = [], first = Int64.max, last = Int64.min, evidence: [String] = []
            /// Each job's (batch's) records: its largest count (`RecordsRead`).
            var read: [String: Int64] = [:]
            var records: Int64 { read.values.reduce(0, +) }
            mutating func add(_ e: BulkEvent) {
                jobs.insert(e.job ?? e.evidence)
                if let entity = e.entity { entities.insert(entity) }
                let job = e.job ?? e.evidence
                read[job] = max(read[job] ?? 0, e.jobRecords)
                first = min(first, e.time)
                last = max(last, e.time)
                if evidence.count < Finding.maxEvidence { evidence.append(e.evidence) }
            }
        }
        var byUser: [String: Jobs] = [:]
        try c.facts.forEachBulkEvent { e in
            guard e.isQuery, let user = e.user, !before.contains(user) else { return }
            byUser[user, default: Jobs()].add(e)
        }
        return byUser.map { user, j in
            Finding(rule: id, severity: defaultSeverity, firstSeen: j.first, lastSeen: j.last, user: user,
                    message: "\(user) ran a Bulk API query job for the first time: \(j.jobs.count) job(s) on \(j.entities.sorted().joined(separator: ", ")) (\(j.records) records)",
                    count: j.jobs.count, evidence: j.evidence, identity: [user])
        }
    }

    var examples: [RuleExample] {
        let history: [ExampleEvent] = [.api("2026-11-10T02:00:00Z", type: "RestApi", user: "erp@acme.example")]
        func query(_ at: String, user: String, job: String) -> [ExampleEvent] {
            [.api(at, type: "BulkApi2", user: user, entity: "Case", job: job, state: "created", operation: "query"),
             .api(at.replacingOccurrences(of: ":00:00Z", with: ":02:00Z"), type: "BulkApi2", user: user, entity: "Case", rows: 90_000, job: job, state: "JobComplete", operation: "query")]
        }
        return [
            .fires("a user's first Bulk query", windowStart: "2026-11-20T00:00:00Z", findings: 1,
                   history + query("2026-11-24T02:00:00Z", user: "drift@acme.example", job: "7505g00000QJob1")),
            .quiet("a nightly export that ran before", windowStart: "2026-11-20T00:00:00Z",
                   history + query("2026-11-12T02:00:00Z", user: "etl@acme.example", job: "7505g00000QJob0") + query("2026-11-24T02:00:00Z", user: "etl@acme.example", job: "7505g00000QJob1")),
            .quiet("no history: a first scan judges nothing", query("2026-11-24T02:00:00Z", user: "drift@acme.example", job: "7505g00000QJob1")),
            .quiet("a first Bulk ingest job is not an export", windowStart: "2026-11-20T00:00:00Z",
                   history + [.api("2026-11-24T02:00:00Z", type: "BulkApi2", user: "etl@acme.example", entity: "Account", job: "7505g00000IJob1", state: "created", operation: "insert")]),
        ]
    }
}
