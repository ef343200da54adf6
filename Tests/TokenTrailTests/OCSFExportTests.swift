import Foundation
import Testing
@testable import TokenTrail

/// Issue 29 (DESIGN.md, OCSF export): the database as OCSF 1.8.0 events, held to the schema
/// subset's validator (a copy of ../shared/ocsf in Fixtures/ocsf, checked equal to it where that
/// exists, so it cannot be loosened here).
@Suite(.serialized) struct OCSFExportTests {
    static let validator = TestSupport.fixture("ocsf/validate.py")

    static func validate(_ dir: String) throws -> (status: Int32, stdout: String, stderr: String) {
        try TestSupport.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", validator, dir])
    }

    static func files(_ dir: String) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let walker = FileManager.default.enumerator(atPath: dir)
        while let relative = walker?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: dir + "/" + relative, isDirectory: &isDirectory), !isDirectory.boolValue {
                out[relative] = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + relative))
            }
        }
        return out
    }

    @Test func theValidatorIsTheSharedOne() throws {
        let shared = TestSupport.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/ocsf").path
        guard FileManager.default.fileExists(atPath: shared) else { return }   // a clone without the shared notes
        for name in ["validate.py", "ocsf-subset.json"] {
            #expect(FileManager.default.contents(atPath: shared + "/" + name) == FileManager.default.contents(atPath: TestSupport.fixture("ocsf/" + name)), "\(name)")
        }
    }

    @Test func theSamplesExportIsValidCountedDeterministicAndPartitioned() throws {
        let dir = try TestSupport.temporaryDirectory(), db = dir + "/db.sqlite"
        #expect(try TestSupport.runCLI(["scan", "samples", "--policy", "samples/policy.json", "--db", db, "--quiet"], cwd: TestSupport.packageRoot.path).status == 0)
        #expect(try TestSupport.runCLI(["triage", "inc-029e44440a2a", "--state", "acknowledged", "--by", "alice", "--db", db]).status == 0)
        let run = try TestSupport.runCLI(["export", "--format", "ocsf", "--out", dir + "/ocsf", "--db", db])
        #expect(run.status == 0, "\(run.stderr)")
        let check = try Self.validate(dir + "/ocsf")
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        // One event per stored login and Okta sign-in, API row, finding, incident.
        let database = try Database(path: db)
        let logins = try TestSupport.count(database, "SELECT count(*) FROM logins")
        let okta = try TestSupport.count(database, """
            SELECT count(*) FROM idp_events WHERE event_type IN (SELECT id FROM strings WHERE value = 'user.session.start'
              OR value LIKE 'user.authentication.%' OR value LIKE 'app.oauth2.%token.grant%')
            """)
        let expected = [3002: logins + okta, 6003: try TestSupport.count(database, "SELECT count(*) FROM api_activity"),
                        2004: try TestSupport.count(database, "SELECT count(*) FROM findings"),
                        2005: try TestSupport.count(database, "SELECT count(*) FROM incidents")]
        let summary = check.stdout.split(separator: "\n").last.map(String.init) ?? ""
        for (uid, n) in expected { #expect(summary.contains("\(uid): \(n)"), "\(uid) \(n): \(summary)") }
        // Security Lake's layout; each event keeps its record's file:line.
        let exported = try Self.files(dir + "/ocsf")
        #expect(exported.keys.allSatisfy { $0.range(of: #"^(authentication|api_activity|detection_finding|incident_finding)/eventDay=\d{8}/part-\d{4}\.ndjson$"#, options: .regularExpression) != nil })
        let stolen = exported.filter { $0.key.hasPrefix("authentication/eventDay=20261119/") }.values.reduce(Data(), +)
        #expect(String(decoding: stolen, as: UTF8.self).contains("\"log_name\":\"samples/salesforce/LoginHistory_api_2026-11-14_2026-11-20.csv:915\""))
        let incident = String(decoding: exported.filter { $0.key.hasPrefix("incident_finding/") }.values.reduce(Data(), +), as: UTF8.self)
        #expect(incident.contains("\"assignee\":{\"name\":\"alice\"}") && incident.contains("\"status\":\"In Progress\""))
        // Run again: the same bytes, the partitions replaced.
        #expect(try TestSupport.runCLI(["export", "--format", "ocsf", "--out", dir + "/ocsf", "--db", db]).status == 0)
        #expect(try Self.files(dir + "/ocsf") == exported)
        #expect(try TestSupport.runCLI(["export", "--out", dir + "/x", "--db", db]).status == 64)
    }

    @Test func aPlantedSecretIsInNoExportedEvent() throws {
        let dir = try TestSupport.temporaryDirectory(), input = dir + "/exports", db = dir + "/db.sqlite"
        try FileManager.default.createDirectory(atPath: input, withIntermediateDirectories: true)
        try PlantedSecretTests.write(input)
        _ = try TestSupport.runCLI(["scan", input, "--db", db, "--quiet"])
        #expect(try TestSupport.runCLI(["export", "--format", "ocsf", "--out", dir + "/ocsf", "--db", db]).status == 0)
        let exported = try Self.files(dir + "/ocsf")
        #expect(!exported.isEmpty)
        for (name, data) in exported { #expect(!String(decoding: data, as: UTF8.self).contains(PlantedSecretTests.marker), "\(name)") }
        #expect(try Self.validate(dir + "/ocsf").status == 0)
    }

    /// The events are written straight to bytes: whatever a log held comes back as the same
    /// string, and the nesting is JSON.
    @Test func theEventWriterEscapesEveryValue() throws {
        let hostile = "a\"b\\c\n\r\t\u{01}\u{1F} é 日本 \u{1F600} </script>"
        var w = JSONEventWriter(capacity: 64)
        w.line { e in
            e.field("s", hostile); e.field("n", Int64(-42)); e.field("absent", nil as String?)
            e.object("o") { $0.field("inner", hostile); $0.field("uid", prefix: "api", 1_700_000_000_000, 7) }
            e.array("list") { l in l.element(hostile); l.element { $0.field("k", "v" as StaticString) } }
        }
        #expect(w.bytes.last == 0x0A && w.bytes.filter { $0 == 0x0A }.count == 1)
        let value = try w.bytes.withUnsafeBytes { try JSONParser.parse($0) }
        #expect(value["s"]?.string == hostile && value["n"]?.integer == -42 && value["absent"] == nil)
        #expect(value["o"]?["inner"]?.string == hostile && value["o"]?["uid"]?.string == "api-1700000000000-7")
        #expect(value["list"]?.array?.first?.string == hostile && value["list"]?.array?.last?["k"]?.string == "v")
    }

    /// The export names symbols through a bounded cache: past its capacity it starts over and
    /// still names every id right.
    @Test func aBoundedNameCacheStillNamesEveryId() throws {
        let db = try Database(path: try TestSupport.temporaryDirectory() + "/db.sqlite")
        try Schema.migrate(db)
        let ids = try (0..<50).map { i in try db.execute("INSERT INTO strings(value) VALUES (?)", [.text("name-\(i)")]) == 1 ? db.lastInsertRowID : -1 }
        let names = try SymbolNames(db: db, capacity: 8)
        for round in 0..<3 {
            for (i, id) in ids.enumerated() { #expect(try names.name(id) == "name-\(i)", "round \(round)") }
        }
        #expect(try names.name(0) == nil)
    }
}
