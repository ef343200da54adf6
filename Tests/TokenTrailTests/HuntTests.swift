import Foundation
import Testing
@testable import TokenTrail

/// Issue 28 (DESIGN.md, IOC hunt): an advisory's indicators, in the four shapes they are
/// published in, swept over all history.
@Suite struct IOCFileTests {
    static func ioc(_ name: String) -> String { TestSupport.fixture("iocs/" + name) }

    @Test func eachShapeIsReadWithWhatItCannotUseListedByPlace() throws {
        let stix = try IOCFile.read(Self.ioc("campaigns-2025.stix.json"))
        #expect(stix.shape == .stix)
        #expect(Set(stix.indicators.map { "\($0.kind.rawValue) \($0.value)" }) == [
            "address 3.239.45.43", "user_agent salesforce-multi-org-fetcher/1.0", "user_agent salesforce-cli/1.0",
            "user_agent python-requests/2.32.4", "user_agent python/3.11 aiohttp/3.12.15", "user_agent_pattern salesforce-%-fetcher/%",
            "network 2001:db8:bad::/48", "network 198.18.0.0/15", "address 185.220.101.133", "user exfil-bot@attacker.example",
        ])
        #expect(stix.problems.map(\.origin) == ["#7", "#8", "#9"].map { Self.ioc("campaigns-2025.stix.json") + $0 })
        #expect(stix.problems[0].message.contains("AND") && stix.problems[2].message.contains("expected ']'"))

        let misp = try IOCFile.read(Self.ioc("campaigns-2025.misp.json"))
        #expect(misp.shape == .misp)
        #expect(Set(misp.indicators.map { "\($0.kind.rawValue) \($0.value)" }) == [
            "address 3.239.45.43", "user_agent python/3.11 aiohttp/3.12.15", "address 185.220.101.133", "user exfil-bot@attacker.example",
            "user_agent salesforce-cli/1.0", "domain login.attacker.example", "domain drift-sync.attacker.example",
        ])
        #expect(misp.problems.map(\.message) == ["type 'sha256' is not one TokenTrail can look for in its records (skipped)"])

        let csv = try IOCFile.read(Self.ioc("campaigns-2025.csv"))
        #expect(csv.shape == .csv && csv.indicators.count == 5)
        #expect(csv.indicators.first { $0.kind == .userAgent && $0.value == "python-requests/2.32.4" }?.comment == "UNC6395, scripted")
        #expect(csv.problems.map(\.origin) == [Self.ioc("campaigns-2025.csv") + ":7", Self.ioc("campaigns-2025.csv") + ":8"])

        let text = try IOCFile.read(Self.ioc("campaigns-2025.txt"))
        #expect(text.shape == .text)
        #expect(Set(text.indicators.map { "\($0.kind.rawValue) \($0.value)" }) == [
            "address 3.239.45.43", "user_agent salesforce-multi-org-fetcher/1.0", "user_agent salesforce-cli/1.0",
            "user_agent python-requests/2.32.4", "user_agent python/3.11 aiohttp/3.12.15", "address 185.220.101.133",
            "user exfil-bot@attacker.example",
        ])
        #expect(text.indicators.first { $0.value == "185.220.101.133" }?.comment == "a Tor exit they used")
        // A URL with a path is refused (hosts are stored, not paths); prose is no indicator.
        #expect(text.problems.map(\.origin) == [Self.ioc("campaigns-2025.txt") + ":10", Self.ioc("campaigns-2025.txt") + ":12"])
        #expect(text.problems.first?.message.contains("a URL with a path") == true)
    }

    @Test func aFileWithNoUsableIndicatorIsAnErrorNamingIt() throws {
        let dir = try TestSupport.temporaryDirectory()
        try "# nothing here\njust prose\n".write(toFile: dir + "/empty.txt", atomically: true, encoding: .utf8)
        #expect { try IOCFile.read(dir + "/empty.txt") } throws: { "\($0)".contains("empty.txt") && "\($0)".contains("no usable indicator") }
        try #"{"kind":"other"}"#.write(toFile: dir + "/other.json", atomically: true, encoding: .utf8)
        #expect { try IOCFile.read(dir + "/other.json") } throws: { "\($0)".contains("neither a STIX 2.1 bundle") }
    }

    @Test(arguments: [("3.239.45[.]43", "address 3.239.45.43"), ("3.239.45(.)43", "address 3.239.45.43"),
                      ("2001:db8[:]bad::7", "address 2001:db8:bad::7"), ("hxxps://login.attacker[.]example/", "domain login.attacker.example"),
                      ("exfil-bot[@]attacker[.]example", "user exfil-bot@attacker.example"), ("10.0.0.0/8", "network 10.0.0.0/8"),
                      ("2001:DB8:BAD::/48", "network 2001:db8:bad::/48"), ("::ffff:203.0.113.5", "address 203.0.113.5"),
                      ("0H45g0000ChatLn", "app_id 0H45g0000ChatLnCQI"), ("Salesforce-CLI/1.0", "user_agent salesforce-cli/1.0")])
    func defangedAndBareValuesAreTyped(raw: String, expected: String) throws {
        let kind = try #require(Indicator.infer(raw))
        let indicator = try Indicator.make(kind, raw, origin: "t").get()
        #expect("\(indicator.kind.rawValue) \(indicator.value)" == expected)
    }
}

