import Foundation
import Testing
@testable import TokenTrail

/// No false alarm, nothing hidden (issue 24), through the CLI as a user runs it: an org with
/// Event Monitoring exports every login twice (Login History and ELF Login), and its clean weeks
/// must stay quiet, its stolen key must be one critical finding citing exactly the attacker's
/// logins, and what a Bulk export read must be counted whatever its last row says.
@Suite struct NoFalseAlarmTests {
    static let policy = """
        {"version": 1, "apps": [
          {"name": "Acme ERP Sync", "clientIds": ["3MVG9ErpKey"], "flows": ["jwt_bearer"], "subjects": ["erp@acme.example"],
           "sourceCidrs": ["198.51.100.0/24"]},
          {"name": "Acme Reporting", "clientIds": ["3MVG9RptKey"], "flows": ["client_credentials"], "runAsUser": "reporting-bot@acme.example",
           "sourceCidrs": ["203.0.113.0/28"]}]}
        """
    static let erpUserId = "0055g00000ErpIntAAA", botUserId = "0055g00000RptBotAAA", adminUserId = "0055g00000AdminAAAA"

    static func iso(_ ms: Int64, fraction: Bool = false) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = fraction ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
        return f.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }

    /// One login in both exports: Login History on the whole second, ELF Login with its
    /// milliseconds, its login key and no app (ELF Login names none).
    static func login(_ ms: Int64, app: String, user: String, userId: String, flow: Flow, ip: String, key: String,
                      status: String = "Success") -> [ExampleEvent] {
        let second = ms - ms % 1000
        return [.login(iso(second), app: app, user: user, flow: flow, status: status, ip: ip, userId: userId),
                .login(iso(second + 381, fraction: true), app: nil, user: user, flow: flow, status: status, ip: ip, userId: userId, elf: true,
                       loginKey: key)]
    }

    /// Nov 2–15: the ERP integration's hourly JWT bearer logins with their client requests and
    /// its API reads; the reporting app's client credentials logins every two hours; people's SSO
    /// logins from the office. Every login in Login History and in ELF Login.
    /// `runAsFrom`: from then on, the reporting app runs as admin@ (its Run As user was changed).
    static func org(runAsFrom: Int64 = .max) -> [ExampleEvent] {
        var dice = QuietWeekTests.Dice(state: 24_2026), events: [ExampleEvent] = []
        let start: Int64 = 1_793_577_600_000   // 2026-11-02T00:00:00Z
        let hour: Int64 = 3_600_000
        for day in 0..<14 {
            let d0 = start + Int64(day) * 24 * hour
            for h in 0..<24 {
                let t = d0 + Int64(h) * hour + 7 * 60_000 + Int64(dice.roll(40_000)), key = "Erp\(day)x\(h)LoginKey00"
                events.append(.token(iso(t - 400, fraction: true), clientId: "3MVG9ErpKey", sub: "erp@acme.example"))
                events += login(t, app: "Acme ERP Sync", user: "erp@acme.example", userId: erpUserId, flow: .jwtBearer, ip: "198.51.100.23", key: key)
                if h % 3 == 0 {
                    events.append(.api(iso(t + 20_000), user: "erp@acme.example", loginKey: key, ip: "198.51.100.23", entity: "Opportunity",
                                       rows: Int64(20 + dice.roll(80)), agent: "acme-erp/3.1"))
                }
                if h % 2 == 1 {
                    let c = t + 20 * 60_000, admin = c >= runAsFrom
                    events.append(.token(iso(c - 300, fraction: true), host: "rpt-01", clientId: "3MVG9RptKey", grant: .clientCredentials, sub: nil, aud: nil,
                                         integration: "acme-reporting", userId: admin ? adminUserId : botUserId))
                    events += login(c, app: "Acme Reporting", user: admin ? "admin@acme.example" : "reporting-bot@acme.example",
                                    userId: admin ? adminUserId : botUserId, flow: .clientCredentials, ip: "203.0.113.10", key: "Rpt\(day)x\(h)LoginKey00")
                }
            }
            for person in 0..<5 {
                let t = d0 + 8 * hour + Int64(dice.roll(3_600_000))
                events += login(t, app: "Browser", user: "person\(person)@acme.example", userId: "0055g00000Pers\(person)AAA", flow: .saml,
                                ip: "192.0.2.\(10 + person)", key: "Sso\(day)x\(person)LoginKey0")
            }
        }
        return events
    }

    /// The ERP key used from elsewhere on Nov 11: three logins with no client request, each reading Accounts.
    static let attack: [ExampleEvent] = [0, 1, 2].flatMap { (i: Int64) -> [ExampleEvent] in
        let t: Int64 = 1_794_367_200_000 + i * 600_000   // 2026-11-11T06:00:00Z, 06:10, 06:20
        return login(t + 31_000, app: "Acme ERP Sync", user: "erp@acme.example", userId: erpUserId, flow: .jwtBearer, ip: "203.0.113.77", key: "Evil\(i)LoginKey0000")
            + [.api(iso(t + 60_000), user: "erp@acme.example", loginKey: "Evil\(i)LoginKey0000", ip: "203.0.113.77", entity: "Account", rows: 2000,
                    agent: "python-requests/2.32.4")]
    }

    static func review(_ events: [ExampleEvent]) throws -> (dir: String, status: Int32, findings: [[String: JSONValue]], stderr: String) {
        let dir = try TestSupport.temporaryDirectory()
        var files = ExampleFiles()
        for event in events { try files.add(event) }
        for (name, text) in files.rendered() {
            #expect(FileManager.default.createFile(atPath: dir + "/" + name, contents: Data(text.utf8)))
        }
        #expect(FileManager.default.createFile(atPath: dir + "/policy.json", contents: Data(policy.utf8)))
        let run = try TestSupport.runCLI(["scan", dir, "--policy", dir + "/policy.json", "--db", dir + "/db.sqlite", "--since", "2026-11-09T00:00:00Z",
                                          "--findings", "-", "--fail-on", "medium"])
        let findings = try run.stdout.split(separator: "\n").map { line -> [String: JSONValue] in
            guard case .object(let object) = try JSONParser.parse(String(line)) else { return [:] }
            return object
        }
        return (dir, run.status, findings, run.stderr)
    }

    static func loud(_ findings: [[String: JSONValue]]) -> [[String: JSONValue]] {
        findings.filter { ["medium", "high", "critical"].contains($0["severity"]?.string ?? "") }
    }

    @Test func aCleanOrgExportingBothLoginHistoryAndELFLoginIsQuiet() throws {
        let events = Self.org()
        let run = try Self.review(events)
        let loud = Self.loud(run.findings)
        #expect(run.status == 0 && loud.isEmpty, "\(loud.map { "\($0["rule"]?.string ?? ""): \($0["message"]?.string ?? "")" })\n\(run.stderr)")
        // One login each: the rows stored are the distinct logins, each ELF row kept as its twin's evidence.
        let db = try Database(path: run.dir + "/db.sqlite")
        let distinct = events.filter { if case .login(_, _, _, _, _, _, _, _, let elf, _, _) = $0 { return !elf }; return false }.count
        #expect(try TestSupport.count(db, "SELECT count(*) FROM logins") == distinct)
        #expect(try TestSupport.count(db, "SELECT count(*) FROM login_twins") == distinct)
        // Every ERP login of the reviewed week paired with its request, once.
        let week2: SQLValue = .integer(1_794_182_400_000)   // 2026-11-09T00:00:00Z
        #expect(try TestSupport.count(db, """
            SELECT count(*) FROM logins l JOIN matches m ON m.login_time = l.time AND m.login_key = l.key
            WHERE l.time >= ? AND l.app = (SELECT id FROM strings WHERE value = 'Acme ERP Sync')
            """, [week2]) == 7 * 24)
        // What ELF adds reaches the one row: its session, its second evidence.
        #expect(try TestSupport.count(db, "SELECT count(*) FROM v_logins WHERE login_key IS NULL OR twin_evidence IS NULL") == 0)
    }

    @Test func theSameOrgWithAStolenKeyRaisesOneCriticalCitingExactlyTheAttackersLogins() throws {
        let run = try Self.review(Self.org() + Self.attack)
        let critical = run.findings.filter { $0["severity"]?.string == "critical" }
        #expect(run.status == 1)
        #expect(critical.count == 1 && critical.first?["rule"]?.string == "unmatched-server-login", "\(critical)")
        let finding = try #require(critical.first)
        #expect(finding["count"]?.integer == 3 && finding["app"]?.string == "Acme ERP Sync" && finding["source_ip"]?.string == "203.0.113.77")
        // Its evidence: the attacker's three logins (Login History rows) and nothing else.
        let db = try Database(path: run.dir + "/db.sqlite")
        let attackerRows = Set(try db.rows("SELECT evidence FROM v_logins WHERE source_ip = '203.0.113.77'").compactMap { $0[0].string })
        let cited = Set(finding["evidence"]?.array?.compactMap(\.string) ?? [])
        #expect(attackerRows.count == 3 && cited == attackerRows, "\(cited) vs \(attackerRows)")
        // The incident holds what the key read: the three sessions' Accounts, joined through ELF's login keys.
        let read = try db.scalar("SELECT records_read FROM incidents WHERE rules LIKE '%unmatched-server-login%'").int
        #expect(read == 6000)
    }

    @Test func aChangedRunAsUserIsRunAsMismatchNotAStolenSecret() throws {
        let changed: Int64 = 1_794_398_400_000   // 2026-11-11T15:00:00Z, mid-week
        let run = try Self.review(Self.org(runAsFrom: changed))
        let rules = Set(Self.loud(run.findings).compactMap { $0["rule"]?.string })
        #expect(!run.findings.contains { $0["severity"]?.string == "critical" }, "\(run.findings.compactMap { $0["message"]?.string })")
        #expect(rules == ["run-as-mismatch"], "\(rules)")
        // The requests still pair with the logins: every reporting login of the reviewed week has its request.
        let db = try Database(path: run.dir + "/db.sqlite")
        #expect(try TestSupport.count(db, """
            SELECT count(*) FROM logins l WHERE l.time >= ? AND l.app = (SELECT id FROM strings WHERE value = 'Acme Reporting')
              AND NOT EXISTS (SELECT 1 FROM matches m WHERE m.login_time = l.time AND m.login_key = l.key)
            """, [.integer(1_794_182_400_000)]) == 0)
    }

    /// Values that are not what their column holds, or another spelling of the same value: a
    /// status `"200x"` (the request's outcome is then unknown, never a failure nobody sees: it
    /// still pairs, and the row is listed as repaired), ELF writing the ERP's address as
    /// `::ffff:198.51.100.23`, and Login History with 18-character ids lowercased by some tool.
    @Test func oddlySpelledValuesNeitherSplitLoginsNorBuryThem() throws {
        let dir = try TestSupport.temporaryDirectory()
        var files = ExampleFiles()
        for event in Self.org() { try files.add(event) }
        for (name, text) in files.rendered() {
            var content = text
            if name.hasSuffix(".jsonl") { content = content.replacingOccurrences(of: #""http_status":200"#, with: #""http_status":"200x""#) }
            if name == "ELF_Login.csv" { content = content.replacingOccurrences(of: ",198.51.100.23,", with: ",::ffff:198.51.100.23,") }
            if name == "LoginHistory.csv" { content = content.replacingOccurrences(of: "0055g00000Pers", with: "0055g00000pers").replacingOccurrences(of: "AAA,", with: "aaa,") }
            #expect(FileManager.default.createFile(atPath: dir + "/" + name, contents: Data(content.utf8)))
        }
        #expect(FileManager.default.createFile(atPath: dir + "/policy.json", contents: Data(Self.policy.utf8)))
        let run = try TestSupport.runCLI(["scan", dir, "--policy", dir + "/policy.json", "--db", dir + "/db.sqlite", "--since", "2026-11-09T00:00:00Z",
                                          "--findings", "-", "--fail-on", "medium"])
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        let db = try Database(path: dir + "/db.sqlite")
        // Every status was read as written and listed; none turned the requests into failures.
        #expect(try TestSupport.count(db, "SELECT count(*) FROM v_repairs WHERE field = 'http_status' AND kind = 'dropped'") == 14 * 24 + 14 * 12)
        #expect(try TestSupport.count(db, "SELECT count(*) FROM v_token_requests WHERE outcome = 'failure'") == 0)
        // One address, one id per user: every login's twins found, no address split in two.
        #expect(try TestSupport.count(db, "SELECT count(*) FROM v_logins WHERE origin = 'elf'") == 0)
        #expect(try TestSupport.count(db, "SELECT count(*) FROM strings WHERE value GLOB '::ffff:*' OR value GLOB '0055g00000pers?aaa'") == 0)
    }

    /// A Bulk API 2.0 export whose `deleted` row says `0` after `jobComplete` 48,210: the job's
    /// full records in the blast radius, the incidents NDJSON, the incident page and the timeline.
    @Test func aBulkJobWhoseLastRowSaysZeroIsCountedInFull() throws {
        let dir = try TestSupport.temporaryDirectory()
        let key = "Kf3Jq8sLm2Nv5RtW", ip = "44.215.30.7"
        func bulk(_ at: String, _ state: String, rows: Int64?) -> ExampleEvent {
            .api(at, type: "BulkApi2", user: "bob@acme.example", loginKey: key, ip: ip, entity: "Case", rows: rows,
                 job: "7505g00000Q8xCaAAJ", state: state, operation: "query")
        }
        let events: [ExampleEvent] = [
            .login("2026-11-23T14:00:00Z", app: nil, user: "bob@acme.example", flow: .usernamePassword, ip: ip, elf: true, loginKey: key),
            .api("2026-11-23T14:00:30Z", user: "bob@acme.example", loginKey: key, ip: ip, entity: "Contact", rows: 120),
            bulk("2026-11-23T14:01:00Z", "created", rows: nil), bulk("2026-11-23T14:01:02Z", "inProgress", rows: nil),
            bulk("2026-11-23T14:03:31Z", "jobComplete", rows: 48_210), bulk("2026-11-23T14:03:55Z", "deleted", rows: 0),
        ]
        var files = ExampleFiles()
        for event in events { try files.add(event) }
        for (name, text) in files.rendered() { #expect(FileManager.default.createFile(atPath: dir + "/" + name, contents: Data(text.utf8))) }
        let scan = try TestSupport.runCLI(["scan", dir, "--db", dir + "/db.sqlite", "--incidents", dir + "/incidents.ndjson", "--report", dir + "/report", "--quiet"])
        #expect(scan.status == 0, "\(scan.stderr)")
        let incidents = try String(contentsOfFile: dir + "/incidents.ndjson", encoding: .utf8).split(separator: "\n").map { try JSONParser.parse(String($0)) }
        let incident = try #require(incidents.first { ($0["bulk_jobs"]?.array?.isEmpty ?? true) == false })
        let job = try #require(incident["bulk_jobs"]?.array?.first)
        #expect(job["records"]?.integer == 48_210 && job["state"]?.string == "deleted")
        #expect(incident["records_read"]?.integer == 48_330)
        let rules = Set((incident["rules"]?.array ?? []).compactMap(\.string))
        #expect(rules.isSuperset(of: ["session-export-volume", "query-job-deleted"]), "\(rules)")
        // The incident page and the timeline say the same.
        let id = try #require(incident["id"]?.string)
        let pages = try FileManager.default.contentsOfDirectory(atPath: dir + "/report")
        let page = try #require(pages.first { $0.hasPrefix("incident-") && $0.contains(id.dropFirst(4)) }, "\(pages)")
        let html = try String(contentsOfFile: dir + "/report/" + page, encoding: .utf8)
        #expect(html.contains("48,330") && html.contains("48,210"))
        let timeline = try TestSupport.runCLI(["timeline", "--db", dir + "/db.sqlite", "--incident", id])
        #expect(timeline.status == 0 && timeline.stdout.contains("48210 rows job 7505g00000Q8xCaAAJ jobComplete"), "\(timeline.stdout)")
    }
}
