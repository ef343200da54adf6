import Foundation
import Testing
@testable import TokenTrail

/// One database, week after week (DESIGN.md, History; issue 23): a generated org scanned the
/// way users scan it, through the CLI: weekly runs, a late file, a re-scan, the same weeks in
/// one run, a week whose sources were not collected, a recurrence after a quiet gap.
@Suite(.serialized) struct HistoryTests {
    struct Org {
        let root: String, folders: [String], late: String, policy: String
    }

    static func org() throws -> Org {
        let root = try TestSupport.temporaryDirectory()
        let written = try MultiWeekOrg.write(to: root)
        return Org(root: root, folders: written.folders, late: written.late, policy: written.policy)
    }

    @discardableResult
    static func scan(_ inputs: [String], _ org: Org, db: String, _ extra: [String] = []) throws -> (status: Int32, stdout: String, stderr: String) {
        let run = try TestSupport.runCLI(["scan"] + inputs + ["--policy", org.policy, "--db", db, "--quiet"] + extra)
        #expect(run.status != 2 && run.status != 64, "\(run.stderr)")
        return run
    }

    /// What the contract compares: each finding (rule, fingerprint, first and last seen, count,
    /// evidence, recurrence) and each incident (id, findings, times, blast radius).
    static func findings(_ db: String) throws -> [String] {
        try Database(path: db).rows("""
            SELECT rule || ' ' || fingerprint || ' ' || first_seen || ' ' || last_seen || ' ' || count || ' ' || coalesce(recurrence_of, '-') || ' ' || evidence
            FROM findings ORDER BY fingerprint
            """).compactMap { $0[0].string }
    }

    static func incidents(_ db: String) throws -> [String] {
        try Database(path: db).rows("""
            SELECT id || ' ' || severity || ' ' || first_seen || ' ' || last_seen || ' ' || findings || ' ' || api_calls || ' ' || records_read || ' '
                   || sessions || ' ' || ips || ' ' || coalesce(recurrence_of, '-')
            FROM incidents ORDER BY id
            """).compactMap { $0[0].string }
    }

    static func members(_ db: String) throws -> [String] {
        try Database(path: db).rows("SELECT fingerprint || ' ' || incident_id FROM incident_findings ORDER BY 1").compactMap { $0[0].string }
    }

    struct Stolen {
        let finding: Finding
        let incident: [String: SQLValue]
    }

    /// The ERP key's `unmatched-server-login` episode that began in week 1, and its incident.
    static func stolenKey(_ db: String) throws -> Stolen? {
        let database = try Database(path: db)
        let first = MultiWeekOrg.weekStart(1), second = MultiWeekOrg.weekStart(2)
        guard let finding = try FindingsTable.load(database, since: first, until: second - 1).first(where: { $0.rule == "unmatched-server-login" }),
              let id = finding.incident,
              let row = try database.records("SELECT id, records_read, api_calls, ips, findings, first_seen, last_seen FROM incidents WHERE id = ?", [.text(id)]).first
        else { return nil }
        var incident: [String: SQLValue] = [:]
        for column in ["id", "records_read", "api_calls", "ips", "findings", "first_seen", "last_seen"] { incident[column] = row[column] }
        return Stolen(finding: finding, incident: incident)
    }

    static func timelineRows(_ db: String, incident: String) throws -> Int {
        let run = try TestSupport.runCLI(["timeline", "--db", db, "--incident", incident, "--format", "csv"])
        #expect(run.status == 0, "\(run.stderr)")
        return run.stdout.split(separator: "\n").count - 1
    }