@Suite struct STIXPatternTests {
    @Test func comparisonsObservationsAndQualifiersParse() throws {
        let p = try STIXPattern.parse("([ipv4-addr:value = '1.2.3.4'] OR [ipv6-addr:value ISSUBSET '2001:db8::/32']) WITHIN 60 SECONDS")
        #expect(p.alternatives?.count == 2)
        let ua = try STIXPattern.parse(#"[network-traffic:extensions.'http-request-ext'.request_header.'User-Agent' LIKE 'curl/%']"#)
        #expect(ua == .comparison(path: "network-traffic:extensions.'http-request-ext'.request_header.'User-Agent'", op: "LIKE", negated: false, values: ["curl/%"]))
        let list = try STIXPattern.parse("[user-account:account_login IN ('a@x.example', 'b@x.example')]")
        #expect(list == .comparison(path: "user-account:account_login", op: "IN", negated: false, values: ["a@x.example", "b@x.example"]))
        #expect(try STIXPattern.parse("[ipv4-addr:value = '1.2.3.4' AND ipv4-addr:value = '5.6.7.8']").alternatives == nil)
        #expect(try STIXPattern.parse("[ipv4-addr:value = '1.2.3.4'] FOLLOWEDBY [ipv4-addr:value = '5.6.7.8']").alternatives == nil)
        #expect(try STIXPattern.parse(#"[domain-name:value = 'it\'s.example']"#) == .comparison(path: "domain-name:value", op: "=", negated: false, values: ["it's.example"]))
        #expect(try STIXPattern.parse("[ipv4-addr:value NOT = '1.2.3.4']") == .comparison(path: "ipv4-addr:value", op: "=", negated: true, values: ["1.2.3.4"]))
    }

    @Test(arguments: ["[ipv4-addr:value = '1.2.3.4'", "[ipv4-addr: = '1']", "[ipv4-addr:value ~ '1']", "ipv4-addr:value = '1'", "[x:y = 'unterminated]"])
    func brokenPatternsAreRefused(pattern: String) {
        #expect(throws: STIXPattern.ParseError.self) { try STIXPattern.parse(pattern) }
    }
}

/// Sweeps over the samples, with a few records of the 2025 campaigns planted in a copy.
@Suite(.serialized) struct HuntSweepTests {
    static let root = TestSupport.packageRoot.path

