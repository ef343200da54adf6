import Foundation
import Testing
@testable import TokenTrail

/// Issue 25: a secret planted in any field of any export is never stored or printed raw. The
/// files are generated from the readers' own field lists (Login History's and Event
/// Monitoring's alias tables, the token log's known keys, Okta's key paths), so a field added
/// to a reader is planted by construction.
@Suite struct PlantedSecretTests {
    /// Each shape carries a marker that must survive nowhere.
    static let secrets = [
        "00D5g000004AcmeA!AQ4AQMarkAccessTok3nPLANTEDxyzabcdefghijklmnop1234567890",                 // Salesforce access token
        "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJQTEFOVEVEIn0.c2lnPLANTEDbmF0dXJl",                          // JWT
        "Bearer 00xBearerPLANTEDvalue1234567890",
        "SSWS 00SswsPLANTEDtokenValue1234567890",
        "Basic dXNlcjpQTEFOVEVEcGFzc3dvcmQxMjM0NTY=PLANTED",
        "password=HunterPLANTED2pass",
        "client_secret=ClientPLANTEDsecret9876",
        "5Aep861RefreshPLANTEDtoken0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ",                     // refresh token
        "-----BEGIN PRIVATE KEY-----MIIEvPLANTEDpemBody0123-----END PRIVATE KEY-----",
    ]
    static let marker = "PLANTED"