    @Test func weekAfterWeekNothingEstablishedIsLost() throws {
        let org = try Self.org(), db = org.root + "/weekly.sqlite"
        try Self.scan([org.folders[0]], org, db: db)
        try Self.scan([org.folders[1]], org, db: db)
        let week1 = try #require(try Self.stolenKey(db))
        #expect(week1.finding.severity == .critical && week1.finding.count == 3)
        #expect(week1.incident["records_read"]?.int == 6_000)
        let timeline1 = try Self.timelineRows(db, incident: week1.incident["id"]?.string ?? "")

        // Week 2: a legitimate unpaired login and the attacker back from a new address. The
        // episode grows; its first time, first evidence and incident stay.
        try Self.scan([org.folders[2]], org, db: db)
        let week2 = try #require(try Self.stolenKey(db))
        #expect(week2.finding.fingerprint == week1.finding.fingerprint && week2.incident["id"] == week1.incident["id"])
        #expect(week2.finding.count == 3 + 3 && week2.finding.firstSeen == week1.finding.firstSeen)
        #expect(Array(week2.finding.evidence.prefix(week1.finding.evidence.count)) == week1.finding.evidence)
        #expect(week2.finding.message.contains("203.0.113.77") && week2.finding.message.contains("203.0.113.88"), "\(week2.finding.message)")
        // The attacker's reads from both addresses (and the engineer's session's own queries: its login is in the finding).
        let read2 = week2.incident["records_read"]?.int ?? 0
        #expect(read2 >= 6_000 + 4_000 && read2 < 6_000 + 4_000 + 500)
        let ips = (try JSONParser.parse(week2.incident["ips"]?.string ?? "[]")).array?.compactMap(\.string) ?? []
        #expect(ips.contains("203.0.113.77") && ips.contains("203.0.113.88"))
        #expect(try Self.timelineRows(db, incident: week2.incident["id"]?.string ?? "") > timeline1)

        // Week 1's RestApi file arrives late: its rows grow week 1's incident's blast radius.
        try Self.scan([org.late], org, db: db)
        let late = try #require(try Self.stolenKey(db))
        #expect(late.incident["id"] == week1.incident["id"] && late.incident["records_read"]?.int == read2 + 15_000)

        // Week 3 was not collected from Okta, ELF RestApi or sync-01: silence is said, at medium.
        let silent = try Self.scan([org.folders[3]], org, db: db, ["--findings", "-", "--fail-on", "medium"])
        #expect(silent.status == 1)
        let gaps = silent.stdout.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) }
            .filter { $0["rule"]?.string == "coverage-gap" && $0["severity"]?.string == "medium" }.compactMap { $0["message"]?.string }
        // (The generated ELF files carry every column, so their type is not told from the header.)
        for source in ["Okta System Log", "ELF (other event types)", "token log of sync-01"] {
            #expect(gaps.contains { $0.contains("\(source) (none since") }, "\(source): \(gaps)")
        }
        #expect(gaps.count == 1 && !gaps.contains { $0.contains("Login History") })

        // The review resolves the stolen key's incident (issue 27): the decision survives the scans after it.
        let week1Id = try #require(week1.incident["id"]?.string)
        _ = try TriageTable.record(try Database(path: db), incident: week1Id, state: .resolved, note: "certificate rotated", by: "alice")

        // Week 4 quiet, week 5 the key again after more than a week: a new episode that names
        // the earlier one, in a new incident that names the earlier incident.
        try Self.scan([org.folders[4]], org, db: db)
        try Self.scan([org.folders[5]], org, db: db)
        let database = try Database(path: db)
        let episodes = try FindingsTable.load(database, causes: [week1.finding.cause]).sorted { $0.firstSeen < $1.firstSeen }
        #expect(episodes.count == 2)
        #expect(episodes.first?.fingerprint == week1.finding.fingerprint && episodes.first?.count == 6)
        #expect(episodes.last?.recurrenceOf == week1.finding.fingerprint && episodes.last?.count == 2)
        let recurrence = try #require(episodes.last?.incident)
        #expect(recurrence != week1.incident["id"]?.string)
        #expect(try database.scalar("SELECT recurrence_of FROM incidents WHERE id = ?", [.text(recurrence)]).string == week1.incident["id"]?.string)
        // The recurrence after the decision reopens as a new incident, open, naming the resolved one.
        #expect(try IncidentsTable.load(database, id: recurrence)?.state == .open)
        #expect(try IncidentsTable.load(database, id: week1Id)?.state == .resolved)
        #expect(try IncidentsTable.load(database, id: week1Id)?.triage.last?.note == "certificate rotated")
        let final = try #require(try Self.stolenKey(db))
        #expect(final.incident["records_read"]?.int == read2 + 15_000 && final.finding.count == 6)

        // Re-scanning every file already read changes no finding, incident or membership.
        let (findings, incidents, members) = (try Self.findings(db), try Self.incidents(db), try Self.members(db))
        try Self.scan(org.folders + [org.late], org, db: db)
        #expect(try Self.findings(db) == findings)
        #expect(try Self.incidents(db) == incidents)
        #expect(try IncidentsTable.load(try Database(path: db), id: week1Id)?.state == .resolved)
        #expect(try Self.members(db) == members)
    }

    @Test func oneRunFindsWhatWeeklyRunsFind() throws {
        let org = try Self.org()
        let weekly = org.root + "/weekly.sqlite", once = org.root + "/once.sqlite"
        for folder in org.folders { try Self.scan([folder], org, db: weekly) }
        try Self.scan(org.folders, org, db: once, ["--since", MultiWeekOrg.iso(MultiWeekOrg.weekStart(0))])
        let (a, b) = (try Self.findings(weekly), try Self.findings(once))
        #expect(a.count > 5)
        #expect(a == b, "\(Set(a).symmetricDifference(b).sorted())")
        let (x, y) = (try Self.incidents(weekly), try Self.incidents(once))
        #expect(x == y, "\(Set(x).symmetricDifference(y).sorted())")
        #expect(try Self.members(weekly) == Self.members(once))
    }

    @Test func weeksScannedOutOfOrderFindWhatOneRunFinds() throws {
        // The later weeks first, the earlier ones late: each late week's analysis evaluates the
        // weeks analysed after it again (their history changed), so the end is the same.
        let org = try Self.org()
        let shuffled = org.root + "/shuffled.sqlite", once = org.root + "/once.sqlite"
        for folder in org.folders[2...] + org.folders[..<2] { try Self.scan([folder], org, db: shuffled) }
        try Self.scan(org.folders, org, db: once, ["--since", MultiWeekOrg.iso(MultiWeekOrg.weekStart(0))])
        let (a, b) = (try Self.findings(shuffled), try Self.findings(once))
        #expect(a == b, "\(Set(a).symmetricDifference(b).sorted())")
    }

    @Test func noInputAndAnEmptyPeriodAreNeverAQuietRun() throws {
        let org = try Self.org(), db = org.root + "/db.sqlite"
        // An empty folder: exit 2, naming it.
        let empty = org.root + "/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let none = try TestSupport.runCLI(["scan", empty, "--db", db])
        #expect(none.status == 2 && none.stderr.contains(empty) && none.stderr.contains("no file to read"))
        // A folder reached through a symbolic link is read, and a link back up the tree ends the walk.
        let linked = org.root + "/linked"
        try FileManager.default.createSymbolicLink(atPath: linked, withDestinationPath: org.folders[0])
        try FileManager.default.createSymbolicLink(atPath: org.folders[0] + "/loop", withDestinationPath: org.folders[0])
        let read = try TestSupport.runCLI(["scan", linked, "--policy", org.policy, "--db", db, "--quiet"])
        #expect(read.status == 0, "\(read.stderr)")
        #expect(try TestSupport.count(try Database(path: db), "SELECT count(*) FROM sources") == 4)
        // A period with no records: said on stderr, and a medium coverage-gap (so --fail-on medium alerts).
        let later = MultiWeekOrg.weekStart(9)
        let quiet = try TestSupport.runCLI(["scan", empty, "--policy", org.policy, "--db", db, "--since", MultiWeekOrg.iso(later),
                                            "--until", MultiWeekOrg.iso(later + 6 * MultiWeekOrg.day), "--findings", "-", "--fail-on", "medium"])
        #expect(quiet.status == 1, "\(quiet.stderr)")
        #expect(quiet.stderr.contains("holds no records"))
        #expect(quiet.stdout.contains("no records at all in the week of"))
        // "Findings: none" is never bare: without a policy or history, the summary says what was not judged.
        let fresh = try TestSupport.runCLI(["scan", org.folders[4], "--db", org.root + "/fresh.sqlite"])
        #expect(fresh.stdout.contains("Not judged:") && fresh.stdout.contains("no policy was given"), "\(fresh.stdout)")
    }

    @Test func aLateClientLogThatExplainsLoginsTakesThemOutOfTheIncident() throws {
        // etl-01's log arrives a run late: until then its logins look unpaired. Once it is read,
        // the stolen-key incident is what its records say: the attacker's address only, not
        // the org's own host (an incident keeps only what a narrower read could not see again).
        let dir = try TestSupport.temporaryDirectory(), db = dir + "/db.sqlite", root = TestSupport.samples
        let late = root + "/clients/etl-01_token-requests.jsonl"
        var first = try FileManager.default.subpathsOfDirectory(atPath: root).map { root + "/" + $0 }.filter {
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: $0, isDirectory: &isDirectory) && !isDirectory.boolValue && $0 != late && !$0.hasSuffix(".py") && !$0.hasSuffix(".md")
        }
        first.removeAll { $0.hasSuffix("policy.json") }
        let policy = ["--policy", root + "/policy.json", "--db", db, "--quiet"]
        #expect(try TestSupport.runCLI(["scan"] + first + policy).status != 2)
        #expect(try TestSupport.runCLI(["scan", late] + policy).status != 2)
        let database = try Database(path: db)
        let stolen = try #require(try FindingsTable.load(database, since: 0, until: .max).first { $0.rule == "unmatched-server-login" })
        #expect(stolen.count == 4 && stolen.message.contains("203.0.113.77") && !stolen.message.contains("198.51.100.23"), "\(stolen.message)")
        let incident = try #require(try IncidentsTable.load(database, since: 0, until: .max).first { $0.findings.contains(stolen.fingerprint) })
        #expect(incident.ips == ["203.0.113.77"], "\(incident.ips)")
        #expect(!incident.narrative.contains("198.51.100.23"))
        #expect(incident.blast.recordsRead == 26_222)
    }

    @Test func diffSaysNotCoveredWhereTheSourcesAreMissing() throws {
        let org = try Self.org(), db = org.root + "/db.sqlite"
        for folder in org.folders.prefix(4) { try Self.scan([folder], org, db: db) }
        let stolen = try #require(try Self.stolenKey(db)?.incident["id"]?.string)
        // Week 3 lacks ELF RestApi: the incidents its rows showed are not covered there, not resolved.
        let third = MultiWeekOrg.weekStart(3)
        let diff = try TestSupport.runCLI(["diff", "--db", db, "--since", MultiWeekOrg.iso(third), "--until", MultiWeekOrg.iso(third + 7 * MultiWeekOrg.day - 1),
                                           "--format", "json"])
        #expect(diff.status == 0, "\(diff.stderr)")
        let incidents = try #require(try JSONParser.parse(diff.stdout)["incidents"])
        let notCovered = incidents["not_covered"]?.array ?? []
        #expect(notCovered.contains { $0["id"]?.string == stolen && ($0["missing_sources"]?.array ?? []).contains(.string("ELF (other event types)")) })
        #expect(!(incidents["resolved"]?.array ?? []).contains { $0["id"]?.string == stolen })
        // The text lists ongoing and not-covered incidents by id and title.
        let text = try TestSupport.runCLI(["diff", "--db", db, "--since", MultiWeekOrg.iso(third), "--until", MultiWeekOrg.iso(third + 7 * MultiWeekOrg.day - 1)])
        #expect(text.stdout.contains("not covered") && text.stdout.contains(stolen))
    }
}