    /// A copy of the samples with the campaigns' indicators planted: a login from the Gainsight
    /// address, an API call with the fetcher's agent, an Okta sign-in from the Tor exit, a
    /// token request from the planted IPv6 network.
    static func plantedSamples() throws -> (dir: String, db: String) {
        let dir = try TestSupport.temporaryDirectory()
        try FileManager.default.copyItem(atPath: root + "/samples", toPath: dir + "/samples")
        func append(_ file: String, _ line: String) throws {
            let handle = try #require(FileHandle(forWritingAtPath: dir + "/samples/" + file))
            handle.seekToEndOfFile()
            handle.write(Data((line + "\n").utf8))
            handle.closeFile()
        }
        try append("salesforce/LoginHistory_api_2026-11-14_2026-11-20.csv",
                   "0Ya5g0000000PLANT1,0055g00000ChatLAAR,2026-11-19T04:00:00.000+0000,Remote Access 2.0,OAuth Refresh Token,3.239.45.43,login.salesforce.com,,04F5g0000000PLANT1,TLS 1.2,ECDHE-RSA-AES256-GCM-SHA384,Unknown,Unknown,Success,Chatline for Salesforce,N/A,N/A,N/A,US,")
        try append("eventlogfiles/chatline/RestApi_2026-11-07_2026-11-20.csv",
                   #""RestApi","20261119040100.000","4ZtKPLANT01","00D5g000004Acme","0055g00000ChatL","229","40","/services/data/v62.0/query","GET","Account","200","5000","3356","Salesforce-Multi-Org-Fetcher/1.0","0H45g0000ChatLnCQI","PLANTloginKey001","PLANTsessionK001","2026-11-19T04:01:00.000Z","0055g00000ChatLAAR","3.239.45.43""#)
        try append("okta/system-log_2026-11-20.jsonl",
                   #"{"uuid":"a1b2c3d4-0000-4000-8000-00000000PLNT","published":"2026-11-20T05:00:00.000Z","eventType":"user.session.start","actor":{"id":"00uPLANT","type":"User","alternateId":"exfil-bot@attacker.example"},"client":{"ipAddress":"185.220.101.133","userAgent":{"rawUserAgent":"Salesforce-CLI/1.0"}},"outcome":{"result":"SUCCESS"}}"#)
        try append("clients/etl-01_token-requests.jsonl",
                   #"{"ts":"2026-11-20T05:10:00.000Z","host":"etl-01","integration":"acme-erp-sync","token_url":"https://login.attacker.example/services/oauth2/token","grant_type":"urn:ietf:params:oauth:grant-type:jwt-bearer","client_id":"3MVG9ERPsync0Acme.Example.Consumer.Key.For.TokenTrail.Samples.0001","http_status":400,"error":"invalid_grant","source_ip":"2001:db8:bad::7"}"#)
        let db = dir + "/db.sqlite"
        let scan = try TestSupport.runCLI(["scan", dir + "/samples", "--policy", dir + "/samples/policy.json", "--db", db, "--quiet"])
        #expect(scan.status <= 1, "\(scan.stderr)")
        return (dir, db)
    }

    @Test func everyShapeFindsThePlantedRecordsOfEveryKindAndNothingNear() throws {
        let (_, db) = try Self.plantedSamples()
        let ioc = IOCFileTests.ioc
        let run = try TestSupport.runCLI(["hunt", ioc("campaigns-2025.stix.json"), ioc("campaigns-2025.misp.json"), ioc("campaigns-2025.csv"),
                                          ioc("campaigns-2025.txt"), "--db", db, "--format", "json"])
        #expect(run.status == 1, "\(run.stderr)")
        let result = try JSONParser.parse(run.stdout)
        let matches = result["matches"]?.array ?? []
        func match(_ type: String, _ value: String) -> JSONValue? { matches.first { $0["type"]?.string == type && $0["value"]?.string == value } }
        // The Gainsight address: the login and the API call, one incident-less story each.
        let gainsight = try #require(match("address", "3.239.45.43"))
        #expect(gainsight["hits"]?.integer == 2)
        #expect(Set(gainsight["sources"]?.array?.compactMap(\.string) ?? []) == ["login_history_api", "elf_restapi"])
        #expect(gainsight["users"]?.array?.compactMap(\.string) == ["chatline-integration@acme.example"])
        // Exact user agents; the LIKE pattern takes the fetcher, and no prefix of an exact one matches.
        #expect(match("user_agent", "salesforce-multi-org-fetcher/1.0")?["hits"]?.integer == 1)
        #expect(match("user_agent_pattern", "salesforce-%-fetcher/%")?["hits"]?.integer == 1)
        #expect(match("user_agent", "salesforce-cli/1.0")?["sources"]?.array?.compactMap(\.string) == ["okta_system_log"])
        #expect(match("user_agent", "python-requests/2.32.4")?["incidents"]?.array?.compactMap(\.string) == ["inc-3b5d4f4e1868"])
        // Okta by address and by user; the token request by its IPv6 network and its token URL's domain.
        #expect(match("address", "185.220.101.133")?["sources"]?.array?.compactMap(\.string) == ["okta_system_log"])
        #expect(match("user", "exfil-bot@attacker.example")?["hits"]?.integer == 1)
        #expect(match("network", "2001:db8:bad::/48")?["sources"]?.array?.compactMap(\.string) == ["token_log"])
        #expect(match("domain", "login.attacker.example")?["evidence"]?.array?.first?.string?.contains("etl-01_token-requests.jsonl") == true)
        // Near misses: the benchmark range and the other campaign domain are nowhere; the sample's own python-requests/2.32 is no hit.
        #expect(match("network", "198.18.0.0/15") == nil && match("domain", "drift-sync.attacker.example") == nil)
        #expect((result["unmatched"]?.integer ?? 0) >= 2)
        #expect((result["skipped"]?.array?.count ?? 0) == 8)
    }

    @Test func exitCodesAreGrepsAndTheOutputsAgree() throws {
        let (dir, db) = try Self.plantedSamples()
        try "198.18.0.1\n".write(toFile: dir + "/miss.txt", atomically: true, encoding: .utf8)
        #expect(try TestSupport.runCLI(["hunt", dir + "/miss.txt", "--db", db]).status == 0)
        try "prose only\n".write(toFile: dir + "/bad.txt", atomically: true, encoding: .utf8)
        let bad = try TestSupport.runCLI(["hunt", dir + "/bad.txt", "--db", db])
        #expect(bad.status == 2 && bad.stderr.contains("bad.txt"))
        #expect(try TestSupport.runCLI(["hunt", "--db", db]).status == 64)
        #expect(try TestSupport.runCLI(["hunt", dir + "/miss.txt", "--db", dir + "/none.sqlite"]).status == 2)
        let ndjson = try TestSupport.runCLI(["hunt", IOCFileTests.ioc("campaigns-2025.txt"), "--db", db, "--format", "ndjson"])
        let lines = try ndjson.stdout.split(separator: "\n").map { try JSONParser.parse(String($0)) }
        #expect(ndjson.status == 1 && lines.last?["summary"]?["matched"]?.integer == Int64(lines.count - 1))
        let text = try TestSupport.runCLI(["hunt", IOCFileTests.ioc("campaigns-2025.txt"), "--db", db, "--since", "2026-11-19T00:00:00Z"])
        #expect(text.stdout.contains("3.239.45[.]43") && text.stdout.contains("matched nothing") && !text.stdout.contains("2026-11-18T03:12:40Z"))
    }
}

/// `scan --iocs`: every scan sweeps what it analyses; a hit is a critical finding in the
/// incident of the session it belongs to.
@Suite(.serialized) struct ScanIOCsTests {
    @Test func aHitIsACriticalFindingInsideTheAttacksIncidentAndOnTheOverview() throws {
        let (dir, db) = try HuntSweepTests.plantedSamples()
        let run = try TestSupport.runCLI(["scan", dir + "/samples", "--policy", dir + "/samples/policy.json", "--db", db,
                                          "--iocs", IOCFileTests.ioc("campaigns-2025.txt"), "--iocs", IOCFileTests.ioc("campaigns-2025.misp.json"),
                                          "--since", "2026-11-07T00:00:00Z", "--until", "2026-11-21T00:00:00Z",
                                          "--findings", dir + "/findings.ndjson", "--report", dir + "/report", "--fail-on", "critical", "--quiet"])
        #expect(run.status == 1, "\(run.stderr)")
        let findings = try String(contentsOfFile: dir + "/findings.ndjson", encoding: .utf8).split(separator: "\n").map { try JSONParser.parse(String($0)) }
        let hits = findings.filter { $0["rule"]?.string == "ioc-match" }
        #expect(hits.allSatisfy { $0["severity"]?.string == "critical" })
        #expect(hits.count >= 6, "\(hits.map { $0["message"]?.string ?? "" })")
        // The sample's Chatline theft used the campaign's scripted client: the hit joins that incident, blast radius and all.
        let scripted = try #require(hits.first { ($0["message"]?.string ?? "").contains("python-requests/2.32.4") })
        #expect(scripted["incident"]?.string == "inc-3b5d4f4e1868")
        let incident = try JSONParser.parse(try TestSupport.runCLI(["incidents", "show", "inc-3b5d4f4e1868", "--db", db, "--format", "json"]).stdout)
        #expect(incident["rules"]?.array?.compactMap(\.string).contains("ioc-match") == true && (incident["records_read"]?.integer ?? 0) >= 190_226)
        #expect(incident["severity"]?.string == "critical")
        let overview = try String(contentsOfFile: dir + "/report/index.html", encoding: .utf8)
        #expect(overview.contains("<h2>Indicators</h2>") && overview.contains("python-requests/2.32.4"))
        // A bad indicator file stops the scan before anything is stored; --iocs needs the analysis.
        try "prose\n".write(toFile: dir + "/bad.txt", atomically: true, encoding: .utf8)
        #expect(try TestSupport.runCLI(["scan", dir + "/samples", "--db", dir + "/other.sqlite", "--iocs", dir + "/bad.txt"]).status == 2)
        #expect(!FileManager.default.fileExists(atPath: dir + "/other.sqlite"))
        #expect(try TestSupport.runCLI(["scan", dir + "/samples", "--db", dir + "/other.sqlite", "--iocs", dir + "/bad.txt", "--no-analysis"]).status == 64)
    }
}


/// The hostile review of issue 28: what an indicator file or a log value must not do to a sweep.
@Suite struct HuntHardeningTests {
    @Test func aDeepOrLongPatternIsRefusedNotRecursedInto() {
        let deep = String(repeating: "(", count: 10_000) + "[ipv4-addr:value = '1.2.3.4']" + String(repeating: ")", count: 10_000)
        #expect { try STIXPattern.parse(deep) } throws: { "\($0)".contains("longer than") || "\($0)".contains("nested more than") }
        let nested = String(repeating: "(", count: 100) + "[ipv4-addr:value = '1.2.3.4']" + String(repeating: ")", count: 100)
        #expect { try STIXPattern.parse(nested) } throws: { "\($0)".contains("nested more than 64 deep") }
    }

    @Test func crlfFilesPlaceholdersAndDomainsOfUsernames() throws {
        let dir = try TestSupport.temporaryDirectory()
        try "203.0.113.66\r\n203.0.113.77\r\nunknown\r\n".write(toFile: dir + "/crlf.txt", atomically: true, encoding: .utf8)
        let file = try IOCFile.read(dir + "/crlf.txt")
        #expect(file.indicators.map(\.value) == ["203.0.113.66", "203.0.113.77"])
        try "type,value\r\nuser-agent,Unknown\r\nuser-agent,N/A\r\ndomain,acme.example\r\n".write(toFile: dir + "/p.csv", atomically: true, encoding: .utf8)
        let csv = try IOCFile.read(dir + "/p.csv")
        #expect(csv.indicators.map(\.value) == ["acme.example"] && csv.problems.count == 2)
        #expect(csv.problems.allSatisfy { $0.message.contains("placeholder") })
    }

    @Test func aBrokenCSVRecordOrATruncatedDocumentIsNamedByLine() throws {
        let dir = try TestSupport.temporaryDirectory()
        // An unterminated quote is a listed problem of its line, never a value that swallows the rest.
        try "type,value,comment\n# a comment\nip-src,203.0.113.9,\"a, b\"\nip-src,\"203.0.113.77\n".write(toFile: dir + "/q.csv", atomically: true, encoding: .utf8)
        let csv = try IOCFile.read(dir + "/q.csv")
        #expect(csv.indicators.map(\.value) == ["203.0.113.9"] && csv.indicators.first?.comment == "a, b")
        #expect(csv.problems.map(\.origin) == [dir + "/q.csv:4"] && csv.problems.first?.message.contains("unterminated") == true)
        let stix = try String(contentsOfFile: IOCFileTests.ioc("campaigns-2025.stix.json"), encoding: .utf8)
        try String(stix.prefix(300)).write(toFile: dir + "/cut.json", atomically: true, encoding: .utf8)
        #expect { try IOCFile.read(dir + "/cut.json") } throws: { "\($0)".hasPrefix(dir + "/cut.json:5: invalid JSON") }
    }

    @Test func aValueCountsOnlyInAColumnOfItsKind() throws {
        let (_, db) = try HuntSweepTests.plantedSamples()
        let database = try Database.reader(path: db)
        func hits(_ kind: Indicator.Kind, _ value: String) throws -> Int {
            let indicator = try Indicator.make(kind, value, origin: "t").get()
            return try Hunt.sweep(db: database, indicators: [indicator], since: 0, until: .max / 2).matches.first?.hits ?? 0
        }
        // An agent pattern that happens to match an app's name is no hit; the app's name is.
        let pattern = Indicator(kind: .userAgentPattern, value: "chatline for%", original: "chatline for%", origin: "t")
        #expect(try Hunt.sweep(db: database, indicators: [pattern], since: 0, until: .max / 2).matches.isEmpty)
        #expect(try hits(.app, "Chatline for Salesforce") > 0)
        // A domain covers the e-mail-shaped usernames under it.
        #expect(try hits(.domain, "attacker.example") >= 2)   // the Okta actor and the token URL
    }
}
