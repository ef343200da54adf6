struct QueryJobDeletedRule: Rule {
    let id = "query-job-deleted"
    let title = "Bulk query job deleted right after it completed"
    let defaultSeverity = Severity.high
    let cause = Cause.misuse
    let remedy = "Treat it as an export someone hid: revoke the app's tokens, rotate its refresh token or secret, and find where the data went."
    let verdict: String? = "{who} deleted a Bulk query job right after it finished"
    let rationale = """
        A Bulk API query job holds its results until it is deleted. Deleting it seconds after it completed, from the \
        same session or user, is cleaning up after an export: the 2025 Salesloft Drift intrusions ran a Bulk 2.0 query \
        on Case and deleted the job at once. Check who the session belongs to, what the job read (entity, records) \
        and where it came from; revoke the app's tokens if it is not yours.
        """
    let knobs = ["rules.query-job-deleted.windowSeconds (default 600)"]

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        let window = Int64(c.windowSeconds(id, default: 600)) * 1000
        var completed: [String: BulkEvent] = [:]   // job → its completion (query jobs), while a deletion can still follow
        struct Cleanup { var jobs: [(done: BulkEvent, deleted: BulkEvent)] = [] }
        var byWho: [String: Cleanup] = [:]
        var pruned: Int64?
        try c.facts.forEachBulkEvent(beyond: window) { e in
            guard let job = e.job else { return }
            if pruned.map({ e.time - $0 > window }) ?? true {   // completions older than the window can no longer match
                completed = completed.filter { e.time - $0.value.time <= window }
                pruned = e.time
            }
            if e.isComplete && e.isQuery && e.time <= c.windowEnd { completed[job] = e; return }
            guard e.isDeleted, let done = completed[job], e.time - done.time <= window,
                  e.loginKey == done.loginKey || e.user == done.user else { return }
            completed[job] = nil
            byWho[done.user ?? done.loginKey ?? "?", default: Cleanup()].jobs.append((done, e))
        }
        // One finding per user (or session): the cause is whoever exports and cleans up.
        return byWho.map { who, cleanup in
            let jobs = cleanup.jobs
            let records = jobs.map { max($0.done.jobRecords, $0.deleted.jobRecords) }.reduce(0, +)
            let entities = Set(jobs.compactMap(\.done.entity)).sorted().joined(separator: ", ")
            let fastest = jobs.map { ($0.deleted.time - $0.done.time) / 1000 }.min() ?? 0
            let ips = Set(jobs.compactMap(\.done.ip)).sorted()
            return Finding(rule: id, severity: defaultSeverity, firstSeen: jobs.map(\.done.time).min() ?? 0, lastSeen: jobs.map(\.deleted.time).max() ?? 0,
                           user: who, sourceIp: ips.count == 1 ? ips.first : nil,
                           message: "\(who) deleted \(jobs.count) Bulk query job(s) on \(entities.isEmpty ? "an unrecorded object" : entities) (\(records) records) "
                               + "\(fastest) s after completion\(ips.isEmpty ? "" : " from " + ips.joined(separator: ", ")): cleaning up after an export",
                           count: jobs.count, evidence: jobs.flatMap { [$0.done.evidence, $0.deleted.evidence] }, identity: [who])
        }
    }

    var examples: [RuleExample] {
        func job(_ id: String, _ states: [(String, String)], operation: String = "query", user: String = "drift@acme.example", rows: Int64? = nil) -> [ExampleEvent] {
            states.map { at, state in
                .api(at, type: "BulkApi2", user: user, loginKey: "Kf3Jq8sLm2Nv5RtW", ip: "44.215.30.7", entity: "Case",
                     rows: state == "JobComplete" ? rows : nil, job: id, state: state, operation: operation)
            }
        }
        return [
            .fires("a Case export deleted 9 s after it completed", findings: 1,
                   job("7505g00000QJob1", [("2026-11-24T02:15:02Z", "created"), ("2026-11-24T02:17:31Z", "JobComplete"), ("2026-11-24T02:17:40Z", "deleted")], rows: 184_223)),
            .fires("two exports cleaned up by one user: one finding", findings: 1,
                   job("7505g00000QJob1", [("2026-11-24T02:17:31Z", "JobComplete"), ("2026-11-24T02:17:40Z", "deleted")], rows: 10)
                   + job("7505g00000QJob2", [("2026-11-24T03:00:00Z", "complete"), ("2026-11-24T03:01:00Z", "deleted")], rows: 20)),
            .quiet("a nightly export whose job is left to expire",
                   job("7505g00000QJob3", [("2026-11-24T02:00:00Z", "created"), ("2026-11-24T02:05:00Z", "JobComplete")], rows: 5000)),
            .quiet("deleted a day later", job("7505g00000QJob4", [("2026-11-23T02:00:00Z", "JobComplete"), ("2026-11-24T02:00:00Z", "deleted")])),
            .quiet("an ingest job deleted after it finished",
                   job("7505g00000IJob5", [("2026-11-24T02:00:00Z", "JobComplete"), ("2026-11-24T02:00:30Z", "deleted")], operation: "insert")),
        ]
    }
}
