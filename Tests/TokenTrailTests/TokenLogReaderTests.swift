import Foundation
import Testing
@testable import TokenTrail

/// The byte-level token-log reader against the JSON parser it replaces on the hot path:
/// every line must give the same row, reject and repair whichever reads it.
@Suite struct TokenLogReaderTests {
    /// Ingests one file with the byte reader on or off; returns every stored row, resolved.
    static func ingest(_ path: String, byteReader: Bool) throws -> [String] {
        let db = try Database(path: try TestSupport.temporaryDirectory() + "/reader.sqlite")
        let store = try IngestStore(db: db)
        let run = try store.beginRun(toolVersion: "test", arguments: [])
        try db.transaction {
            let source = try openByteSource(path: path)
            let sourceId = try store.beginSource(run: run, path: path, format: "unknown", timezone: nil)
            var options = IngestOptions(timezone: LocalTimeZone(identifier: "Europe/Paris"))
            options.parseEveryLine = !byteReader
            let ctx = FileContext(path: path, store: store, sourceId: sourceId, options: options)
            _ = try JSONIngest.run(source, ctx: ctx)
            try ctx.finish()
        }
        func dump(_ sql: String) throws -> [String] {
            try db.rows(sql).map { row in row.map { "\($0)" }.joined(separator: " | ") }
        }
        return try dump("SELECT * FROM v_token_requests ORDER BY line, time_ms")
            + dump("SELECT * FROM v_idp_events ORDER BY line, time_ms")
            + dump("SELECT line, reason, excerpt FROM v_rejects ORDER BY line")
            + dump("SELECT line, field, kind FROM v_repairs ORDER BY line, field")
    }

    /// Ingests each file with each reader and records every row, reject or repair they differ on.
    static func expectBothReadersAgree(on files: [String]) throws {
        for file in files {
            let parsed = try ingest(file, byteReader: false)
            let read = try ingest(file, byteReader: true)
            #expect(parsed.count == read.count, "\(file): \(parsed.count) rows parsed, \(read.count) read")
            for (a, b) in zip(parsed, read) where a != b {
                Issue.record("\(URL(fileURLWithPath: file).lastPathComponent):\n parser: \(a)\n bytes:  \(b)")
            }
        }
    }