/// How an episode is told from its weeks' parts.
@Suite struct EpisodeTests {
    static func part(_ first: Int64, _ last: Int64, count: Int, _ message: String) -> Finding {
        Finding(rule: "coverage-gap", severity: .info, firstSeen: first, lastSeen: last, message: message, count: count,
                evidence: ["f.csv:\(first)"], identity: ["x"])
    }

    @Test func weeksOfNewRecordsAddUpAndTheSameStatementSeenFromTwoWeeksCountsOnce() {
        // Two weeks each with their own records and the same words: counts add, the words say how many weeks.
        let weekly = FindingsTable.combine([Self.part(10, 20, count: 2, "2 rows"), Self.part(700, 800, count: 2, "2 rows")])
        #expect(weekly.count == 4 && weekly.message == "2 rows (in each of 2 weeks)" && weekly.evidence == ["f.csv:10", "f.csv:700"])
        // One file's rejects, seen from each week the file spans: the same records, once.
        let state = FindingsTable.combine([Self.part(10, 800, count: 1, "1 row of f.csv"), Self.part(10, 800, count: 1, "1 row of f.csv")])
        #expect(state.count == 1 && state.message == "1 row of f.csv")
        // Different words: the first week's, then each later week's.
        let grown = FindingsTable.combine([Self.part(10, 20, count: 4, "4 logins from .77"), Self.part(700, 800, count: 3, "3 logins from .88")])
        #expect(grown.count == 7 && grown.message == "4 logins from .77 Then: 3 logins from .88" && grown.firstSeen == 10 && grown.lastSeen == 800)
    }
}

