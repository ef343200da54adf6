import Testing
@testable import TokenTrail

@Suite struct PolicyTests {
    @Test func theSamplePolicyIsValid() throws {
        let policy = try Policy.load(path: TestSupport.samples + "/policy.json")
        #expect(policy.timezone == "Asia/Tokyo")
        #expect(policy.declaresJWTOnly(app: "Acme ERP Sync"))
        #expect(!policy.declaresJWTOnly(app: "Acme Reporting"))
        #expect(policy.apps.first { $0.name == "Acme Reporting" }?.runAsUser == "reporting-bot@acme.example")
    }

    @Test(arguments: [
        (#"{"version":1,"timezon":"UTC"}"#, "unknown key 'timezon' at top level"),
        (#"{"apps":[{"name":"X","flow":["jwt_bearer"]}]}"#, "unknown key 'flow' at apps[0]"),
        (#"{"apps":[{"name":"X","flows":["jwt"]}]}"#, "'jwt' is not a flow"),
        (#"{"apps":[{"name":"X","sourceCidrs":["10.0.0.0/33"]}]}"#, "not an IPv4/IPv6 CIDR"),
        (#"{"apps":[{"flows":[]}]}"#, "\"name\" is required"),
        (#"{"version":2}"#, "version 2 is not supported"),
        (#"{"timezone":"Mars/Base"}"#, "not an IANA time zone"),
        (#"{"rules":{"failure-burst":{"treshold":3}}}"#, "unknown key 'treshold' at rules.failure-burst"),
        (#"{"clockSkewToleranceSeconds":"30"}"#, "expected a whole number"),
        (#"{"apps":[{"name":"X","integration":"yes"}]}"#, "apps[0].integration: expected true or false"),
        (#"{"trustedCidrs":["egress"]}"#, "trustedCidrs: 'egress' is not an IPv4/IPv6 CIDR"),
        (#"{"integrationMaxUsers":-1}"#, "integrationMaxUsers: expected a whole number"),
        (#"{"rules":{"session-export-volume":{"factor":"10"}}}"#, "rules.session-export-volume.factor: expected a whole number"),
        // Issue 25: numbers out of what can be right, severities that are none, one app twice.
        (#"{"matchWindowSeconds":99999999}"#, "matchWindowSeconds: 99999999 is out of range (1 to 3600)"),
        (#"{"matchWindowSeconds":0}"#, "matchWindowSeconds: 0 is out of range"),
        (#"{"rules":{"failure-burst":{"threshold":0}}}"#, "rules.failure-burst.threshold: 0 is out of range"),
        (#"{"integrationMaxNetworks":0}"#, "integrationMaxNetworks: 0 is out of range"),
        (#"{"rules":{"failure-burst":{"severity":"bogus"}}}"#, "rules.failure-burst.severity: 'bogus' is not a severity"),
        (#"{"apps":[{"name":"Acme ERP"},{"name":"acme erp"}]}"#, "apps[1].name: 'acme erp' names the same app as an earlier entry"),
    ])
    func invalidPoliciesNameWhatIsWrong(json: String, message: String) throws {
        do {
            _ = try Policy.decode(try JSONParser.parse(json), path: "p.json")
            Issue.record("accepted an invalid policy: \(json)")
        } catch let error as PolicyError {
            #expect(error.description.contains(message), "\(error)")
        }
    }

    @Test func suggestWritesAValidPolicyAndLeavesRareValuesOutForReview() throws {
        let dir = try TestSupport.temporaryDirectory()
        let root = TestSupport.packageRoot.path
        #expect(try TestSupport.runCLI(["scan", "samples", "--policy", "samples/policy.json", "--db", dir + "/db.sqlite", "--quiet"], cwd: root).status == 0)
        let run = try TestSupport.runCLI(["policy", "suggest", "--db", dir + "/db.sqlite"])
        #expect(run.status == 0)
        try run.stdout.write(toFile: dir + "/suggested.json", atomically: true, encoding: .utf8)
        let policy = try Policy.load(path: dir + "/suggested.json")
        let erp = try #require(policy.apps.first { $0.name == "Acme ERP Sync" })
        #expect(erp.flows == [.jwtBearer])
        #expect(erp.subjects == ["erp-integration@acme.example"])
        #expect(erp.sourceCidrs == ["198.51.100.0/24"])
        #expect(erp.clientIds.count == 1 && erp.audience == "https://login.salesforce.com")
        #expect(erp.appIds == ["0H45g0000ErpAppCQE"])   // from ApiTotalUsage, which names the app and its id
        #expect(policy.apps.first { $0.name == "Acme Reporting" }?.runAsUser == "reporting-bot@acme.example")
        #expect(policy.timezone == "Asia/Tokyo")
        #expect(run.stderr.contains("subject dara.okafor@acme.example (1 of"))
        #expect(run.stderr.contains("network 203.0.113.0/24 (4 of"))
        #expect(try TestSupport.runCLI(["policy", "suggest", "--db", dir + "/missing.sqlite"]).status == 2)
    }

    @Test(arguments: [("198.51.100.0/24", "198.51.100.23", true), ("198.51.100.0/24", "198.51.101.1", false),
                      ("2001:db8::/32", "2001:db8:1::5", true), ("2001:db8::/32", "2001:db9::1", false),
                      ("203.0.113.10", "203.0.113.10", true), ("0.0.0.0/0", "8.8.8.8", true)])
    func cidrMatching(cidr: String, ip: String, inside: Bool) throws {
        #expect(try #require(CIDR(cidr)).contains(ip) == inside)
    }

    @Test func smallFilesAreReadWholeUpToTheirLimitOnly() throws {
        let dir = try TestSupport.temporaryDirectory()
        try String(repeating: "a", count: 10).write(toFile: dir + "/ten", atomically: true, encoding: .utf8)
        #expect(try SmallFile.read(dir + "/ten", limit: 10) == (Array(repeating: 0x61, count: 10), true))
        let cut = try SmallFile.read(dir + "/ten", limit: 9)
        #expect(cut.bytes.count == 9 && !cut.complete)
        #expect(throws: InputError.self) { try SmallFile.read(dir + "/missing", limit: 9) }
        // A policy path that names a big log is refused by size, not parsed.
        try String(repeating: "{", count: (4 << 20) + 1).write(toFile: dir + "/big.json", atomically: true, encoding: .utf8)
        #expect { try Policy.load(path: dir + "/big.json") } throws: { "\($0)".contains("larger than 4 MiB") }
    }

    @Test func integrationKeysAreRead() throws {
        let policy = try Policy.decode(try JSONParser.parse(#"""
            {"trustedCidrs":["198.51.100.0/24"],"integrationMaxUsers":2,"integrationMaxNetworks":1,
             "apps":[{"name":"Drift","integration":true,"appIds":["0H45g0000DrfApp"]},{"name":"Gainsight","sourceCidrs":["34.120.0.0/16"]},{"name":"Portal"}],
             "rules":{"session-export-volume":{"factor":20}}}
            """#), path: "p.json")
        #expect(policy.trustedCidrs == ["198.51.100.0/24"] && policy.integrationMaxUsers == 2 && policy.integrationMaxNetworks == 1)
        #expect(policy.apps.map(\.declaredIntegration) == [true, true, false])
        #expect(policy.apps[0].appIds == ["0H45g0000DrfAppCQE"])   // a 15-character id in its 18-character form
        #expect(policy.rules["session-export-volume"]?.factor == 20)
    }

    @Test func aKeyGivenTwiceIsRefusedWithItsLine() throws {
        let dir = try TestSupport.temporaryDirectory(), path = dir + "/policy.json"
        try "{\n  \"matchWindowSeconds\": 60,\n  \"apps\": [{\"name\": \"A\"}],\n  \"matchWindowSeconds\": 120\n}\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: PolicyError.self) { try Policy.load(path: path) }
        do { _ = try Policy.load(path: path) } catch { #expect("\(error)".contains("line 4: key 'matchWindowSeconds' is given twice")) }
        // Nested, and spelled with an escape.
        try #"{"apps":[{"name":"A","runAsUser":"a@x","run\u0041sUser":"b@x"}]}"#.write(toFile: path, atomically: true, encoding: .utf8)
        do { _ = try Policy.load(path: path); Issue.record("accepted") } catch { #expect("\(error)".contains("key 'runAsUser' is given twice")) }
        // The same key in two objects is fine.
        try #"{"apps":[{"name":"A"},{"name":"B"}]}"#.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try Policy.load(path: path).apps.count == 2)
    }

    @Test func aRuleIdThatDoesNotExistIsRefusedByScanAndCheck() throws {
        let dir = try TestSupport.temporaryDirectory(), path = dir + "/policy.json"
        try #"{"rules":{"failure-brust":{"enabled":false}}}"#.write(toFile: path, atomically: true, encoding: .utf8)
        let check = try TestSupport.runCLI(["policy", "check", path])
        #expect(check.status == 2 && check.stderr.contains("rules.failure-brust: no rule has this id") && check.stderr.contains("failure-burst"), "\(check.stderr)")
        let scan = try TestSupport.runCLI(["scan", TestSupport.samples + "/clients", "--policy", path, "--db", dir + "/db.sqlite", "--quiet"])
        #expect(scan.status == 2 && scan.stderr.contains("no rule has this id"))
    }
}
