import Foundation
import Testing
@testable import TokenTrail

/// Users must be able to trust silence (issue 10, point 5): two ordinary weeks of an org whose
/// vendor app, nightly exports, phones and Okta sessions all have history raise nothing at
/// medium or above when the second week is reviewed, through the CLI as a user runs it. A
/// control run of the same files plus one stolen-token replay is not quiet, so the test can fail.
@Suite struct QuietWeekTests {
    static let policy = """
        {"version": 1, "apps": [
          {"name": "Acme ERP Sync", "clientIds": ["3MVG9ErpKey"], "flows": ["jwt_bearer"], "subjects": ["erp@acme.example"],
           "sourceCidrs": ["198.51.100.0/24"]},
          {"name": "Chatline", "flows": ["refresh_token"], "integration": true, "appIds": ["0H45g0000ChatLnAAA"],
           "sourceCidrs": ["2001:db8:c4a7::/48"]},
          {"name": "Salesforce for iOS", "flows": ["refresh_token"]},
          {"name": "Dataloader Partner", "flows": ["username_password"]}]}
        """
    static let vendorAgent = "Chatline-Connector/4.2 (+https://chatline.example/bot)"

    /// A deterministic stream of small numbers (no global randomness in tests).
    struct Dice {
        var state: UInt64
        mutating func roll(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
    }

    static func iso(_ ms: Int64) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }

    /// Nov 2–15: an integration on JWT bearer with its client log, a vendor app on refresh
    /// tokens reading Leads with a nightly Bulk export, an admin's nightly Data Loader export of
    /// ~12k rows, ten people on phones from changing carrier networks, Okta sign-ins whose SSO and
    /// later activity (also from another network, same browser) stay in their session.
    static func ordinaryWeeks() -> [ExampleEvent] {
        var dice = Dice(state: 20_261_201), events: [ExampleEvent] = []
        let start: Int64 = 1_793_577_600_000   // 2026-11-02T00:00:00Z
        let hour: Int64 = 3_600_000
        for day in 0..<14 {
            let d0 = start + Int64(day) * 24 * hour
            for h in 0..<24 {
                let t = d0 + Int64(h) * hour + 7 * 60_000 + Int64(dice.roll(40_000))
                events.append(.token(iso(t - 300), clientId: "3MVG9ErpKey", sub: "erp@acme.example"))
                events.append(.login(iso(t), app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer, ip: "198.51.100.23"))
            }
            for slot in 0..<12 {
                let t = d0 + Int64(2 * slot) * hour + 3 * 60_000 + Int64(dice.roll(50_000))
                let ip = slot % 2 == 0 ? "2001:db8:c4a7:10::21" : "2001:db8:c4a7:10::22", key = "Ck\(day)x\(slot)SessionKey00"
                events.append(.login(iso(t), app: "Chatline", user: "chatline@acme.example", flow: .refreshToken, ip: ip))
                events.append(.login(iso(t), app: nil, user: "chatline@acme.example", flow: .refreshToken, ip: ip, elf: true, loginKey: key, browser: vendorAgent))
                for k in 0..<3 {
                    let at = iso(t + Int64(5_000 + k * 9_000))
                    events.append(.api(at, user: "chatline@acme.example", loginKey: key, ip: ip, appId: "0H45g0000ChatLnAAA",
                                       entity: k == 1 ? "Contact" : "Lead", rows: Int64(1 + dice.roll(120)), agent: vendorAgent))
                    events.append(.api(at, type: "ApiTotalUsage", user: "chatline@acme.example", ip: ip, app: "Chatline", appId: "0H45g0000ChatLnAAA"))
                }
                if slot == 0 {   // the nightly Lead export, left to expire
                    let job = "7505g0000NLd\(day)AAA", at = d0 + 90 * 60_000
                    events.append(.api(iso(at), type: "BulkApi2", user: "chatline@acme.example", loginKey: key, ip: ip, entity: "Lead",
                                       job: job, state: "created", operation: "query"))
                    events.append(.api(iso(at + 70_000), type: "BulkApi2", user: "chatline@acme.example", loginKey: key, ip: ip, entity: "Lead",
                                       rows: Int64(3_000 + dice.roll(3_000)), job: job, state: "JobComplete", operation: "query"))
                }
            }
            // The admin's nightly Data Loader export.
            let nightly = d0 + 13 * hour + Int64(dice.roll(600_000)), key = "Dl\(day)NightlyKey0000"
            events.append(.login(iso(nightly), app: "Dataloader Partner", user: "dara@acme.example", flow: .usernamePassword, ip: "192.0.2.200"))
            events.append(.login(iso(nightly), app: nil, user: "dara@acme.example", flow: .usernamePassword, ip: "192.0.2.200", elf: true,
                                 loginKey: key, browser: "Unknown"))
            events.append(.api(iso(nightly + 4_000), type: "API", user: "dara@acme.example", loginKey: key, ip: "192.0.2.200",
                               entity: "Contact", rows: Int64(12_000 + dice.roll(600)), client: "DataLoaderBulkUI/62.0"))
            // People on phones, from whatever carrier network they are on.
            for person in 0..<10 {
                for _ in 0..<3 {
                    let t = d0 + Int64(dice.roll(12)) * hour + Int64(dice.roll(3_600_000))
                    let ip = dice.roll(2) == 0 ? "100.64.\(dice.roll(64)).\(2 + dice.roll(250))" : "172.58.\(dice.roll(200)).\(2 + dice.roll(250))"
                    events.append(.login(iso(t), app: "Salesforce for iOS", user: "person\(person)@acme.example", flow: .refreshToken, ip: ip))
                }
            }
            // Okta: a sign-in, the SSO into Salesforce in that session, and later the same browser from home.
            for person in 0..<8 {
                let t = d0 + Int64(dice.roll(9)) * hour + Int64(dice.roll(3_600_000)), session = "102Sess\(day)p\(person)Abc"
                let user = "person\(person)@acme.example", office = "192.0.2.\(10 + person)", agent = "Mozilla/5.0 (Macintosh) Chrome/131.0"
                events.append(.okta(iso(t), user: user, ip: office, agent: agent, session: session))
                events.append(.okta(iso(t + 5_000), event: "user.authentication.sso", user: user, ip: office, agent: agent, session: session))
                if person % 3 == 0 {
                    events.append(.okta(iso(t + 6 * hour), event: "user.authentication.sso", user: user, ip: "100.64.\(person).9", agent: agent, session: session))
                }
            }
        }
        return events
    }

