import Foundation
import Testing
@testable import TokenTrail

/// The byte-level Okta System Log reader against the JSON parser: every event must give the
/// same row, reject and repair whichever reads it.
@Suite struct OktaReaderTests {
    static let event = #"{"uuid":"u-1","published":"2026-11-20T00:11:20.991Z","eventType":"app.oauth2.as.token.grant.access_token","version":"0","severity":"INFO","displayMessage":"OAuth2 access token is granted","legacyEventType":null,"actor":{"id":"0oa9svc","type":"PublicClientApp","alternateId":"acme-pipeline","displayName":"Acme Pipeline"},"client":{"ipAddress":"203.0.113.40","userAgent":{"rawUserAgent":"okhttp/4.12.0"},"id":"0oa9svc"},"outcome":{"result":"SUCCESS","reason":null},"transaction":{"type":"WEB","id":"2eDY","detail":{"requestApiTokenId":"00T1"}},"debugContext":{"debugData":{"requestUri":"/oauth2/aus1/v1/token","grantType":"client_credentials","dtHash":"abc123"}},"authenticationContext":{"externalSessionId":"Y65MrG"},"securityContext":{"asNumber":13335,"asOrg":"cloudflare","isp":"cloudflare","isProxy":true},"target":[{"id":"0oa1sf","type":"AppInstance","alternateId":"Salesforce","displayName":"Salesforce"}]}"#