/// A backfill's weeks read each row once: a week's login and request tallies advance from the
/// week before's. They must be what a tally of that week read from scratch is.
@Suite struct AdvancingFactsTests {
    @Test func aTallyAdvancedToTheNextWeekIsTheOneReadFromScratch() throws {
        let (_, db) = try TestSupport.scan([TestSupport.samples], policy: TestSupport.samples + "/policy.json")
        let names = try SymbolNames(db: db), contexts = try ContextTable(db: db, names: names)
        let all = AnalysisWeeks(covering: try #require(TimeParser.parse("2026-11-07T00:00:00Z")).epochMs,
                                try #require(TimeParser.parse("2026-11-20T00:00:00Z")).epochMs).weeks
        #expect(all.count == 3)
        // In a row, and across a week no record falls in (a crafted far timestamp leaves such gaps).
        for weeks in [all, [all[0], all[2]]] {
        let logins = try LoginFacts(db: db, contexts: contexts, windowStart: weeks[0].start, windowEnd: weeks[0].end)
        let requests = try RequestFacts(db: db, names: names, windowStart: weeks[0].start, windowEnd: weeks[0].end, maxLifetime: 180)
        for week in weeks.dropFirst() {
            try logins.advance(db: db, contexts: contexts, windowStart: week.start, windowEnd: week.end)
            try requests.advance(db: db, names: names, windowStart: week.start, windowEnd: week.end)
            let fresh = try LoginFacts(db: db, contexts: contexts, windowStart: week.start, windowEnd: week.end)
            #expect(logins.window.mapValues { [Int64($0.count), $0.first, $0.last] } == fresh.window.mapValues { [Int64($0.count), $0.first, $0.last] })
            #expect(logins.history.mapValues { [Int64($0.count), $0.first, $0.last] } == fresh.history.mapValues { [Int64($0.count), $0.first, $0.last] })
            #expect(Set(logins.windowNetworks.keys) == Set(fresh.windowNetworks.keys) && logins.historyNetworks == fresh.historyNetworks)
            #expect(logins.windowDays == fresh.windowDays && logins.userPairs == fresh.userPairs && logins.tokenFlowApps == fresh.tokenFlowApps)
            #expect(logins.historyUsers == fresh.historyUsers && logins.historyAddresses == fresh.historyAddresses)
            #expect(logins.appClients.mapValues { [Int64($0.before), Int64($0.now), $0.first, $0.last] }
                    == fresh.appClients.mapValues { [Int64($0.before), Int64($0.now), $0.first, $0.last] })
            let freshRequests = try RequestFacts(db: db, names: names, windowStart: week.start, windowEnd: week.end, maxLifetime: 180)
            let counted: (RequestFacts) -> [RequestGroup: [Int64]] = { $0.window.mapValues { [Int64($0.group.count), $0.maxLifetime] } }
            #expect(counted(requests) == counted(freshRequests))
            #expect(requests.historySubjects == freshRequests.historySubjects && requests.hostDays == freshRequests.hostDays)
            #expect(Set(requests.hours.keys) == Set(freshRequests.hours.keys) && requests.userPairs == freshRequests.userPairs)
        }
        }
    }
}
