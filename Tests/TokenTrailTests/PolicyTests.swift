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
    ])
    func invalidPoliciesNameWhatIsWrong(json: String, message: String) throws {
        do {
            _ = try Policy.decode(try JSONParser.parse(json), path: "p.json")
            Issue.record("accepted an invalid policy: \(json)")
        } catch let error as PolicyError {
            #expect(error.description.contains(message), "\(error)")
        }
    }

    @Test(arguments: [("198.51.100.0/24", "198.51.100.23", true), ("198.51.100.0/24", "198.51.101.1", false),
                      ("2001:db8::/32", "2001:db8:1::5", true), ("2001:db8::/32", "2001:db9::1", false),
                      ("203.0.113.10", "203.0.113.10", true), ("0.0.0.0/0", "8.8.8.8", true)])
    func cidrMatching(cidr: String, ip: String, inside: Bool) throws {
        #expect(try #require(CIDR(cidr)).contains(ip) == inside)
    }
}
