import Foundation
import Testing
@testable import TokenTrail

@Suite struct IngestTests {
    /// Every sample shape parses to the expected rows and flows (counts come from make_samples.py).
    @Test func samplesParseToTheExpectedCountsAndFlows() throws {
        let (result, db) = try TestSupport.scan([TestSupport.samples], policy: TestSupport.samples + "/policy.json")
        var byFile: [String: FileResult] = [:]
        for file in result.files { byFile[(file.path as NSString).lastPathComponent] = file }
        let expected: [(String, String, Int, Int)] = [   // file, format, rows read, stored
            ("LoginHistory_api_2026-11-14_2026-11-20.csv", "login_history_api", 1214, 1214),
            ("LoginHistory_setup_en_2026-11-09_2026-11-13.csv.gz", "login_history_setup_en", 1026, 1026),
            ("LoginHistory_setup_ja_2026-11-07_2026-11-10.csv", "login_history_setup_ja", 624, 215),
            ("2026-11-20_Login.csv", "elf_login", 154, 154),
            ("2026-11-20_Logout.csv", "elf_logout", 140, 140),
            ("2026-11-20_LoginAs.csv", "elf_loginas", 1, 1),
            ("2026-11-20_API.csv", "elf_api", 1, 1),
            ("2026-11-20_RestApi.csv", "elf_restapi", 180, 180),
            ("2026-11-20_ApiTotalUsage.csv", "elf_apitotalusage", 183, 183),
            ("2026-11-20_BulkApi2.csv", "elf_bulkapi2", 3, 3),
            // Chatline's rows of both weeks; those of Nov 20 are in the daily files too, stored once.
            ("Login_2026-11-07_2026-11-20.csv", "elf_login", 169, 157),
            ("RestApi_2026-11-07_2026-11-20.csv", "elf_restapi", 513, 477),
            ("ApiTotalUsage_2026-11-07_2026-11-20.csv", "elf_apitotalusage", 559, 520),
            ("BulkApi2_2026-11-07_2026-11-20.csv", "elf_bulkapi2", 46, 43),
            ("etl-01_token-requests.jsonl", "token_log", 339, 339),
            ("etl-02_token-requests.jsonl", "token_log", 337, 337),
            ("etl-03_token-requests.jsonl", "token_log", 30, 30),
            ("rpt-01_token-requests.jsonl", "token_log", 168, 168),
            ("okta-sync_requests.jsonl", "token_log", 28, 28),
            ("system-log_2026-11-19.json", "okta_system_log", 31, 31),
            ("system-log_2026-11-20.jsonl", "okta_system_log", 32, 32),
        ]
        for (name, format, rows, stored) in expected {
            let file = try #require(byFile[name], "\(name) not scanned")
            #expect(file.status == .ingested, "\(name): \(file.status)")
            #expect(file.format == format, "\(name)")
            #expect(file.stats.rowsRead == rows, "\(name)")
            #expect(file.stats.stored == stored, "\(name)")
            #expect(file.stats.rejects == 0, "\(name)")
        }
        // The JA and EN Setup downloads overlap on Nov 9–10: those 409 logins are stored once.
        #expect(byFile["LoginHistory_setup_ja_2026-11-07_2026-11-10.csv"]?.stats.duplicates == 409)
        #expect(byFile["policy.json"].map { if case .skipped = $0.status { true } else { false } } == true)

        func flows(_ app: String) throws -> [String: Int] {
            var out: [String: Int] = [:]
            for row in try db.rows("SELECT flow || '/' || flow_basis, count(*) FROM v_logins WHERE origin = 'login_history' AND app = ? GROUP BY 1", [.text(app)]) {
                out[row[0].string ?? ""] = Int(row[1].int ?? 0)
            }
            return out
        }
        #expect(try flows("Acme ERP Sync") == ["jwt_bearer/policy": 1237, "web_server/subtype": 2])
        #expect(try flows("Acme Reporting") == ["client_credentials/subtype": 327])
        #expect(try flows("Salesforce for iOS") == ["refresh_token/subtype": 300])
        #expect(try flows("Dataloader Partner") == ["username_password/subtype": 10])
        // Japanese-localized values classify like English ones.
        #expect(try TestSupport.count(db, "SELECT count(*) FROM v_logins WHERE subtype = 'OAuth クライアントログイン情報' AND flow = 'client_credentials'") > 0)
        // ELF: TLSv1.2 is stored as Login History spells it; the real IP replaces 'Salesforce.com IP'.
        #expect(try TestSupport.count(db, "SELECT count(*) FROM login_contexts c JOIN strings s ON s.id = c.tls WHERE s.value LIKE 'TLSv%'") == 0)
        #expect(try TestSupport.count(db, "SELECT count(*) FROM login_contexts c JOIN strings s ON s.id = c.tls WHERE c.origin = (SELECT id FROM strings WHERE value = 'elf') AND s.value = 'TLS 1.2'") > 0)
        // A login in Login History and in ELF Login is one login (issue 24): 307 ELF rows are
        // twins of Login History rows, kept as their second evidence; 4 Chatline logins of Nov 7
        // precede the Login History exports and stay ELF's.
        #expect(try TestSupport.count(db, "SELECT count(*) FROM login_twins") == 307)
        #expect(try TestSupport.count(db, "SELECT count(*) FROM v_logins WHERE twin_evidence IS NOT NULL") == 307)
        #expect(try TestSupport.count(db, "SELECT count(*) FROM v_logins WHERE origin = 'elf'") == 4)
        #expect(try TestSupport.count(db, "SELECT count(*) FROM v_logins WHERE source_ip = 'Salesforce.com IP'") == 0)
        // Okta: client credentials grants and the failed one.
        #expect(try TestSupport.count(db, "SELECT count(*) FROM v_idp_events WHERE flow = 'client_credentials' AND outcome = 'failure' AND failure_class = 'invalid_scope'") == 1)
        // Token logs: raw assertions decoded into claims; the Okta job's E0000005 classified.
        #expect(try TestSupport.count(db, "SELECT count(*) FROM v_token_requests WHERE assertion_fingerprint IS NOT NULL AND sub = 'erp-integration@acme.example'") > 0)
        #expect(try TestSupport.count(db, "SELECT count(*) FROM v_token_requests WHERE failure_class = 'invalid_session' AND auth_scheme = 'Bearer'") == 1)
        #expect(try TestSupport.count(db, "SELECT count(*) FROM v_token_requests WHERE flow = 'client_credentials' AND user_id = '0055g00000RptBoAAJ'") == 168)
    }