    /// Events where a reader could go wrong: escapes, missing and null members on each path,
    /// members of the wrong type, keys given twice on and off the paths, keys that are not
    /// plain, long values, secrets in free text, and lines that are no event at all.
    static func trickyLines() -> [String] {
        let long = String(repeating: "h", count: 9000)
        func variant(_ n: Int, _ body: String) -> String { #"{"uuid":"u-\#(n)","published":"2026-11-20T00:12:\#(String(format: "%02d", n % 60)).000Z",\#(body)}"# }
        return [
            event,
            variant(2, #""eventType":"user.session.start","actor":{"id":"00u\u00e9","alternateId":null,"displayName":"h\n\"q\""},"client":{"ipAddress":"192.0.2.17","userAgent":{"rawUserAgent":"Mozilla\/5.0 (Macintosh)"}},"outcome":{"result":"failure","reason":"INVALID_CREDENTIALS"}"#),
            variant(3, #""eventType":"user.session.start","actor":{"displayName":"only display"},"outcome":{"result":"DENY","reason":"Sign-on policy"}"#),
            variant(4, #""eventType":"user.session.start","actor":"a string","client":[1,2],"outcome":{"result":7},"debugContext":{"debugData":null}"#),
            variant(5, #""eventType":"system.operation.rate_limit.violation","outcome":{"result":"SUCCESS"},"severity":3"#),
            variant(6, #""eventType":"x","actor":{"id":"first"},"actor":{"id":"second"}"#),
            variant(7, #""eventType":"x","client":{"ipAddress":"198.51.100.1","ipAddress":"198.51.100.2"}"#),
            variant(8, #""eventType":"x","request":{"ipChain":[{"ip":"1"}],"ipChain":[]},"client":{"ipAddress":"198.51.100.3"}"#),
            variant(9, #""eventType":"x","client":{"ipAddr\u0065ss":"198.51.100.4"}"#),
            variant(10, "\"eventType\":\"x\",\"debugContext\":{\"debugData\":{\"cl\u{e9}\":\"v\",\"grantType\":\"password\"}}"),
            variant(11, #""eventType":"x","securityContext":{"asNumber":"13335","isProxy":"true","asOrg":12.5},"client":{"id":null}"#),
            variant(12, #""eventType":"x","securityContext":{"isProxy":false,"isp":""}"#),
            variant(13, #""eventType":"x","target":[{"id":"t1","type":"User","alternateId":"a","displayName":{"b":1,"a":[true,null]}},"not an object",{"type":"Group"}]"#),
            variant(14, #""eventType":"x","target":[]"#),
            variant(15, #""eventType":"x","target":{"id":"not an array"}"#),
            variant(16, #""eventType":"x","authenticationContext":{"externalSessionId":"unknown"}"#),
            variant(17, #""eventType":"x","authenticationContext":{"externalSessionId":""}"#),
            variant(18, #""eventType":"x","client":{"userAgent":{"rawUserAgent":"\#(long)"}},"debugContext":{"debugData":{"dtHash":"\#(long)"}},"displayMessage":"\#(long)"}"#.dropLast().description),
            variant(19, #""eventType":"x","debugContext":{"debugData":{"requestUri":"/oauth2/v1/token?client_secret=abcdefghijklmnop&x=1","grantType":9}}"#),
            #"{"published":"2026-11-20T00:13:00.000Z","eventType":"no uuid"}"#,
            #"{"published":"2026-11-20T00:13:00.000Z","eventType":"no uuid"}"#,
            #"{"uuid":42,"published":"2026-11-20T00:13:01.000Z","eventType":"numeric uuid"}"#,
            #"{"uuid":"u-30","eventType":"no time"}"#,
            #"{"uuid":"u-31","published":"2026-11-20T00:13:02","eventType":"no zone"}"#,
            #"{"uuid":"u-32","published":1795154640000,"eventType":"numeric time"}"#,
            #"{"uuid":"u-33","published":"2026-11-20T00:13:03Z","eventType":"hook","data":{"events":[]}}"#,
            #"  {"uuid":"u-34" , "published" : "2026-11-20T00:13:04Z" , "eventType" : "spaced" , "actor" : { "id" : "s" } }  "#,
            #"{"uuid":"u-35","published":"2026-11-20T00:13:05Z","eventType":"x"} trailing"#,
            #"{"uuid":"u-36","published":"2026-11-20T00:13:06Z","eventType":"x","bad":"\x"}"#,
            #"{"uuid":"u-37","published":"2026-11-20T00:13:07Z","eventType":"x","#,
            "\"just a string\"",
            "{\"uuid\":\"u-38\",\"published\":\"2026-11-20T00:13:08Z\",\"eventType\":\"x\",\"deep\":" + String(repeating: "{\"a\":", count: 70) + "1" + String(repeating: "}", count: 70) + "}",
            "{\"uuid\":\"u-39\",\"published\":\"2026-11-20T00:13:09Z\",\"eventType\":\"x\",\"displayMessage\":\"<script>alert(1)</script>\u{1b}[31m\"}",
        ]
    }

    @Test func bothReadersGiveTheSameRowsRejectsAndRepairs() throws {
        let dir = try TestSupport.temporaryDirectory()
        let tricky = dir + "/okta_tricky.jsonl"
        var bytes = Array(Self.trickyLines().joined(separator: "\n").utf8)
        bytes += Array("\n{\"uuid\":\"u-40\",\"published\":\"2026-11-20T00:14:00Z\",\"eventType\":\"bad ".utf8) + [0xFF] + Array("\"}".utf8)
        // An array line: from here on records are numbered, and every line goes to the parser.
        bytes += Array("\n[{\"uuid\":\"u-41\",\"published\":\"2026-11-20T00:14:01Z\",\"eventType\":\"in an array\"}]\n".utf8)
        _ = FileManager.default.createFile(atPath: tricky, contents: Data(bytes))
        let files = [tricky, TestSupport.samples + "/okta/system-log_2026-11-20.jsonl",
                     TestSupport.fixture("shapes/okta_session_fields.jsonl"), TestSupport.fixture("secrets/okta_secrets.jsonl")]
        try TokenLogReaderTests.expectBothReadersAgree(on: files)
        let rows = try TokenLogReaderTests.ingest(tricky, byteReader: true)
        #expect(rows.count >= 35)
    }

    /// The byte reader takes ordinary events and leaves the doubtful ones to the parser.
    @Test func theByteReaderTakesPlainEventsAndLeavesTheRestToTheParser() throws {
        let (ctx, store, db) = try TestSupport.fileContext(format: "okta_system_log")
        let ingester = OktaIngester(ctx: ctx)
        let lines = Self.trickyLines()
        func taken(_ index: Int) throws -> Bool {
            var copy = lines[index]
            return try copy.withUTF8 { try ingester.ingestFast(line: index + 1, raw: UnsafeRawBufferPointer($0)) }
        }
        #expect(try taken(0))
        #expect(try taken(1))        // escapes
        #expect(try taken(3))        // members of the wrong type
        #expect(try taken(7))        // a key twice off the paths
        #expect(try taken(12))       // targets
        #expect(try !taken(5))       // a path's object twice
        #expect(try !taken(6))       // a path's key twice
        #expect(try !taken(8))       // an escaped key
        #expect(try !taken(9))       // a non-ASCII key
        #expect(try !taken(25))      // a hook delivery's `data`
        #expect(try !taken(27))      // text after the object
        _ = try store.flush()
        #expect(try TestSupport.count(db, "SELECT count(*) FROM idp_events") == 5)
    }
}
