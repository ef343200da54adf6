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