    /// Lines where a reader could go wrong: escapes, numbers in every spelling, keys given
    /// twice, keys that are not plain, nested secrets, raw assertions good and bad, values past
    /// the cut, bytes that are not UTF-8, and lines that are not token requests at all.
    static func trickyLines() -> [String] {
        let payload = { (json: String) -> String in
            Data(json.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        let jwt = "eyJhbGciOiJSUzI1NiJ9." + payload(#"{"iss":"3MVG9A","sub":"a@b.example","aud":["https://login.salesforce.com","x"],"exp":1795154820,"iat":1795154640,"jti":"j1"}"#) + ".c2ln"
        let dupClaims = "eyJhbGciOiJSUzI1NiJ9." + payload(#"{"sub":"first@b.example","sub":"second@b.example","exp":1.5e9}"#) + ".c2ln"
        let notJSON = "eyJhbGciOiJSUzI1NiJ9." + payload("not json") + ".c2ln"
        let long = String(repeating: "h", count: 9000)
        return [
            #"{"ts":"2026-11-21T06:04:00Z","host":"etl-01","grant_type":"client_credentials","client_id":"3MVG9CC","http_status":200}"#,
            #"{"ts":1795154640000,"host":"etl-\u00e9\n\"q\"","integration":"a\/b","grant_type":"urn:ietf:params:oauth:grant-type:jwt-bearer","assertion":"\#(jwt)","http_status":200,"access_token":"00D5g000004Bench!AR8AQxyzxyzxyzxyzxyzxyzxyzxyz"}"#,
            #"{"ts":1795154640.250,"http_status":"400","error":"invalid_grant","error_description":"expired authorization code","trace":"\ud83d\ude00 \ud800 x","n":1e3,"m":-0,"z":007,"f":1.50,"big":1e400}"#,
            #"{"ts":"1795154641","status":401.0,"errorCode":"E0000005","errorSummary":"Invalid session","errorLink":"E0000005","errorId":"oae1","authorization":"SSWS 00abcdefghijklmnop","auth_scheme":null}"#,
            #"{"ts":"2026-11-21T06:04:02Z","assertion":"\#(dupClaims)","claims":{},"grant_type":"jwt-bearer"}"#,
            #"{"ts":"2026-11-21T06:04:03Z","assertion":"\#(notJSON)","claims":"not an object"}"#,
            #"{"ts":"2026-11-21T06:04:04Z","assertion":"not.a!jwt","claims":{"sub":"c@d.example","aud":[],"iat":"1795154640","nbf":null,"exp":true}}"#,
            #"{"ts":"2026-11-21T06:04:05Z","host":"dup","host":"dup2","grant_type":"client_credentials"}"#,
            #"{"ts":"2026-11-21T06:04:06Z","x":1,"x":2,"grant_type":"client_credentials"}"#,
            #"{"ts":"2026-11-21T06:04:07Z","meta":{"a":1,"a":2},"grant_type":"client_credentials"}"#,
            #"{"ts":"2026-11-21T06:04:08Z","h\u006fst":"escaped key","grant_type":"client_credentials"}"#,
            "{\"ts\":\"2026-11-21T06:04:09Z\",\"\u{212A}ey\":\"kelvin\",\"cl\u{e9}\":\"v\",\"grant_type\":\"client_credentials\"}",
            #"{"ts":"2026-11-21T06:04:10Z","":"empty key","a b":"spaced","grant_type":"client_credentials","client_secret":12345,"refresh_token":{"v":[1,"x"]},"password":["p1","p2"],"api_key":null,"session_key":"keep me","nested":{"private_key":"-----BEGIN","list":[{"token":"t0k3n"},"Bearer abcdefghijklmnopqrstuvwxyz"]}}"#,
            #"{"ts":"2026-11-21T06:04:11Z","host":"\#(long)","error_description":"\#(long)","grant_type":"client_credentials","http_status":400}"#,
            #"{"ts":"2026-11-21T06:04:12","grant_type":"client_credentials"}"#,
            #"{"ts":"yesterday","grant_type":"client_credentials"}"#,
            #"{"ts":null,"time":"2026-11-21T06:04:13Z","grant_type":"client_credentials"}"#,
            #"{"host":"no time","grant_type":"client_credentials"}"#,
            #"{"ts":"2026-11-21T06:04:14Z","server_date":"not a date","issued_at":"1795154654000","id":"https://login.salesforce.com/id/00D5g000004BenchAAA/0055g00000ABCDEFGH","duration_ms":"12","source_ip":"10.0.0.1"}"#,
            #"{"ts":"2026-11-21T06:04:15Z","server_date":null,"id":"//00D5g000004BenchAAA//005x/","instance_url":"https://u:p@acme.my.salesforce.com","token_url":"https://acme.okta.com/oauth2/v1/token"}"#,
            #"{"ts":"2026-11-21T06:04:16Z","data":{"events":[]},"grant_type":"client_credentials"}"#,
            #"  {"ts":"2026-11-21T06:04:17Z" , "grant_type" : "client_credentials" , "job" : { "b" : [ 1 , 2 ] , "a" : true } }  "#,
            #"[{"ts":"2026-11-21T06:04:18Z","grant_type":"client_credentials"}]"#,
            #"{"ts":"2026-11-21T06:04:19Z","grant_type":"client_credentials"} trailing"#,
            #"{"ts":"2026-11-21T06:04:20Z","grant_type":"client_credentials","bad":"\x"}"#,
            #"{"ts":"2026-11-21T06:04:21Z","grant_type":"client_credentials","bad":"\u12"}"#,
            #"{"ts":"2026-11-21T06:04:22Z","grant_type":"client_credentials","n":1.2.3}"#,
            #"{"ts":"2026-11-21T06:04:23Z","grant_type":tru}"#,
            #"{"ts":"2026-11-21T06:04:24Z","grant_type":"client_credentials","#,
            "\"just a string\"",
            "{\"ts\":\"2026-11-21T06:04:25Z\",\"host\":\"tab\there\",\"raw\":\"ctl\u{01}\u{1f}\",\"grant_type\":\"client_credentials\"}",
            #"{"ts":"2026-11-21T06:04:26Z","provider":"","token_url":"https://acme.my.salesforce.com/services/oauth2/token","grant_type":"","access_token":""}"#,
            #"{"ts":"2026-11-21T06:04:00Z","host":"etl-01","grant_type":"client_credentials","client_id":"3MVG9CC","http_status":200}"#,
            String(repeating: "[", count: 70) + String(repeating: "]", count: 70),
            "{\"ts\":\"2026-11-21T06:04:27Z\",\"deep\":" + String(repeating: "{\"a\":", count: 70) + "1" + String(repeating: "}", count: 70) + "}",
        ]
    }

    @Test func bothReadersGiveTheSameRowsRejectsAndRepairs() throws {
        let dir = try TestSupport.temporaryDirectory()
        let tricky = dir + "/tricky.jsonl"
        var bytes = Array(Self.trickyLines().joined(separator: "\n").utf8)
        // Bytes that are not UTF-8, in a value and in a key.
        bytes += Array("\n{\"ts\":\"2026-11-21T06:05:00Z\",\"host\":\"bad ".utf8) + [0xFF, 0xFE] + Array("\",\"grant_type\":\"client_credentials\"}".utf8)
        bytes += Array("\n{\"ts\":\"2026-11-21T06:05:01Z\",\"k".utf8) + [0xC3] + Array("\":1,\"grant_type\":\"client_credentials\"}\n".utf8)
        _ = FileManager.default.createFile(atPath: tricky, contents: Data(bytes))
        let clients = try FileManager.default.contentsOfDirectory(atPath: TestSupport.samples + "/clients").sorted()
            .map { TestSupport.samples + "/clients/" + $0 }
        let files = [tricky, TestSupport.fixture("hostile_client.jsonl"), TestSupport.fixture("secrets/token_log.jsonl"),
                     TestSupport.fixture("shapes/token_log_cut_first_line.jsonl"), TestSupport.fixture("shapes/token_log_head_cut.jsonl")] + clients
        try Self.expectBothReadersAgree(on: files)
        // The tricky file holds rows, rejects and repairs of each kind: the comparison compared something.
        let rows = try Self.ingest(tricky, byteReader: true)
        #expect(rows.count >= 40)
    }

    /// The byte reader takes ordinary lines and leaves the others to the parser.
    @Test func theByteReaderTakesPlainLinesAndLeavesTheRestToTheParser() throws {
        let (ctx, store, db) = try TestSupport.fileContext(format: "token_log")
        let ingester = TokenLogIngester(ctx: ctx)
        func taken(_ line: String) throws -> Bool {
            var copy = line
            return try copy.withUTF8 { try ingester.ingestFast(line: 1, raw: UnsafeRawBufferPointer($0)) }
        }
        let lines = Self.trickyLines()
        #expect(try taken(lines[0]))
        #expect(try taken(lines[1]))          // escapes and a raw assertion
        #expect(try taken(lines[12]))         // nested secrets
        #expect(try !taken(lines[7]))         // a known key twice
        #expect(try !taken(lines[8]))         // an unknown key twice
        #expect(try !taken(lines[9]))         // a nested key twice
        #expect(try !taken(lines[10]))        // an escaped key
        #expect(try !taken(lines[11]))        // a non-ASCII key
        #expect(try !taken(lines[20]))        // a hook delivery's `data`
        #expect(try !taken(lines[22]))        // an array
        #expect(try !taken(lines[23]))        // text after the object
        _ = try store.flush()
    }

    /// The one-pass decoder reads what Foundation writes, padded or not, in either alphabet.
    @Test func base64PayloadsDecodeToTheirBytes() throws {
        var rng = SystemRandomNumberGenerator()
        for length in 0..<64 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let standard = Data(bytes).base64EncodedString()
            let url = standard.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            for text in [standard, url] {
                var copy = text
                #expect(copy.withUTF8 { JWT.base64URLDecode(UnsafeRawBufferPointer($0)) } == bytes, "\(text)")
            }
        }
        // Fingerprints are SHA-256's first 16 hex digits, the empty secret included.
        #expect(Fingerprint.of("") == "sha256:e3b0c44298fc1c14")
        #expect(Fingerprint.of("abc") == "sha256:ba7816bf8f01cfea")
        var bad = "eyJ!"
        #expect(bad.withUTF8 { JWT.base64URLDecode(UnsafeRawBufferPointer($0)) } == nil)
    }

    /// The contexts table answers the same id for the same values before and after it is
    /// cleared at its bound, and distinct ids for distinct values.
    @Test func loginContextsKeepTheirIdsAcrossTheBound() throws {
        let db = try Database(path: try TestSupport.temporaryDirectory() + "/contexts.sqlite")
        _ = try IngestStore(db: db)   // the schema
        let contexts = try LoginContexts(db: db, maxEntries: 8)
        let before = try TestSupport.count(db, "SELECT count(*) FROM login_contexts")
        func record(_ n: Int) -> LoginRecord {
            var r = LoginRecord()
            r.origin = 1; r.outcome = 1; r.flow = 1; r.flowBasis = 1
            r.status = Int64(n % 7 + 1); r.browser = Int64(n / 7 + 1); r.precisionMs = 1000
            return r
        }
        let first = try (0..<50).map { try contexts.id(for: record($0)) }
        let again = try (0..<50).reversed().map { try contexts.id(for: record($0)) }.reversed()
        #expect(Array(again) == first)
        #expect(Set(first).count == 50)
        #expect(try TestSupport.count(db, "SELECT count(*) FROM login_contexts") == before + 50)
    }

    /// A file that fails after interning values is rolled back; the values it interned must
    /// not keep ids in memory that the rollback freed, or a later file's new value takes the
    /// freed id and an older value shows as it (a crafted failing file would relabel rows).
    @Test func aFailedFileLeavesNoStaleIdsBehind() throws {
        let dir = try TestSupport.temporaryDirectory()
        try #"[{"ts":"2026-11-21T06:00:00Z","host":"stale-host","grant_type":"client_credentials"}, {"ts": broken"#
            .write(toFile: dir + "/a_broken.json", atomically: true, encoding: .utf8)
        try #"""
            {"ts":"2026-11-21T06:01:00Z","host":"fresh-host","grant_type":"client_credentials"}
            {"ts":"2026-11-21T06:02:00Z","host":"stale-host","grant_type":"client_credentials"}
            """#.write(toFile: dir + "/b_good.jsonl", atomically: true, encoding: .utf8)
        let (_, db) = try TestSupport.scan([dir + "/a_broken.json", dir + "/b_good.jsonl"])
        let hosts = try db.rows("SELECT host FROM v_token_requests ORDER BY time_ms").map { $0[0].string ?? "NULL" }
        #expect(hosts == ["fresh-host", "stale-host"])
    }
}