    @Test func japaneseAndUSSetupDownloadsOfTheSameLoginsGiveTheSameUTCTimes() throws {
        func times(_ file: String, _ zone: String) throws -> [String] {
            let (result, db) = try TestSupport.scan([TestSupport.fixture(file)], timezone: zone)
            #expect(result.files.first?.stats.stored == 4)
            return try db.rows("SELECT time_utc || ' ' || username || ' ' || flow || ' ' || outcome FROM v_logins ORDER BY time_ms")
                .map { $0[0].string ?? "" }
        }
        let japanese = try times("setup_ja_tokyo.csv", "Asia/Tokyo")
        let american = try times("setup_en_newyork.csv", "America/New_York")
        #expect(japanese == american)
        #expect(japanese.first == "2026-10-15T00:30:00.000Z aiko.tanaka@acme.example ui failure")  // EDT, UTC-4
        #expect(japanese.last == "2026-11-21T06:04:05.000Z erp-integration@acme.example jwt_bearer success")  // EST, UTC-5
    }

    @Test func setupDownloadWithoutATimezoneIsRefusedNotGuessed() throws {
        let (result, db) = try TestSupport.scan([TestSupport.fixture("setup_en_newyork.csv")])
        guard case .failed(let message) = try #require(result.files.first).status else {
            Issue.record("a zone-less file was ingested")
            return
        }
        #expect(message.contains("setup_en_newyork.csv:2"))
        #expect(message.contains("--timezone"))
        #expect(try TestSupport.count(db, "SELECT count(*) FROM logins") == 0)
        #expect(try TestSupport.count(db, "SELECT count(*) FROM sources") == 0)  // rolled back whole
    }

    @Test func malformedRowsBecomeRejectsWithTheirLinesWhileGoodRowsAreStored() throws {
        let (result, db) = try TestSupport.scan([TestSupport.fixture("malformed_login_history.csv")])
        let file = try #require(result.files.first)
        #expect(file.status == .ingested)
        #expect(file.stats.stored == 8)
        #expect(file.stats.rejects == 4)
        let rejects = try db.rows("SELECT line, reason FROM v_rejects ORDER BY line").map { (Int($0[0].int ?? 0), $0[1].string ?? "") }
        #expect(rejects.map(\.0) == [6, 7, 8, 12])
        #expect(rejects[0].1.contains("expected 8 fields"))
        #expect(rejects[1].1.contains("unparseable LoginTime"))
        #expect(rejects[2].1.contains("unparseable LoginTime"))
        #expect(rejects[3].1.contains("unterminated"))
        // Invalid UTF-8 is content, not structure: the row is kept (U+FFFD) and listed as repaired.
        #expect(file.stats.repaired == 1)
        #expect(try db.rows("SELECT evidence, kind FROM v_repairs").map { "\($0[0].string ?? ""):\($0[1].string ?? "")" }
                == ["\(TestSupport.fixture("malformed_login_history.csv")):10:invalid_utf8"])
        let stored = try db.rows("SELECT line FROM v_logins ORDER BY line").map { Int($0[0].int ?? 0) }
        #expect(stored == [2, 3, 4, 9, 10, 11, 13, 14])
        #expect(try TestSupport.count(db, "SELECT count(*) FROM v_logins WHERE app = 'Acme \"Ops\" Console, EU'") == 1)
        #expect(try TestSupport.count(db, "SELECT count(*) FROM v_logins WHERE status = 'Failed: Invalid Timestamp' || char(10) || '(assertion expired)' AND failure_class = 'expired_assertion'") == 1)
    }

    /// Issue 25: a 10 MiB Status costs its tail, not the login: the row is stored with the
    /// value cut (a `cut` repair) and the rest of the file after it.
    @Test func aTenMegabyteFieldIsCutAndItsLoginKept() throws {
        let dir = try TestSupport.temporaryDirectory()
        let path = dir + "/huge.csv"
        var bytes = Array("Id,UserId,LoginTime,LoginType,LoginSubType,SourceIp,Status,Application\n".utf8)
        bytes += Array("0Ya5g00000Huge0001,0055g00000ErpInAAJ,2026-11-21T06:04:01.000+0000,Remote Access 2.0,,198.51.100.23,\"".utf8)
        bytes += [UInt8](repeating: UInt8(ascii: "x"), count: 10 << 20)
        bytes += Array("\",Acme ERP Sync\n0Ya5g00000Huge0002,0055g00000ErpInAAJ,2026-11-21T06:05:01.000+0000,Remote Access 2.0,,198.51.100.23,Success,Acme ERP Sync\n".utf8)
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        let (result, db) = try TestSupport.scan([path])
        #expect(result.files.first?.stats.stored == 2 && result.files.first?.stats.rejects == 0 && result.files.first?.stats.repaired == 1)
        #expect(try TestSupport.count(db, "SELECT count(*) FROM v_repairs WHERE line = 2 AND field = 'Status' AND kind = 'cut'") == 1)
        #expect(try db.rows("SELECT line FROM logins ORDER BY line").compactMap { $0[0].int } == [2, 3])
        #expect(try TestSupport.count(db, "SELECT count(*) FROM v_logins WHERE app = 'Acme ERP Sync' AND length(status) < 10000") == 2)
    }

    @Test func aTruncatedExportKeepsItsCompleteRowsAndRejectsTheCutOne() throws {
        let source = try Data(contentsOf: URL(fileURLWithPath: TestSupport.samples + "/salesforce/LoginHistory_api_2026-11-14_2026-11-20.csv"))
        let path = try TestSupport.temporaryDirectory() + "/cut.csv"
        FileManager.default.createFile(atPath: path, contents: source.prefix(150_000))
        let (result, db) = try TestSupport.scan([path])
        let file = try #require(result.files.first)
        #expect(file.status == .ingested)
        #expect(file.stats.stored == 626 && file.stats.rejects == 1)
        #expect(try db.scalar("SELECT line || ' ' || reason FROM v_rejects").string == "628 expected 20 fields as in the header, found 1")
    }

    @Test func reingestingTheSameFilesAddsNothing() throws {
        let dir = try TestSupport.temporaryDirectory()
        let dbPath = dir + "/db.sqlite"
        let inputs = [TestSupport.samples]
        _ = try TestSupport.scan(inputs, db: dbPath, policy: TestSupport.samples + "/policy.json")
        let tables = ["logins", "token_requests", "api_activity", "idp_events", "rejects", "sources", "strings", "login_contexts"]
        let (_, db) = try TestSupport.scan([], db: dbPath)
        let before = try tables.map { try TestSupport.count(db, "SELECT count(*) FROM \($0)") }
        let (again, _) = try TestSupport.scan(inputs, db: dbPath, policy: TestSupport.samples + "/policy.json")
        let after = try tables.map { try TestSupport.count(db, "SELECT count(*) FROM \($0)") }
        #expect(before == after)
        #expect(again.files.allSatisfy { file in
            if case .unchanged = file.status { return true }
            if case .skipped = file.status { return true }
            return false
        })
    }

    @Test func aReissuedELFDayAddsOnlyItsNewEvents() throws {
        let dbPath = try TestSupport.temporaryDirectory() + "/db.sqlite"
        let (first, _) = try TestSupport.scan([TestSupport.fixture("elf_login_2026-11-20.csv")], db: dbPath)
        #expect(first.files.first?.stats.stored == 4)
        let (second, db) = try TestSupport.scan([TestSupport.fixture("elf_login_2026-11-20_reissued.csv")], db: dbPath)
        #expect(second.files.first?.stats.stored == 2)
        #expect(second.files.first?.stats.duplicates == 4)
        #expect(try TestSupport.count(db, "SELECT count(*) FROM logins") == 6)
        // Older-org details: fraction digits 0–3, failure codes, login types by code.
        #expect(try TestSupport.count(db, "SELECT count(*) FROM v_logins WHERE failure_class = 'expired_assertion'") == 1)
        #expect(try TestSupport.count(db, "SELECT count(*) FROM v_logins WHERE flow = 'client_credentials'") == 1)
        #expect(try TestSupport.count(db, "SELECT count(*) FROM v_logins WHERE flow = 'ui' AND source_ip = '192.0.2.10'") == 1)
        #expect(try db.scalar("SELECT time_utc FROM v_logins WHERE request_id = '4ZtQ000002Acme'").string == "2026-11-20T06:34:01.130Z")
    }

    @Test func anOverlappingExportAddsOnlyTheRowsItDoesNotShare() throws {
        let dir = try TestSupport.temporaryDirectory()
        let source = TestSupport.samples + "/salesforce/LoginHistory_api_2026-11-14_2026-11-20.csv"
        let lines = try String(contentsOfFile: source, encoding: .utf8).split(separator: "\n")
        let header = lines[0], total = lines.count - 1
        let firstHalf = [header] + lines[1...700]
        let secondHalf = [header] + lines[501...total]
        try (firstHalf.joined(separator: "\n") + "\n").write(toFile: dir + "/a.csv", atomically: true, encoding: .utf8)
        try (secondHalf.joined(separator: "\n") + "\n").write(toFile: dir + "/b.csv", atomically: true, encoding: .utf8)
        let (result, db) = try TestSupport.scan([dir + "/a.csv", dir + "/b.csv"])
        #expect(result.files.map(\.stats.stored) == [700, total - 700])
        #expect(result.files.map(\.stats.duplicates) == [0, 200])
        #expect(try TestSupport.count(db, "SELECT count(*) FROM logins") == total)
    }

    @Test func identicalLoginsInTheSameMinuteAreBothKept() throws {
        let path = try TestSupport.temporaryDirectory() + "/twice.csv"
        let row = "\"reporting-bot@acme.example\",\"11/21/2026 6:04 AM\",\"203.0.113.10\",\"Remote Access 2.0\",\"Success\",\"Acme Reporting\",\"OAuth Client Credentials\"\n"
        try ("\"Username\",\"Login Time\",\"Source IP\",\"Login Type\",\"Status\",\"Application\",\"Login Subtype\"\n" + row + row)
            .write(toFile: path, atomically: true, encoding: .utf8)
        let dbPath = try TestSupport.temporaryDirectory() + "/db.sqlite"
        let (result, db) = try TestSupport.scan([path], db: dbPath, timezone: "UTC")
        #expect(result.files.first?.stats.stored == 2)
        #expect(try TestSupport.count(db, "SELECT count(*) FROM logins") == 2)
        // Read again, the two rows map onto the same two keys (ordinals 0 and 1): nothing added.
        let (again, _) = try TestSupport.scan([path], db: dbPath, timezone: "UTC")
        #expect(again.files.first?.stats.stored == 0)
        #expect(again.files.first?.stats.duplicates == 2)
        #expect(try TestSupport.count(db, "SELECT count(*) FROM logins") == 2)
    }

    @Test func noSecretFromATokenLogReachesTheDatabaseOrAnyOutput() throws {
        var secrets: [String] = []
        for name in ["etl-01_token-requests.jsonl", "etl-02_token-requests.jsonl", "rpt-01_token-requests.jsonl"] {
            let text = try String(contentsOfFile: TestSupport.samples + "/clients/" + name, encoding: .utf8)
            for line in text.split(separator: "\n") {
                let object = try JSONParser.parse(String(line))
                for key in ["assertion", "access_token", "client_secret", "signature"] {
                    if let value = object[key]?.string { secrets.append(value) }
                }
            }
        }
        #expect(secrets.count > 100)
        // A hostile line too: secrets inside an unknown key, an Authorization header, and a broken line.
        let dir = try TestSupport.temporaryDirectory()
        let hostile = dir + "/hostile.jsonl"
        let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4Iiwic3ViIjoieUB6LmV4YW1wbGUifQ.c2lnbmF0dXJlc2lnbmF0dXJl"
        try """
        {"ts":"2026-11-21T06:04:01Z","grant_type":"client_credentials","authorization":"Basic c2VjcmV0LWNsaWVudDpzZWNyZXQ=","debug":{"refresh_token":"5Aep861SECRETREFRESH"},"note":"retry with Bearer 00DSECRETBEARERTOKENVALUE"}
        {"ts":"2026-11-21T06:05:01Z","grant_type":"urn:ietf:params:oauth:grant-type:jwt-bearer","assertion":"\(jwt)"
        {"ts":"2026-11-21T06:06:01Z","grant_type":"urn:ietf:params:oauth:grant-type:jwt-bearer","assertion":"\(jwt)","http_status":200}

        """.write(toFile: hostile, atomically: true, encoding: .utf8)
        secrets += ["Basic c2VjcmV0LWNsaWVudDpzZWNyZXQ=", "c2VjcmV0LWNsaWVudDpzZWNyZXQ=", "5Aep861SECRETREFRESH", "00DSECRETBEARERTOKENVALUE", jwt]

        let dbPath = dir + "/db.sqlite"
        let run = try TestSupport.runCLI(["scan", TestSupport.samples + "/clients", hostile, "--db", dbPath, "--report", dir + "/report"])
        #expect(run.status == 0, "\(run.stderr)")
        let db = try Database(path: dbPath)
        #expect(try TestSupport.count(db, "SELECT count(*) FROM v_token_requests WHERE sub = 'y@z.example'") == 1) // decoded
        #expect(try TestSupport.count(db, "SELECT count(*) FROM rejects") == 1)                                   // the broken line
        try db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        var haystack = try Data(contentsOf: URL(fileURLWithPath: dbPath))
        haystack += Data(run.stdout.utf8) + Data(run.stderr.utf8)
        for page in try FileManager.default.contentsOfDirectory(atPath: dir + "/report") {
            haystack += try Data(contentsOf: URL(fileURLWithPath: dir + "/report/" + page))
        }
        for secret in secrets {
            #expect(haystack.range(of: Data(secret.utf8)) == nil, "secret leaked: \(secret.prefix(12))…")
        }
    }

    @Test func aDirectoryWalkSkipsNonExportsButNotBrokenDataFiles() throws {
        let dir = try TestSupport.temporaryDirectory()
        try "# notes\n".write(toFile: dir + "/README.md", atomically: true, encoding: .utf8)
        FileManager.default.createFile(atPath: dir + "/empty.txt", contents: Data())
        try FileManager.default.copyItem(atPath: TestSupport.fixture("elf_login_2026-11-20.csv"), toPath: dir + "/login.csv")
        let (ok, _) = try TestSupport.scan([dir])
        #expect(ok.failed.isEmpty)
        #expect(ok.files.filter { if case .skipped = $0.status { return true }; return false }.count == 2)
        try "name,age\nbob,3\n".write(toFile: dir + "/people.csv", atomically: true, encoding: .utf8)
        let (broken, _) = try TestSupport.scan([dir])
        #expect(broken.failed.map { ($0.path as NSString).lastPathComponent } == ["people.csv"])
    }

    @Test func anUnrecognizedFileIsAnErrorThatNamesTheFile() throws {
        let dir = try TestSupport.temporaryDirectory()
        try "name,age\nbob,3\n".write(toFile: dir + "/people.csv", atomically: true, encoding: .utf8)
        let (result, _) = try TestSupport.scan([dir + "/people.csv"])
        guard case .failed(let message) = try #require(result.files.first).status else {
            Issue.record("an unknown CSV was accepted")
            return
        }
        #expect(message.contains("people.csv:1"))
        #expect(message.contains("unrecognized CSV header"))
    }
}
