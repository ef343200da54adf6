import Foundation
import Testing
@testable import TokenTrail

/// Issue 26: Okta's 2025 lineage (rootSessionId, rootApiTokenId), Identity Threat Protection's
/// own verdicts, and one event id with two bodies.
@Suite struct OktaLineageTests {
    static func shape(_ name: String) -> String { TestSupport.fixture("shapes/" + name) }

    @Test func rootIdsAndTheSessionOktaEndedAreKept() throws {
        let (_, db) = try TestSupport.scan([Self.shape("okta_itp_lineage.jsonl")])
        // The root session is a session id: only its fingerprint is stored.
        #expect(try TestSupport.count(db, "SELECT count(*) FROM strings WHERE value LIKE '%102RootFinLead7Qw%'") == 0)
        #expect(try TestSupport.count(db, "SELECT count(DISTINCT root_session_fingerprint) FROM idp_events WHERE root_session_fingerprint IS NOT NULL") == 1)
        #expect(try TestSupport.count(db, "SELECT count(*) FROM idp_events WHERE root_session_fingerprint IS NOT NULL") == 5)
        #expect(try RealShapesTests.rows(db, "SELECT root_api_token_id FROM idp_events WHERE root_api_token_id IS NOT NULL") == ["00T7k0000ScimTok"])
        // Only Okta's own action field says it ended the session: a user agent reading
        // TERMINATE_SESSION on another event would not (the one here is on the ITP event itself).
        #expect(try RealShapesTests.rows(db, "SELECT event_type FROM v_idp_events WHERE terminated_session = 1") == ["policy.continuous_access.action"])
    }

    @Test func aDerivedSessionReplayedIsCaughtThroughItsSignInAndTheIncidentSaysOktaEndedIt() throws {
        let dir = try TestSupport.temporaryDirectory()
        let run = try TestSupport.runCLI(["scan", Self.shape("okta_itp_lineage.jsonl"), "--db", dir + "/db.sqlite", "--since", "2026-11-24T00:00:00Z",
                                          "--until", "2026-11-25T00:00:00Z", "--findings", dir + "/findings.ndjson",
                                          "--incidents", dir + "/incidents.ndjson", "--fail-on", "high", "--quiet"])
        #expect(run.status == 1, "\(run.stderr)")
        let findings = try String(contentsOfFile: dir + "/findings.ndjson", encoding: .utf8).split(separator: "\n").map { try JSONParser.parse(String($0)) }
        let replay = findings.filter { $0["rule"]?.string == "okta-session-replay" }
        #expect(replay.count == 1)
        let message = replay.first?["message"]?.string ?? ""
        #expect(message.contains("sign-in (rootSessionId)") && message.contains("185.220.101.47"), "\(message)")
        #expect(message.contains("Okta itself terminated the user's session at 2026-11-24T10:12:06"), "\(message)")
        let incidents = try String(contentsOfFile: dir + "/incidents.ndjson", encoding: .utf8)
        #expect(incidents.contains("Okta itself terminated the user's session"))
    }

    @Test func withoutTheRootIdTheDerivedSessionsFirstUseIsItsOwnOrigin() throws {
        // The same events without rootSessionId: what a 2024 export shows. The derived session
        // was first seen at the attacker's address, so nothing ties it to the sign-in.
        let dir = try TestSupport.temporaryDirectory()
        let text = try String(contentsOfFile: Self.shape("okta_itp_lineage.jsonl"), encoding: .utf8)
            .replacingOccurrences(of: ",\"rootSessionId\":\"102RootFinLead7Qw\"", with: "")
        try text.write(toFile: dir + "/okta.jsonl", atomically: true, encoding: .utf8)
        let (_, db) = try TestSupport.scan([dir + "/okta.jsonl"])
        let findings = try Analyzer.run(db: db, policy: nil, windowStart: TimeParser.parse("2026-11-24T00:00:00Z")!.epochMs,
                                        windowEnd: TimeParser.parse("2026-11-25T00:00:00Z")!.epochMs).findings
        #expect(!findings.contains { $0.rule == "okta-session-replay" })
    }

    @Test func oneEventIdWithAnotherBodyIsNotedAndTheFirstKept() throws {
        let (result, db) = try TestSupport.scan([Self.shape("okta_uuid_conflict_a.jsonl"), Self.shape("okta_uuid_conflict_b.json")])
        #expect(result.files.map(\.stats.stored) == [2, 0])
        #expect(result.files.map(\.stats.duplicates) == [0, 2])
        #expect(result.files.map(\.stats.repaired) == [0, 1])
        // The first body stays.
        #expect(try RealShapesTests.rows(db, "SELECT client_ip FROM v_idp_events ORDER BY time_ms") == ["198.51.100.61", "198.51.100.61"])
        // The data-quality page's repairs list names the later record (the array's first element, on line 2).
        #expect(try RealShapesTests.rows(db, "SELECT evidence, field, kind FROM v_repairs") == ["\(Self.shape("okta_uuid_conflict_b.json")):2 uuid conflict"])
        // Read again: unchanged, nothing noted twice.
        let dir = try TestSupport.temporaryDirectory()
        try FileManager.default.copyItem(atPath: Self.shape("okta_uuid_conflict_b.json"), toPath: dir + "/again.json")
        var request = ScanRequest(inputs: [dir + "/again.json"])
        request.databasePath = db.path
        let again = try Scanner.scan(request)
        #expect(again.files.map(\.stats.stored) == [0])
        #expect(try TestSupport.count(db, "SELECT count(*) FROM repairs") == 1)
    }