    static func write(_ events: [ExampleEvent], to dir: String) throws {
        var files = ExampleFiles()
        for event in events { try files.add(event) }
        for (name, text) in files.rendered() {
            #expect(FileManager.default.createFile(atPath: dir + "/" + name, contents: Data(text.utf8)))
        }
        #expect(FileManager.default.createFile(atPath: dir + "/policy.json", contents: Data(policy.utf8)))
    }

    static func review(_ dir: String) throws -> (status: Int32, findings: [[String: JSONValue]], stderr: String) {
        let run = try TestSupport.runCLI(["scan", dir, "--policy", dir + "/policy.json", "--db", dir + "/db.sqlite", "--since", "2026-11-09T00:00:00Z",
                                          "--findings", "-", "--fail-on", "medium"])
        let findings = try run.stdout.split(separator: "\n").map { line -> [String: JSONValue] in
            guard case .object(let object) = try JSONParser.parse(String(line)) else { return [:] }
            return object
        }
        return (run.status, findings, run.stderr)
    }

    @Test func twoOrdinaryWeeksRaiseNothingAtMediumOrAbove() throws {
        let dir = try TestSupport.temporaryDirectory()
        try Self.write(Self.ordinaryWeeks(), to: dir)
        let run = try Self.review(dir)
        let loud = run.findings.filter { ["medium", "high", "critical"].contains($0["severity"]?.string ?? "") }
        #expect(run.status == 0, "\(loud.compactMap { $0["message"]?.string })\n\(run.stderr)")
        #expect(loud.isEmpty)
        // The reviewed week was there to judge, with a week of history before it.
        let db = try Database(path: dir + "/db.sqlite")
        let week2 = try #require(TimeParser.parse("2026-11-09T00:00:00Z")).epochMs
        #expect(try db.scalar("SELECT count(*) FROM logins WHERE time >= ?", [.integer(week2)]).int ?? 0 > 400)
        #expect(try db.scalar("SELECT count(*) FROM logins WHERE time < ?", [.integer(week2)]).int ?? 0 > 400)
        #expect(try db.scalar("SELECT count(*) FROM api_activity WHERE time >= ?", [.integer(week2)]).int ?? 0 > 300)
        // Nothing needs attention: no incident at medium or above.
        #expect(try TestSupport.count(db, "SELECT count(*) FROM incidents WHERE severity IN ('medium', 'high', 'critical')") == 0)
    }

    @Test func theSameWeeksWithAReplayedVendorTokenAreNotQuiet() throws {
        let dir = try TestSupport.temporaryDirectory()
        let replay: [ExampleEvent] = [
            .login("2026-11-12T03:12:40Z", app: "Chatline", user: "chatline@acme.example", flow: .refreshToken, ip: "203.0.113.66"),
            .api("2026-11-12T03:16:00Z", user: "chatline@acme.example", loginKey: "Ck10x1SessionKey00", ip: "203.0.113.66", appId: "0H45g0000ChatLnAAA",
                 entity: "Contact", rows: 2000, agent: "python-requests/2.32.4"),
        ]
        try Self.write(Self.ordinaryWeeks() + replay, to: dir)
        let run = try Self.review(dir)
        let rules = Set(run.findings.compactMap { $0["rule"]?.string })
        #expect(run.status == 1)
        #expect(rules.isSuperset(of: ["new-source-ip", "session-ip-divergence", "client-fingerprint-drift"]), "\(rules)")
        // One replay, one incident, holding what the token read.
        let db = try Database(path: dir + "/db.sqlite")
        let incidents = try db.rows("SELECT rules, records_read FROM incidents WHERE severity IN ('medium', 'high', 'critical')")
        #expect(incidents.count == 1 && incidents.first?[1].int == 2000, "\(incidents)")
        #expect(incidents.first?[0].string?.contains("session-ip-divergence") == true && incidents.first?[0].string?.contains("new-source-ip") == true)
    }
}
