struct SessionExportVolumeRule: Rule {
    let id = "session-export-volume"
    let title = "One session read far more records than usual"
    let defaultSeverity = Severity.high
    let cause = Cause.misuse
    let remedy = "Confirm the export was expected; if not, revoke the session's tokens, rotate the app's credentials, and find where the data went."
    let verdict: String? = "{who}'s session exported far more than usual"
    let rationale = """
        The records one login session reads through the API, REST and Bulk (ROWS_PROCESSED, Bulk job records) are \
        what leaves the org. A session that reads far more than that user's sessions did before (p99 × factor) is an \
        export; without history, more than a threshold is worth a look (medium): UNC6040's rogue Data Loader pulled hundreds of thousands \
        of rows with query and queryMore. Check the session's client and address and what it read.
        """
    let knobs = ["rules.session-export-volume.threshold (default 10000)", "rules.session-export-volume.factor (default 10)"]

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        let threshold = Int64(c.threshold(id, default: 10_000)), factor = Int64(c.policy?.rules[id]?.factor ?? 10)
        // A user's usual session: the 99th percentile of their sessions in the 30 days before the window.
        let api = try c.facts.apiFacts()
        var history: [String: [Int64]] = [:]
        for s in api.history { if let user = try c.facts.displayUser(username: s.username, userId: s.userId) { history[user, default: []].append(s.records) } }
        struct Export { var sessions = 0, calls: Int64 = 0, records: Int64 = 0, largest: Int64 = 0, first = Int64.max, last = Int64.min, limit = "", keys: [String] = [], baseline = false }
        var byUser: [String: Export] = [:]
        for (key, s) in api.window.filter({ $0.value.counted > 0 }).sorted(by: { ($0.value.first, $0.key) < ($1.value.first, $1.key) }) {
            let user = try c.facts.displayUser(username: s.username, userId: s.userId) ?? "?"
            let limit: Int64, why: String
            if let past = history[user]?.sorted(), !past.isEmpty {
                let p99 = past[min(past.count - 1, past.count * 99 / 100)]
                (limit, why) = (max(p99 * factor, threshold / 10), "\(factor)× its usual \(p99)")
            } else {
                (limit, why) = (threshold, "the \(threshold) threshold, no history")
            }
            guard s.records > limit else { continue }
            var e = byUser[user] ?? Export()
            e.baseline = e.baseline || history[user] != nil
            e.sessions += 1; e.calls += s.counted; e.records += s.records; e.largest = max(e.largest, s.records)
            e.first = min(e.first, s.first); e.last = max(e.last, s.last); e.limit = why; e.keys.append(key)
            byUser[user] = e
        }
        return try byUser.map { user, e in
            let evidence = try e.keys.prefix(5).flatMap { key in
                try (api.window[key]?.largest ?? []).map { try c.facts.evidence(source: $0.source, line: $0.line) }
            }
            // Over the user's own history is an export; over the bare threshold (a first scan, a
            // nightly job never seen) is worth a look: one level lower.
            return Finding(rule: id, severity: e.baseline ? defaultSeverity : defaultSeverity.lower, firstSeen: e.first, lastSeen: e.last, user: user,
                           message: "\(e.sessions) session(s) of \(user) read \(e.records) records (the largest \(e.largest)), over \(e.limit): an export",
                           count: Int(e.calls), evidence: evidence, identity: [user])
        }
    }

    var examples: [RuleExample] {
        func reads(_ at: String, _ rows: Int64, key: String, user: String = "bob@acme.example") -> ExampleEvent {
            .api(at, type: "API", user: user, loginKey: key, entity: "Contact", rows: rows, client: "DataLoaderPartnerUI/62.0")
        }
        return [
            .fires("no history: a session over the threshold (query + queryMore)", findings: 1,
                   [reads("2026-11-23T14:00:00Z", 2000, key: "Mn4Bq7sTz1Yw8KcE"), reads("2026-11-23T14:00:10Z", 200_000, key: "Mn4Bq7sTz1Yw8KcE")]),
            .fires("ten times the user's usual session", windowStart: "2026-11-20T00:00:00Z",
                   [reads("2026-11-10T14:00:00Z", 900, key: "Old1"), reads("2026-11-11T14:00:00Z", 1000, key: "Old2"),
                    reads("2026-11-23T14:00:00Z", 9000, key: "New1"), reads("2026-11-23T14:01:00Z", 9000, key: "New1")]),
            .quiet("a nightly export as big as always", windowStart: "2026-11-20T00:00:00Z",
                   [reads("2026-11-10T02:00:00Z", 150_000, key: "Night1", user: "etl@acme.example"),
                    reads("2026-11-23T02:00:00Z", 160_000, key: "Night2", user: "etl@acme.example")]),
            .quiet("small reads", [reads("2026-11-23T14:00:00Z", 200, key: "Mn4Bq7sTz1Yw8KcE")]),
            .quiet("a Bulk job's rows repeat its count: one job, its largest count",
                   [.api("2026-11-23T14:00:00Z", type: "BulkApi2", loginKey: "B1", rows: 4_000, job: "7505g00000QJob1", state: "inProgress", operation: "query"),
                    .api("2026-11-23T14:05:00Z", type: "BulkApi2", loginKey: "B1", rows: 5_000, job: "7505g00000QJob1", state: "JobComplete", operation: "query"),
                    .api("2026-11-23T14:06:00Z", type: "BulkApi2", loginKey: "B1", rows: 5_000, job: "7505g00000QJob1", state: "Closed", operation: "query")]),
            .fires("a Bulk export whose last row (deleted) says 0: the job's largest count is what it read",
                   [.api("2026-11-23T14:00:00Z", type: "BulkApi2", loginKey: "B2", job: "7505g00000QJob2", state: "created", operation: "query"),
                    .api("2026-11-23T14:05:00Z", type: "BulkApi2", loginKey: "B2", rows: 48_210, job: "7505g00000QJob2", state: "jobComplete", operation: "query"),
                    .api("2026-11-23T14:05:24Z", type: "BulkApi2", loginKey: "B2", rows: 0, job: "7505g00000QJob2", state: "deleted", operation: "query")]),
        ]
    }
}
