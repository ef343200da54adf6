import Foundation
import Testing
@testable import TokenTrail

/// Issue 26: the Event Log Objects (API 61+, SOQL-queryable, PascalCase ELF fields) in the
/// shapes a query writes them: `sf data query --result-format csv`, `sf data query --json`, a
/// saved REST `query` page.
@Suite struct EventLogObjectTests {
    static func shape(_ name: String) -> String { TestSupport.fixture("shapes/" + name) }

    @Test func loginEventLogCSVIsALoginExportClassifiedLikeELFLogin() throws {
        let (result, db) = try TestSupport.scan([Self.shape("elo_login_event_log.csv")])
        #expect(result.files.map(\.format) == ["elo_login"])
        #expect(try RealShapesTests.rows(db, """
            SELECT username, login_type, flow, flow_basis, outcome, failure_class, source_ip, tls, origin FROM v_logins ORDER BY time_ms
            """) == [
            "reporting-bot@acme.example Remote Access 2.0 client_credentials subtype success ∅ 203.0.113.40 TLS 1.3 elf",
            "erp-integration@acme.example Remote Access 2.0 jwt_bearer inferred success ∅ 203.0.113.41 TLS 1.3 elf",
            "j.doe@acme.example Remote Access 2.0 jwt_bearer inferred failure app_not_installed 198.51.100.77 TLS 1.2 elf",
            "analyst@acme.example Application ui login_type success ∅ 192.0.2.15 TLS 1.3 elf",
        ])
        // The 18-character user id, so the rows join Login History and `--user`.
        #expect(try RealShapesTests.rows(db, "SELECT DISTINCT length(user_id) FROM v_logins") == ["18"])
        // A row whose Timestamp is no time is a reject that says what was expected, on its line.
        #expect(try RealShapesTests.rows(db, "SELECT line, reason FROM v_rejects") == [
            "6 unparseable Timestamp 'not a time' (expected ISO 8601 with a zone, like 2026-11-20T10:00:00.000+0000)",
        ])
    }

    @Test func jsonRecordsOfTheObjectsAreReadThroughTheSameAliases() throws {
        let (result, db) = try TestSupport.scan([Self.shape("elo_api_total_usage.json"), Self.shape("elo_login_event_log_page.json")])
        #expect(result.files.map(\.status) == [.ingested, .ingested])
        #expect(result.files.map(\.format) == ["elo_apitotalusage", "elo_login"])
        #expect(try RealShapesTests.rows(db, """
            SELECT event_type, app, app_id, method, resource, entity, status, client_ip, session_key FROM v_api_activity ORDER BY time_ms
            """) == [
            "ApiTotalUsage Reporting Bot 0H4Hs000000EloAppA GET /v62.0/query Opportunity 200 203.0.113.40 EloSessKey0001",
            "ApiTotalUsage Acme ERP Sync (External Client App) 2Xq8000000EcaApp01 POST /v62.0/sobjects/Account Account 201 203.0.113.41 EloSessKey0002",
        ])
        #expect(try RealShapesTests.rows(db, "SELECT username, flow, flow_basis, outcome, failure_class FROM v_logins ORDER BY time_ms") == [
            "reporting-bot@acme.example client_credentials subtype success ∅",
            "j.doe@acme.example jwt_bearer inferred failure dpop_rejected",
        ])
        // Each record keeps its own position in the file as evidence.
        #expect(try TestSupport.count(db, "SELECT count(DISTINCT line) FROM logins") == 2)
    }

    @Test func theSameRecordsReadTwiceAddNothing() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("elo-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try String(contentsOfFile: Self.shape("elo_api_total_usage.json"), encoding: .utf8)
        // The same records saved again pretty-printed differently: same requests, nothing new.
        try first.replacingOccurrences(of: "\n        ", with: " ").write(toFile: dir + "/again.json", atomically: true, encoding: .utf8)
        let (result, db) = try TestSupport.scan([Self.shape("elo_api_total_usage.json"), dir + "/again.json"])
        #expect(result.files.map(\.stats.stored) == [2, 0])
        #expect(try TestSupport.count(db, "SELECT count(*) FROM api_activity") == 2)
    }

    @Test func aTokenLogLineWithARequestIdStaysATokenLog() throws {
        let dir = try TestSupport.temporaryDirectory()
        try """
            {"timestamp":"2026-11-20T06:00:00Z","host":"etl-01","grant_type":"client_credentials","token_url":"https://login.salesforce.com/services/oauth2/token","http_status":200,"request_id":"r-1"}
            {"timestamp":"2026-11-20T06:05:00Z","host":"etl-01","grant_type":"client_credentials","token_url":"https://login.salesforce.com/services/oauth2/token","http_status":200,"request_id":"r-2"}

            """.write(toFile: dir + "/token.jsonl", atomically: true, encoding: .utf8)
        let (result, db) = try TestSupport.scan([dir + "/token.jsonl"])
        #expect(result.files.map(\.format) == ["token_log"])
        #expect(try TestSupport.count(db, "SELECT count(*) FROM token_requests") == 2)
    }

    @Test func anEventInAnELFFileAndInItsEventLogObjectIsStoredOnce() throws {
        let dir = try TestSupport.temporaryDirectory()
        try """
            EVENT_TYPE,TIMESTAMP_DERIVED,REQUEST_ID,ORGANIZATION_ID,USER_ID,LOGIN_TYPE,LOGIN_STATUS,SOURCE_IP,URI
            Login,2026-11-18T09:07:44.500Z,4ZbEloReq0003,00D5g000004Acme,0055g00000EloCC,i,OAUTH_APPROVAL_ERROR_GENERIC,198.51.100.77,/services/oauth2/token

            """.write(toFile: dir + "/Login_2026-11-18.csv", atomically: true, encoding: .utf8)
        // In either order, the login of line 3 of the Event Log Object export is the ELF row.
        for order in [[dir + "/Login_2026-11-18.csv", Self.shape("elo_login_event_log.csv")], [Self.shape("elo_login_event_log.csv"), dir + "/Login_2026-11-18.csv"]] {
            let (result, db) = try TestSupport.scan(order, db: try TestSupport.temporaryDirectory() + "/db.sqlite")
            #expect(try TestSupport.count(db, "SELECT count(*) FROM logins WHERE request_id = '4ZbEloReq0003'") == 1)
            #expect(try TestSupport.count(db, "SELECT count(*) FROM logins") == 4)
            #expect(result.files.map(\.stats.duplicates).reduce(0, +) == 1)
        }
    }

    @Test func junkKeysCannotUseUpTheFieldSets() throws {
        let dir = try TestSupport.temporaryDirectory()
        var lines: [String] = []
        for i in 0..<80 {
            lines.append(#"{"attributes":{"type":"LoginEventLog"},"Timestamp":"2026-11-19T07:00:\#(String(format: "%02d", i % 60)).000+0000","RequestIdentifier":"junk\#(i)","UserId":"0055g00000EloCC","LoginType":"i","LoginStatus":"LOGIN_NO_ERROR","SourceIp":"198.51.100.77","Junk\#(i)":"x"}"#)
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: dir + "/elo.jsonl", atomically: true, encoding: .utf8)
        let (result, db) = try TestSupport.scan([dir + "/elo.jsonl"])
        #expect(result.files.first?.stats.rejects == 0)
        #expect(try TestSupport.count(db, "SELECT count(*) FROM logins") == 80)
    }

    @Test func aCSVWithABareTimestampColumnIsNoEventLogObject() throws {
        #expect(!ELFField.recognizesObject(["Timestamp", "Value", "Host"]))
        #expect(ELFField.recognizesObject(["Timestamp", "RequestIdentifier", "ApiFamily"]))
        #expect(!ELFField.recognizesObject(["EventDate", "Timestamp", "LoginKey"]))
        #expect(ELFField.eventType(objectName: "LoginEventLog") == "Login")
        #expect(ELFField.eventType(objectName: "ApiTotalUsageEventLog") == "ApiTotalUsage")
        #expect(ELFField.eventType(objectName: "LoginEvent") == nil)
    }
}

/// Issue 26: External Client Apps are apps like any other: no code reads an app id's prefix.
@Suite struct ExternalClientAppTests {
    @Test func policySuggestWritesAnAppSeenOnlyByItsAPICallsWithItsId() throws {
        let (_, db) = try TestSupport.scan([EventLogObjectTests.shape("elo_api_total_usage.json")])
        let suggestion = try PolicySuggester.suggest(db: db)
        let apps = suggestion.policy["apps"]?.array ?? []
        let eca = apps.first { $0["name"]?.string == "Acme ERP Sync (External Client App)" }
        #expect(eca?["appIds"]?.array?.compactMap(\.string) == ["2Xq8000000EcaApp01"])
        #expect(eca?["flows"] == nil)   // no login seen: no flow declared, flow-drift learns from history
        // The suggestion loads as a policy and declares the id, so app-id-collision judges it.
        let dir = try TestSupport.temporaryDirectory()
        try suggestion.policy.pretty().write(toFile: dir + "/policy.json", atomically: true, encoding: .utf8)
        let policy = try Policy.load(path: dir + "/policy.json")
        #expect(policy.apps.first { $0.name == "Acme ERP Sync (External Client App)" }?.appIds == ["2Xq8000000EcaApp01"])
    }

    @Test func noSourceFileReadsAConnectedAppIdsKeyPrefix() throws {
        for file in try LayeringTests.sources() {
            let code = LayeringTests.code(file.text)
            #expect(!code.contains("hasPrefix(\"0H4") && !file.text.contains("hasPrefix(\"0H4"), "\(file.name)")
        }
    }
}
