import Foundation
import Testing
@testable import TokenTrail

/// A user id seen under two names (a renamed user, or a client log that pairs it with another
/// subject) is named the same way on every run: by the name seen last.
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
    }

    /// ELF Login rows name the user by id and name; the user is renamed between two logins.
    /// The analysis's directory and the one read straight from the tables agree on the new name.
    @Test func theAnalysisAndTheTablesNameARenamedUserAlike() throws {
        let dir = try TestSupport.temporaryDirectory()
        let header = #""EVENT_TYPE","TIMESTAMP","REQUEST_ID","ORGANIZATION_ID","USER_ID","URI","LOGIN_TYPE","USER_NAME","LOGIN_SUB_TYPE","TIMESTAMP_DERIVED","USER_ID_DERIVED","CLIENT_IP","LOGIN_STATUS","SOURCE_IP""#
        func row(_ time: String, _ name: String) -> String {
            #""Login","x","r","00D5g000004Acme","0055g00000Renam","/services/oauth2/token","i","\#(name)","","\#(time)","0055g00000RenamAAR","203.0.113.9","LOGIN_NO_ERROR","203.0.113.9""#
        }
        // The newer name sorts first, so neither order nor sorting alone gives it.
        try [header, row("2026-11-20T06:00:00.000Z", "z-before-rename@acme.example"), row("2026-11-21T06:00:00.000Z", "a-after-rename@acme.example")]
            .joined(separator: "\n").write(toFile: dir + "/2026-11-21_Login.csv", atomically: true, encoding: .utf8)
        let (_, db) = try TestSupport.scan([dir + "/2026-11-21_Login.csv"])
        let facts = try Facts(db: db, windowStart: 0, windowEnd: Int64.max / 2)
        #expect(try facts.usernames()["0055g00000RenamAAR"] == "a-after-rename@acme.example")
        #expect(try Facts.directory(db)["0055g00000RenamAAR"] == "a-after-rename@acme.example")
        #expect(try Facts.directory(db)["0055g00000Renam"] == "a-after-rename@acme.example")
    }
}
