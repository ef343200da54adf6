import Foundation
import Testing
@testable import TokenTrail

/// A user id seen under two names (a renamed user, or a client log that pairs it with another
/// subject) is named the same way on every run: by Salesforce's rows before a client log's,
/// then by the name seen last.
@Suite struct UserDirectoryTests {
    @Test func anIdSeenWithTwoNamesGetsTheOneSeenLastInEitherOrder() {
        for (first, second) in [("old@acme.example", "new@acme.example"), ("a-new@acme.example", "z-old@acme.example")] {
            var names = UserNames()
            names.add(id: "0055g00000RenamAAA", name: second, time: 2_000)
            names.add(id: "0055g00000RenamAAA", name: first, time: 1_000)
            #expect(names.map["0055g00000RenamAAA"] == second)
            #expect(names.map["0055g00000Renam"] == second)
            var reversed = UserNames()
            reversed.add(id: "0055g00000RenamAAA", name: first, time: 1_000)
            reversed.add(id: "0055g00000RenamAAA", name: second, time: 2_000)
            #expect(reversed.map["0055g00000RenamAAA"] == second)
        }
        // The same instant: the smaller name, whichever came first.
        var tie = UserNames(), other = UserNames()
        tie.add(id: "005x", name: "b@x", time: 5); tie.add(id: "005x", name: "a@x", time: 5)
        other.add(id: "005x", name: "a@x", time: 5); other.add(id: "005x", name: "b@x", time: 5)
        #expect(tie.map["005x"] == "a@x" && other.map["005x"] == "a@x")
        // The server's name wins over a client log's, however late the client's line is dated.
        for order in [[0, 1], [1, 0]] {
            var names = UserNames()
            for i in order {
                if i == 0 { names.add(id: "005y", name: "real@acme.example", time: 1, source: .server) }
                else { names.add(id: "005y", name: "crafted@evil.example", time: 9_999, source: .client) }
            }
            #expect(names.map["005y"] == "real@acme.example")
        }
        var clientOnly = UserNames()
        clientOnly.add(id: "005z", name: "sub@acme.example", time: 1, source: .client)
        #expect(clientOnly.map["005z"] == "sub@acme.example")
    }

    /// ELF Login rows name the user by id and name; the user is renamed between two logins.
    /// The analysis's directory and the one read straight from the tables agree on the new name.
    @Test func theAnalysisAndTheTablesNameARenamedUserAlike() throws {
        let dir = try TestSupport.temporaryDirectory()
        let header = #""EVENT_TYPE","TIMESTAMP","REQUEST_ID","ORGANIZATION_ID","USER_ID","URI","LOGIN_TYPE","USER_NAME","LOGIN_SUB_TYPE","TIMESTAMP_DERIVED","USER_ID_DERIVED","CLIENT_IP","LOGIN_STATUS","SOURCE_IP""#
        func row(_ time: String, _ name: String) -> String {
            #""Login","x","r","00D5g000004Acme","0055g00000Renam","/services/oauth2/token","i","\#(name)","","\#(time)","0055g00000RenamAAB","203.0.113.9","LOGIN_NO_ERROR","203.0.113.9""#
        }
        // The newer name sorts first, so neither order nor sorting alone gives it.
        try [header, row("2026-11-20T06:00:00.000Z", "z-before-rename@acme.example"), row("2026-11-21T06:00:00.000Z", "a-after-rename@acme.example")]
            .joined(separator: "\n").write(toFile: dir + "/2026-11-21_Login.csv", atomically: true, encoding: .utf8)
        // A client log, dated after both, pairs the same id with another subject: the server's name stands.
        try #"{"ts":"2026-11-22T06:00:00Z","host":"etl-01","grant_type":"urn:ietf:params:oauth:grant-type:jwt-bearer","http_status":200,"claims":{"sub":"crafted@evil.example"},"id":"https://login.salesforce.com/id/00D5g000004AcmeAAA/0055g00000RenamAAB"}"#
            .write(toFile: dir + "/etl-01_token-requests.jsonl", atomically: true, encoding: .utf8)
        let (_, db) = try TestSupport.scan([dir + "/2026-11-21_Login.csv", dir + "/etl-01_token-requests.jsonl"])
        #expect(try TestSupport.count(db, "SELECT count(*) FROM v_token_requests WHERE sub = 'crafted@evil.example' AND user_id = '0055g00000RenamAAB'") == 1)
        let facts = try Facts(db: db, windowStart: 0, windowEnd: Int64.max / 2)
        #expect(try facts.usernames()["0055g00000RenamAAB"] == "a-after-rename@acme.example")
        #expect(try Facts.directory(db)["0055g00000RenamAAB"] == "a-after-rename@acme.example")
        #expect(try Facts.directory(db)["0055g00000Renam"] == "a-after-rename@acme.example")
    }
}