    @Test func aMaskedAddressInJSONIsNoAddressAndIsListed() throws {
        let dir = try TestSupport.temporaryDirectory()
        try """
            {"uuid":"f7d4b041-b0a1-11f1-9a41-0242ac120002","published":"2026-11-26T08:00:00.000Z","eventType":"user.session.start","actor":{"id":"00u1","type":"User","alternateId":"a@acme.example"},"client":{"ipAddress":"xxx.xxx.xxx.xxx"},"outcome":{"result":"SUCCESS"}}
            {"uuid":"f7d4b042-b0a1-11f1-9a41-0242ac120002","published":"2026-11-26T08:01:00.000Z","eventType":"user.session.start","actor":{"id":"00u1","type":"User","alternateId":"a@acme.example"},"client":{"ipAddress":"::ffff:198.51.100.9"},"outcome":{"result":"SUCCESS"}}

            """.write(toFile: dir + "/okta.jsonl", atomically: true, encoding: .utf8)
        let (_, db) = try TestSupport.scan([dir + "/okta.jsonl"])
        #expect(try RealShapesTests.rows(db, "SELECT client_ip FROM v_idp_events ORDER BY time_ms") == ["∅", "198.51.100.9"])
        #expect(try RealShapesTests.rows(db, "SELECT line, field, kind FROM v_repairs") == ["1 client.ipAddress dropped"])
    }

    /// Review of issue 26: only the replayed session's own termination is told; a server-side
    /// grant carrying the sign-in's root id is no replay.
    @Test func anotherSessionsTerminationIsNotClaimedAndAServerGrantIsNoReplay() throws {
        func okta(_ time: String, _ type: String, ip: String, agent: String, session: String?, root: String?, action: String? = nil) -> String {
            var auth: [String: JSONValue] = [:]
            if let session { auth["externalSessionId"] = .string(session) }
            if let root { auth["rootSessionId"] = .string(root) }
            var event: [String: JSONValue] = ["uuid": .string(UUID().uuidString), "published": .string(time), "eventType": .string(type),
                                              "actor": .object(["id": .string("00u1"), "type": .string("User"), "alternateId": .string("fin@acme.example")]),
                                              "client": .object(["ipAddress": .string(ip), "userAgent": .object(["rawUserAgent": .string(agent)])]),
                                              "outcome": .object(["result": .string("SUCCESS")]), "authenticationContext": .object(auth)]
            if let action { event["debugContext"] = .object(["debugData": .object(["Action": .string(action)])]) }
            return JSONValue.object(event).serialized
        }
        let browser = "Mozilla/5.0 Firefox/133.0"
        let lines = [
            okta("2026-11-24T08:00:00.000Z", "user.session.start", ip: "198.51.100.60", agent: browser, session: "S1", root: "R1"),
            okta("2026-11-24T09:00:00.000Z", "app.oauth2.as.token.grant", ip: "203.0.113.5", agent: "Java/17.0.9", session: nil, root: "R1"),
            okta("2026-11-24T10:00:00.000Z", "user.authentication.sso", ip: "185.220.101.47", agent: "python-requests/2.32.4", session: "S1", root: "R1"),
            okta("2026-11-27T08:30:00.000Z", "policy.continuous_access.action", ip: "198.51.100.60", agent: browser, session: "S9", root: "R9", action: "TERMINATE_SESSION"),
        ]
        let dir = try TestSupport.temporaryDirectory()
        try (lines.joined(separator: "\n") + "\n").write(toFile: dir + "/okta.jsonl", atomically: true, encoding: .utf8)
        let (_, db) = try TestSupport.scan([dir + "/okta.jsonl"])
        let findings = try Analyzer.run(db: db, policy: nil, windowStart: TimeParser.parse("2026-11-23T00:00:00Z")!.epochMs,
                                        windowEnd: TimeParser.parse("2026-11-29T23:59:59Z")!.epochMs).findings.filter { $0.rule == "okta-session-replay" }
        #expect(findings.count == 1)
        let message = findings.first?.message ?? ""
        #expect(message.contains("185.220.101.47") && !message.contains("203.0.113.5"), "\(message)")
        #expect(message.contains("no session termination by Okta is in the log"), "\(message)")
    }

    @Test func aCraftedEarlierDateInARejectedRowDoesNotMoveIt() {
        let previous = TimeParser.parse("2026-11-27T10:00:00Z")!.epochMs
        #expect(FileContext.rejectTime(own: TimeParser.parse("2026-11-02T09:00:00Z")!.epochMs, previous: previous) == previous)
        #expect(FileContext.rejectTime(own: previous + 60_000, previous: previous) == previous + 60_000)
        #expect(FileContext.rejectTime(own: nil, previous: previous) == previous)
    }
}
