import Foundation
import Testing
@testable import TokenTrail

/// What the 2025–26 attack rules read, from files in the shapes the vendors document
/// (FORMATS.md §6): Bulk API jobs in both ELF versions and both record-count spellings,
/// RestApi client codes and user agents, API SOQL (kept as entity + fingerprint only), and
/// Okta session and token fields.
@Suite struct ActivityShapesTests {
    static func scan(_ names: [String]) throws -> Database {
        let dir = try TestSupport.temporaryDirectory()
        let (result, db) = try TestSupport.scan(names.map { RealShapesTests.shape($0) }, db: dir + "/db.sqlite")
        #expect(result.failed.isEmpty, "\(result.failed.map(\.status))")
        #expect(try TestSupport.count(db, "SELECT count(*) FROM rejects") == 0)
        return db
    }

    @Test func bulkJobsAreOneRowPerStateWithTheirCounts() throws {
        let db = try Self.scan(["elf_bulkapi2_query_job.csv", "elf_bulkapi2_ingest_other_counts.csv", "elf_bulkapi_v1.csv"])
        let rows = try db.rows("""
            SELECT event_type, job_id, batch_id, job_state, operation, entity, rows, records_failed, login_key, client_ip, evidence
            FROM v_api_activity ORDER BY time_ms
            """)
        #expect(rows.count == 8)
        let states = rows.filter { $0[0].string == "BulkApi2" && $0[1].string == "7505g00000QJob1" }.map { $0[3].string ?? "" }
        #expect(states == ["created", "inProgress", "JobComplete", "deleted"])
        let complete = try #require(rows.first { $0[3].string == "JobComplete" })
        #expect(complete[4].string == "query" && complete[5].string == "Case" && complete[6].int == 184_223 && complete[7].int == 0)
        #expect(complete[8].string == "Kf3Jq8sLm2Nv5RtW" && complete[9].string == "44.215.30.7")
        // The other spelling of the counts (RECORDS_PROCESSED / RECORDS_FAILED).
        let ingest = try #require(rows.first { $0[1].string == "7505g00000IJob2" && $0[3].string == "complete" })
        #expect(ingest[4].string == "upsert" && ingest[5].string == "Account" && ingest[6].int == 5000 && ingest[7].int == 12)
        // Bulk API 1.0: one row per batch, NUMBER_FAILURES.
        let batches = rows.filter { $0[0].string == "BulkApi" }
        #expect(batches.map { $0[2].string ?? "" } == ["7515g00000Bat01", "7515g00000Bat02"])
        #expect(batches.map { $0[6].int ?? -1 } == [10_000, 8211] && batches.map { $0[7].int ?? -1 } == [0, 3])
        #expect(batches.allSatisfy { $0[4].string == "query" && $0[5].string == "Contact" })
        #expect(try db.rows("SELECT DISTINCT format FROM sources ORDER BY 1").compactMap { $0[0].string } == ["elf_bulkapi", "elf_bulkapi2"])
    }

    @Test func restApiAndApiRowsKeepTheirClientAndQueryEntityButNotTheQuery() throws {
        let db = try Self.scan(["elf_restapi_agent_codes.csv", "elf_api_query_text.csv"])
        let rest = try db.rows("SELECT user_agent, app_id, resource FROM v_api_activity WHERE event_type = 'RestApi' ORDER BY time_ms")
        #expect(rest.map { $0[0].string ?? "" } == ["5001", "python-requests/2.32.4", "Python/3.11 aiohttp/3.12.15"])
        #expect(rest.allSatisfy { $0[1].string == "0H45g0000DrfAppCQE" })
        let api = try db.rows("SELECT client_name, method, entity, rows, query_fingerprint FROM v_api_activity WHERE event_type = 'API' ORDER BY time_ms")
        #expect(api.map { $0[1].string ?? "" } == ["query", "queryMore", "query"])
        #expect(api.allSatisfy { $0[0].string == "DataLoaderPartnerUI/62.0" })
        // The entity of the outermost FROM (not a word in a literal, not a subquery's), and a fingerprint.
        #expect(api.map { $0[2].string } == ["Contact", nil, "Account"])
        #expect(api[0][4].string?.hasPrefix("sha256:") == true && api[1][4].string == nil)
        // The SOQL text and the values it names are stored nowhere.
        for (_, value) in try HardeningTests.storedText(db) {
            #expect(!value.contains("ceo@acme.example") && !value.contains("SELECT Id"), "\(value)")
        }
    }

    @Test func oktaSessionAndTokenFieldsAreKeptAndTheSessionIdOnlyAsAFingerprint() throws {
        let db = try Self.scan(["okta_session_fields.jsonl"])
        let rows = try db.rows("""
            SELECT session_fingerprint, dt_hash, api_token_id, client_id, as_number, as_org, isp, is_proxy, targets FROM v_idp_events ORDER BY time_ms
            """)
        #expect(rows.count == 3)
        // One session seen from two networks: the same fingerprint, never the id itself.
        #expect(rows[0][0].string != nil && rows[0][0].string == rows[1][0].string && rows[2][0].string == nil)
        #expect(rows[0][1].string == "4a1c9e0f3b7d2a6e8c5f1b0d9e7a3c2f" && rows[1][1].string == rows[0][1].string)
        #expect(rows[2][2].string == "00T5g0000Tok1" && rows[0][3].string == "0oa5g0000Clnt1")
        #expect(rows[0][4].string == "7018" && rows[1][4].string == "60729" && rows[1][6].string == "tor exit")
        #expect(rows.map { $0[7].int } == [0, 1, nil])
        let targets = try JSONParser.parse(rows[1][8].string ?? "")
        #expect(targets.array?.first?["displayName"]?.string == "Salesforce.com" && targets.array?.first?["type"]?.string == "AppInstance")
        for (_, value) in try HardeningTests.storedText(db) { #expect(!value.contains("102Xq7Rb9sTnWk2LmP4vHcJ3A")) }
    }

    @Test func theOktaReplayIsOneFindingCountingItsEventOnce() throws {
        let db = try Self.scan(["okta_session_fields.jsonl"])
        let findings = try Analyzer.run(db: db, policy: nil, windowStart: 0, windowEnd: .max / 2).findings.filter { $0.rule == "okta-session-replay" }
        let replay = try #require(findings.first)
        #expect(findings.count == 1 && replay.count == 1 && replay.user == "ops-admin@acme.example" && replay.sourceIp == "185.220.101.33")
        #expect(replay.evidence == [RealShapesTests.shape("okta_session_fields.jsonl") + ":2"])
    }

    @Test(arguments: [("SELECT Id FROM Case", "Case"), ("select count() from Account where Id in (select AccountId from Case)", "Account"),
                      ("SELECT Name FROM Contact WHERE Title = 'from marketing'", "Contact"), ("SELECT (SELECT Id FROM Contacts) FROM Account", "Account"),
                      ("SELECT Id FROM ns__Custom__c LIMIT 5", "ns__Custom__c"), ("DESCRIBE Account", nil), ("", nil)])
    func soqlEntity(_ query: String, _ entity: String?) {
        #expect(SOQL.entity(of: query) == entity)
    }
}