    static func csv(_ rows: [[String]]) -> String {
        rows.map { $0.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    static func write(_ dir: String) throws {
        // Login History (API export): every ASCII alias a column; the time real, the rest secrets.
        let lhColumns = LoginHistoryField.aliases.keys.filter { $0.allSatisfy(\.isASCII) && $0 != "eventdate" && $0 != "eventidentifier" }.sorted()
        let lhRows = secrets.map { secret in lhColumns.map { LoginHistoryField.aliases[$0] == .loginTime ? "2026-11-20T01:02:03.000+0000" : secret } }
        try csv([lhColumns] + lhRows).write(toFile: dir + "/LoginHistory.csv", atomically: true, encoding: .utf8)
        // Event Monitoring: a Login file and an activity file (every other field), every column a secret but the time and type.
        func elf(_ columns: [String], type: String) -> [[String]] {
            secrets.map { secret in columns.map { c in
                switch c {
                case "eventtype": return type
                case "timestamp": return "20261120010203.000"
                case "timestampderived": return "2026-11-20T01:02:03.000Z"
                default: return secret
                }
            } }
        }
        let elfColumns = ELFField.aliases.keys.sorted()
        try csv([elfColumns] + elf(elfColumns, type: "Login")).write(toFile: dir + "/ELF_Login.csv", atomically: true, encoding: .utf8)
        let activityColumns = elfColumns.filter { $0 != "loginstatus" }
        try csv([activityColumns] + elf(activityColumns, type: "RestApi")).write(toFile: dir + "/ELF_RestApi.csv", atomically: true, encoding: .utf8)
        // The client token log: every known key (and one unknown) a secret but the time.
        let tokenLines = secrets.map { secret -> String in
            var object: [String: JSONValue] = ["ts": .string("2026-11-20T01:02:00Z"), "x_unknown_field": .string(secret)]
            for key in TokenLogFormat.knownKeys where !TokenLogFormat.timeKeys.contains(key) { object[key] = .string(secret) }
            object["claims"] = .object(["iss": .string(secret), "sub": .string(secret), "aud": .string(secret), "jti": .string(secret)])
            object["grant_type"] = .string("client_credentials")
            #expect(TokenLogFormat.recognizes(object))
            return JSONValue.object(object).serialized
        }
        try (tokenLines.joined(separator: "\n") + "\n").write(toFile: dir + "/token-requests.jsonl", atomically: true, encoding: .utf8)
        // Okta: every key path a secret but the time.
        let oktaLines = secrets.map { secret -> String in
            var event: [String: JSONValue] = ["published": .string("2026-11-20T01:02:30.000Z")]
            for path in OktaPath.allCases where path != .published && path != .data && path != .target {
                event = Self.setting(event, path.keys, .string(secret))
            }
            return JSONValue.object(event).serialized
        }
        try (oktaLines.joined(separator: "\n") + "\n").write(toFile: dir + "/okta.jsonl", atomically: true, encoding: .utf8)
    }

    static func setting(_ object: [String: JSONValue], _ path: [String], _ value: JSONValue) -> [String: JSONValue] {
        var out = object
        guard let first = path.first else { return out }
        if path.count == 1 { out[first] = value; return out }
        out[first] = .object(setting(out[first]?.object ?? [:], Array(path.dropFirst()), value))
        return out
    }

    static func files(under dir: String) -> [String] {
        (FileManager.default.enumerator(atPath: dir)?.allObjects as? [String] ?? []).map { dir + "/" + $0 }
            .filter { var isDir: ObjCBool = false; return FileManager.default.fileExists(atPath: $0, isDirectory: &isDir) && !isDir.boolValue }
    }

    @Test func noPlantedSecretIsStoredOrPrinted() throws {
        let dir = try TestSupport.temporaryDirectory(), input = dir + "/exports", out = dir + "/out"
        try FileManager.default.createDirectory(atPath: input, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try Self.write(input)
        let db = out + "/db.sqlite"
        let scan = try TestSupport.runCLI(["scan", input, "--db", db, "--report", out + "/report", "--findings", out + "/findings.ndjson",
                                           "--incidents", out + "/incidents.ndjson"])
        #expect(scan.status != 2, "\(scan.stderr)")
        // Every file was read: its rows stored or rejected (a reject keeps a scrubbed excerpt).
        let database = try Database(path: db)
        #expect(try TestSupport.count(database, "SELECT count(*) FROM sources WHERE rows_read > 0") == 5)
        #expect(try TestSupport.count(database, "SELECT count(*) FROM logins") > 0)
        #expect(try TestSupport.count(database, "SELECT count(*) FROM token_requests") > 0)
        #expect(try TestSupport.count(database, "SELECT count(*) FROM idp_events") > 0)
        // Each scrubbed field is a repair of its row, named.
        let redactedFields = Set(try database.rows("SELECT DISTINCT field FROM v_repairs WHERE kind = 'redacted'").compactMap { $0[0].string })
        #expect(redactedFields.isSuperset(of: ["platform", "username", "host", "client_id"]) && redactedFields.count > 20, "\(redactedFields.sorted())")
        let diff = try TestSupport.runCLI(["diff", "--db", db, "--since", "2026-11-20T00:00:00Z", "--format", "json"])
        let diffText = try TestSupport.runCLI(["diff", "--db", db, "--since", "2026-11-20T00:00:00Z"])
        // The webhook body: every finding of the run posted to a local receiver.
        let hook = try LocalHTTPServer(statuses: [200])
        let run = try Analyzer.run(db: database, policy: nil, windowStart: 1_795_478_400_000 - 86_400_000, windowEnd: 1_795_478_400_000 + 86_400_000)
        _ = try Webhook.deliver(db: database, url: hook.url, findings: run.findings, incidents: run.incidents, minimum: .info, runId: nil)
        let timelineJSON = try TestSupport.runCLI(["timeline", "--db", db, "--since", "2026-11-19T00:00:00Z", "--format", "json"])
        let timelineCSV = try TestSupport.runCLI(["timeline", "--db", db, "--since", "2026-11-19T00:00:00Z", "--format", "csv"])
        #expect(timelineJSON.status == 0 && timelineJSON.stdout.contains("login"))
        var outputs: [(String, String)] = [("scan stdout", scan.stdout), ("scan stderr", scan.stderr),
                                           ("timeline json", timelineJSON.stdout + timelineJSON.stderr), ("timeline csv", timelineCSV.stdout),
                                           ("diff", diff.stdout + diff.stderr + diffText.stdout),
                                           ("webhook body", hook.bodies.map { String(decoding: $0, as: UTF8.self) }.joined())]
        for file in Self.files(under: out) {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
            outputs.append((file, String(decoding: bytes, as: UTF8.self)))
        }
        for (name, text) in outputs {
            #expect(!text.contains(Self.marker), "\(name) holds a planted secret")
        }
    }
}

/// The private-key rule: every block, whatever precedes it, in one pass.
@Suite struct PrivateKeyBlockTests {
    @Test func aKeyAfterACertificateIsRedactedAndManyBlocksStayLinear() {
        let text = "-----BEGIN CERTIFICATE-----MIIBcert-----END CERTIFICATE----- -----BEGIN RSA PRIVATE KEY-----MIIEkeyPLANTED-----END RSA PRIVATE KEY----- tail"
        let scrubbed = Redactor.scrubShapes(text)
        #expect(!scrubbed.contains("PLANTED") && scrubbed.contains("MIIBcert") && scrubbed.hasSuffix(" tail"))
        // 25,000 key blocks in one value: one pass, no recursion.
        let many = String(repeating: "-----BEGIN PRIVATE KEY-----kPLANTED-----END PRIVATE KEY-----", count: 25_000)
        let started = Date()
        #expect(!Redactor.scrubShapes(many).contains("PLANTED"))
        #expect(Date().timeIntervalSince(started) < 10)
    }
}
