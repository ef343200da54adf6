import Foundation
import Testing
@testable import TokenTrail

@Suite struct AnalysisTests {
    static func scanSamples() throws -> (String, ScanResult, Database) {
        let dir = try TestSupport.temporaryDirectory()
        let (result, db) = try TestSupport.scan([TestSupport.samples], db: dir + "/db.sqlite", policy: TestSupport.samples + "/policy.json")
        return (dir, result, db)
    }

    @Test func theSampleIncidentsAreFoundWithTheirEvidence() throws {
        let (_, result, db) = try Self.scanSamples()
        let span = try #require(result.span)
        let findings = try Analyzer.run(db: db, policy: result.policy, windowStart: span.0, windowEnd: span.1).findings
        func find(_ rule: String, _ text: String) -> Finding? { findings.first { $0.rule == rule && $0.message.contains(text) } }
        // Subject switch, seen from both sides; the server row only had a user id.
        #expect(find("unexpected-subject", "logged in by JWT bearer as dara.okafor@acme.example")?.evidence.first?.contains("LoginHistory_api") == true)
        #expect(find("unexpected-subject", "etl-02 requested JWT bearer tokens for dara.okafor") != nil)
        // The slow clock is named with its size; etl-01 beside it is not.
        let expired = try #require(find("expired-assertion", "etl-02"))
        #expect(expired.message.contains("215 s slow"))
        #expect(expired.count == 76)
        #expect(!findings.contains { $0.rule == "expired-assertion" && $0.host == "etl-01" })
        let skew = try #require(findings.first { $0.rule == "clock-skew" })
        #expect(skew.host == "etl-02" && skew.severity == .high && skew.message.contains("215 s slow") && skew.message.contains("from 2026-11-19T10:00:00Z"))
        #expect(findings.filter { $0.rule == "clock-skew" }.count == 1)   // etl-01, correct beside it, is not flagged
        // The key used from elsewhere.
        #expect(find("new-source-ip", "203.0.113.77")?.message.contains("erp-integration@acme.example") == true)
        // The unapproved subject and the burst.
        #expect(find("consumer-not-approved", "qa-bot@acme.example") != nil)
        #expect(find("failure-burst", "host etl-03")?.count == 30)
        #expect(find("okta-invalid-session", "'Bearer'") != nil)
        // The stolen key: server logins with no client request, and nothing else unmatched.
        let unmatched = findings.filter { $0.rule == "unmatched-server-login" }
        #expect(unmatched.count == 1)
        #expect(unmatched.first?.sourceIp == "203.0.113.77" && unmatched.first?.count == 4 && unmatched.first?.severity == .critical)
        #expect(!findings.contains { $0.rule == "unmatched-client-success" })
        // Matched JWT bearer logins are now confirmed by the client's own request.
        #expect(try TestSupport.count(db, "SELECT count(*) FROM v_logins WHERE app = 'Acme ERP Sync' AND flow_basis = 'client_log'") > 400)
        #expect(try TestSupport.count(db, "SELECT count(*) FROM v_logins WHERE source_ip = '203.0.113.77' AND flow_basis = 'client_log'") == 0)
        #expect(findings.allSatisfy { !$0.evidence.isEmpty })
        // F. Chatline's stolen token (Nov 18): the token used from another network without a
        // new login, the Bulk export deleted at once, the new login from outside its networks.
        func lines(_ f: Finding) -> [String] { f.evidence.map { e in e.range(of: "samples/").map { String(e[$0.lowerBound...]) } ?? e } }
        let divergence = try #require(find("session-ip-divergence", "Chatline for Salesforce"))
        #expect(divergence.severity == .high && divergence.sourceIp == "203.0.113.66" && divergence.count == 3)
        // The login is Login History's row, with its ELF Login twin (which names the session) as second evidence.
        #expect(lines(divergence).first == "samples/salesforce/LoginHistory_api_2026-11-14_2026-11-20.csv:709")
        #expect(try db.scalar("SELECT twin_evidence FROM v_logins WHERE evidence LIKE '%LoginHistory_api_2026-11-14_2026-11-20.csv:709'").string?
            .hasSuffix("samples/eventlogfiles/chatline/Login_2026-11-07_2026-11-20.csv:135") == true)
        #expect(lines(divergence).dropFirst().allSatisfy { $0.hasPrefix("samples/eventlogfiles/chatline/RestApi_") })
        let deleted = try #require(find("query-job-deleted", "chatline-integration@acme.example"))
        #expect(deleted.message.contains("on Case (184223 records) 9 s after completion from 203.0.113.66"))
        #expect(lines(deleted) == ["samples/eventlogfiles/chatline/BulkApi2_2026-11-07_2026-11-20.csv:40",
                                     "samples/eventlogfiles/chatline/BulkApi2_2026-11-07_2026-11-20.csv:41"])
        let outside = try #require(find("new-source-ip", "Chatline for Salesforce logged in from 203.0.113.66"))
        #expect(outside.count == 1 && outside.message.contains("(1×"))   // one login, in Login History and ELF Login alike
        // The week before is its history (baselines look back from each week, however the scan was cut): high.
        #expect(find("session-export-volume", "chatline-integration@acme.example read 184226 records")?.severity == .high)
        // Its nightly Lead exports are not first uses, nor cleanups.
        #expect(!findings.contains { $0.rule == "bulk-first-use" })
        #expect(findings.filter { $0.rule == "query-job-deleted" }.count == 1)
        // G. emma.brown's Okta session replayed from a hosting address (Nov 20).
        let replay = try #require(find("okta-session-replay", "emma.brown@acme.example"))
        #expect(replay.sourceIp == "203.0.113.201" && replay.count == 2)
        #expect(lines(replay) == ["samples/okta/system-log_2026-11-20.jsonl:23", "samples/okta/system-log_2026-11-20.jsonl:24"])
        #expect(findings.filter { $0.rule == "okta-session-replay" }.count == 1)
    }

    /// Reviewing the planted week with the week before as history (`--since`), the rules that
    /// judge against history see the vendor replay too; the vendor's ordinary clients do not count.
    @Test func theVendorReplayAgainstTheWeekBefore() throws {
        let (_, result, db) = try Self.scanSamples()
        let start = try #require(TimeParser.parse("2026-11-14T00:00:00Z")).epochMs, end = try #require(result.span).1
        let findings = try Analyzer.run(db: db, policy: result.policy, windowStart: start, windowEnd: end).findings
        let drift = findings.filter { $0.rule == "client-fingerprint-drift" }
        #expect(drift.count == 2, "\(drift.map(\.message))")
        #expect(drift.allSatisfy { $0.severity == .high && $0.message.contains("from a network it never used") })
        #expect(drift.contains { $0.app == "Chatline for Salesforce" && $0.message.contains("'python-requests/2.32.4' (1×)") })
        #expect(drift.contains { $0.user == "chatline-integration@acme.example" && $0.message.contains("'Python/3.11 aiohttp/3.12.15' (3×)") })
        let volume = try #require(findings.first { $0.rule == "session-export-volume" && $0.user == "chatline-integration@acme.example" })
        #expect(volume.severity == .high && volume.message.contains("over 10× its usual"))
        #expect(!findings.contains { $0.rule == "bulk-first-use" })
    }

    @Test func clockOffsetsAreStoredPerHostAndHourByEachEstimator() throws {
        let (_, result, db) = try Self.scanSamples()
        let span = try #require(result.span)
        _ = try Analyzer.run(db: db, policy: result.policy, windowStart: span.0, windowEnd: span.1)
        func median(_ host: String, _ estimator: String, _ when: String) throws -> Int {
            try TestSupport.count(db, """
                SELECT median_ms FROM v_clock_offsets WHERE host = '\(host)' AND estimator = '\(estimator)' AND hour_utc LIKE '\(when)%'
                ORDER BY hour_ms LIMIT 1
                """)
        }
        // etl-02 is 215 s slow from Nov 19 10:00 by the Date header; before, it was right,
        // and its matched logins agree with the header within a second.
        #expect(abs(try median("etl-02", "server_date", "2026-11-19T12") - 215_000) < 1_000)
        #expect(abs(try median("etl-02", "server_date", "2026-11-18T12")) < 1_000)
        #expect(abs(try median("etl-02", "matched_login", "2026-11-18T12")) < 1_000)
        #expect(abs(try median("etl-01", "iat_lag", "2026-11-18T12")) < 1_000)
        #expect(try TestSupport.count(db, "SELECT count(DISTINCT estimator) FROM clock_offsets") == 3)
    }

    @Test func aNormalWeekYieldsNothingAtMediumOrAbove() throws {
        let (_, result, db) = try Self.scanSamples()
        // Nov 7–13 is background only (the Setup downloads).
        let start = try #require(TimeParser.parse("2026-11-07T00:00:00Z")).epochMs
        let end = try #require(TimeParser.parse("2026-11-13T23:59:59Z")).epochMs
        let findings = try Analyzer.run(db: db, policy: result.policy, windowStart: start, windowEnd: end).findings
        #expect(findings.filter { $0.severity >= .medium }.map(\.message) == [])
    }

    @Test func rerunningAddsNoFindingAndNoDuplicate() throws {
        let (_, result, db) = try Self.scanSamples()
        let span = try #require(result.span)
        let first = try Analyzer.run(db: db, policy: result.policy, windowStart: span.0, windowEnd: span.1)
        let again = try Analyzer.run(db: db, policy: result.policy, windowStart: span.0, windowEnd: span.1)
        #expect(first.new.count == first.findings.count)
        #expect(again.new.isEmpty)
        #expect(again.findings.map(\.fingerprint) == first.findings.map(\.fingerprint))
        #expect(try TestSupport.count(db, "SELECT count(*) FROM findings") == first.findings.count)
    }

    @Test func findingsNameUsersWhereverAnySourceNamesTheId() throws {
        // The Login History API export has user ids only; an Event Monitoring row names the id.
        let example = RuleExample.fires("ids named by another export", [
            .login("2026-11-21T05:00:00Z", app: nil, user: "erp@acme.example", flow: .jwtBearer, userId: "0055g00000ErpInAAJ", elf: true),
            .login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "", flow: .jwtBearer, status: "Failed: Invalid Timestamp", userId: "0055g00000ErpInAAJ"),
            .login("2026-11-21T06:01:00Z", app: "Acme ERP Sync", user: "", flow: .jwtBearer, status: "Failed: Invalid Timestamp", userId: "0055g00000OpsUsAAJ")])
        let rule = try #require(RuleCatalog.rule(id: "expired-assertion"))
        let findings = try ExampleLoader.evaluate(rule, example, databasePath: try TestSupport.temporaryDirectory() + "/names.sqlite")
        let finding = try #require(findings.first)
        #expect(findings.count == 1)
        #expect(Set(finding.users.map(\.name)) == ["erp@acme.example", "0055g00000OpsUsAAJ"])
        #expect(finding.message.contains("erp@acme.example"))
    }

    @Test func severityFollowsImpact() throws {
        let rule = try #require(RuleCatalog.rule(id: "expired-assertion"))
        func severity(_ events: [ExampleEvent]) throws -> Severity? {
            try ExampleLoader.evaluate(rule, .fires("impact", events), databasePath: try TestSupport.temporaryDirectory() + "/impact.sqlite").first?.severity
        }
        let failed = "Failed: Invalid Timestamp"
        // Two failures of one person among an app's many logins: one level down.
        var busy: [ExampleEvent] = (0..<20).map { i in
            .login("2026-11-21T06:\(String(format: "%02d", i * 2)):00Z", app: "Acme Portal", user: "user\(i)@acme.example", flow: .webServer)
        }
        busy += [.login("2026-11-21T07:00:00Z", app: "Acme Portal", user: "bob@acme.example", flow: .webServer, status: failed),
                 .login("2026-11-21T07:01:00Z", app: "Acme Portal", user: "bob@acme.example", flow: .webServer, status: failed)]
        #expect(try severity(busy) == .medium)
        // An integration whose every login fails: the rule's severity.
        #expect(try severity((0..<3).map { i in
            .login("2026-11-21T06:0\(i):00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer, status: failed)
        }) == .high)
        // The same failure across many users: the rule's severity however small a share.
        #expect(try severity(busy + ["a", "b", "c"].map { .login("2026-11-21T08:00:00Z", app: "Acme Portal", user: "\($0)@acme.example", flow: .webServer, status: failed) }) == .high)
    }

    @Test func aDatabaseAnalysedAtAnOlderGrainConverges() throws {
        // A database from before issue 14 holds one expired-assertion finding per app × user.
        // Re-analysing the period's weeks retires them for the one finding per cause; a finding
        // outside those weeks, which this analysis cannot judge, stays.
        let (_, result, db) = try Self.scanSamples()
        let span = try #require(result.span)
        let fresh = try Analyzer.run(db: db, policy: result.policy, windowStart: span.0, windowEnd: span.1)
        for (fingerprint, first, last) in [("old-grain-inside", span.0 + 1000, span.0 + 2000), ("old-grain-outside", AnalysisWeeks.weekStart(containing: span.0) - 10_000, AnalysisWeeks.weekStart(containing: span.0) - 5000)] {
            _ = try db.rows("""
                INSERT INTO findings(fingerprint, rule, severity, first_seen, last_seen, app, user, message, count, evidence)
                VALUES(?, 'expired-assertion', 'high', ?, ?, 'Acme ERP Sync', 'a@acme.example', '1 login(s) of Acme ERP Sync as a@acme.example failed', 1, '[]')
                """, [.text(fingerprint), .integer(first), .integer(last)])
        }
        let again = try Analyzer.run(db: db, policy: result.policy, windowStart: span.0, windowEnd: span.1)
        #expect(Set(again.findings.map(\.fingerprint)) == Set(fresh.findings.map(\.fingerprint)))
        let stored = Set(try db.rows("SELECT fingerprint FROM findings").compactMap { $0[0].string })
        #expect(stored == Set(fresh.findings.map(\.fingerprint)).union(["old-grain-outside"]))
        // And it stays converged.
        _ = try Analyzer.run(db: db, policy: result.policy, windowStart: span.0, windowEnd: span.1)
        #expect(try TestSupport.count(db, "SELECT count(*) FROM findings") == stored.count)
        // A finding at the current grain that this run does not raise (a first-seen finding a wider
        // window without history cannot judge) is kept: only the older grain is retired.
        _ = try db.rows("""
            INSERT INTO findings(fingerprint, rule, severity, first_seen, last_seen, app, message, count, evidence, grain)
            VALUES('current-grain', 'new-source-ip', 'medium', ?, ?, 'Acme ERP Sync', 'Acme ERP Sync logged in from a new network', 4, '[]', 1)
            """, [.integer(span.0 + 1000), .integer(span.0 + 2000)])
        _ = try Analyzer.run(db: db, policy: result.policy, windowStart: span.0, windowEnd: span.1)
        #expect(try TestSupport.count(db, "SELECT count(*) FROM findings WHERE fingerprint = 'current-grain'") == 1)
    }

    @Test func findingsNDJSONHasTheContractKeysAndFailOnSetsTheExitCode() throws {
        let dir = try TestSupport.temporaryDirectory()
        let run = try TestSupport.runCLI(["scan", "samples", "--policy", "samples/policy.json", "--db", dir + "/db.sqlite",
                                          "--findings", "-", "--fail-on", "high"], cwd: TestSupport.packageRoot.path)
        #expect(run.status == 1)
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.count >= 8)
        // DESIGN.md's keys, plus the users a finding covers (one finding per cause, issue 14).
        let keys: Set<String> = ["rule", "severity", "time", "first_seen", "last_seen", "app", "user", "host", "source_ip",
                                 "message", "count", "evidence", "fingerprint", "users", "user_count", "recurrence_of", "incident", "state"]
        for line in lines {
            let object = try #require(try JSONParser.parse(String(line)).object)
            #expect(Set(object.keys) == keys)
            #expect(object["users"]?.array?.count == Int(object["user_count"]?.integer ?? -1) || (object["user_count"]?.integer ?? 0) > Int64(Finding.maxUsers))
            #expect(Severity(rawValue: object["severity"]?.string ?? "") != nil)
            for key in ["time", "first_seen", "last_seen"] {
                let text = object[key]?.string ?? ""
                #expect(text.contains("T") && TimeParser.parse(text)?.hasZone == true, "\(key) is not ISO 8601: \(text)")
            }
        }
        #expect(run.stderr.contains("Findings ("))   // the human summary moved to stderr
        let calm = try TestSupport.runCLI(["scan", "samples", "--policy", "samples/policy.json", "--db", dir + "/db.sqlite",
                                           "--since", "2026-11-07T00:00:00Z", "--until", "2026-11-13T23:59:59Z",
                                           "--fail-on", "medium", "--quiet"], cwd: TestSupport.packageRoot.path)
        #expect(calm.status == 0)
        #expect(try TestSupport.runCLI(["scan", "samples", "--fail-on", "severe"], cwd: TestSupport.packageRoot.path).status == 64)
    }

    @Test func noAnalysisStoresWithoutFindingsAndALaterScanAnalyzesTheWindow() throws {
        let dir = try TestSupport.temporaryDirectory()
        let root = TestSupport.packageRoot.path
        let load = try TestSupport.runCLI(["scan", "samples", "--policy", "samples/policy.json", "--db", dir + "/db.sqlite", "--no-analysis"], cwd: root)
        #expect(load.status == 0)
        #expect(!load.stdout.contains("Findings"))
        let db = try Database(path: dir + "/db.sqlite")
        #expect(try TestSupport.count(db, "SELECT count(*) FROM findings") == 0)
        try FileManager.default.createDirectory(atPath: dir + "/nothing", withIntermediateDirectories: true)
        let later = try TestSupport.runCLI(["scan", dir + "/nothing", "--policy", "samples/policy.json", "--db", dir + "/db.sqlite",
                                            "--since", "2026-11-14T00:00:00Z", "--until", "2026-11-21T00:00:00Z", "--findings", "-"], cwd: root)
        #expect(later.status == 0)
        #expect(later.stdout.contains("\"rule\":\"expired-assertion\""))
        #expect(try TestSupport.runCLI(["scan", "samples", "--no-analysis", "--fail-on", "high"], cwd: root).status == 64)
    }

    @Test func theCatalogPrintsFromTheRulesMetadata() throws {
        let markdown = try TestSupport.runCLI(["rules", "--format", "markdown"])
        #expect(markdown.status == 0)
        for rule in RuleCatalog.all { #expect(markdown.stdout.contains("| `\(rule.id)` | \(rule.defaultSeverity.rawValue) |")) }
        let json = try JSONParser.parse(try TestSupport.runCLI(["rules", "--format", "json"]).stdout)
        #expect(json.array?.count == RuleCatalog.all.count)
        #expect(try TestSupport.runCLI(["rules", "--format", "yaml"]).status == 64)
    }

    @Test func theDocsRulesTableIsTheGeneratedOne() throws {
        let rules = try String(contentsOfFile: TestSupport.packageRoot.appendingPathComponent("docs/rules.md").path, encoding: .utf8)
        #expect(rules.contains(FindingsOutput.catalog(format: .markdown)), "regenerate it: tokentrail rules --format markdown")
    }
}
