import Foundation
@testable import TokenTrail

/// A realistic org over several weeks, generated (no hand-kept counts), each week's exports in
/// a folder of its own the way a weekly export job leaves them: Saturday to Friday, so every
/// folder straddles two of the analysis's UTC weeks. The integration `Acme ERP Sync` logs in
/// by JWT bearer from etl-01 every hour with its client log; people sign in through Okta and
/// SSO into Salesforce; `sync-01` calls Okta's API; the integration's API calls are in ELF
/// RestApi. Planted:
/// - week 1: the ERP key used from 203.0.113.77 (three logins with no client request, each
///   reading Accounts); a second RestApi file of that night arrives late (`lateFolder`);
/// - week 2: a legitimate unpaired login (an engineer testing the key by hand from etl-01) and
///   the attacker back from 203.0.113.88;
/// - week 3: the Okta System Log, ELF RestApi and sync-01's log were not collected;
/// - week 4: quiet;
/// - week 5: after more than a week of quiet, the key used again from 203.0.113.99.
enum MultiWeekOrg {
    static let weeks = 6
    /// Saturday 2026-10-03T00:00:00Z.
    static let start: Int64 = 1_790_985_600_000
    static let hour: Int64 = 3_600_000
    static let day: Int64 = 24 * hour
    static let attackAddresses = [1: "203.0.113.77", 2: "203.0.113.88", 5: "203.0.113.99"]

    static let policy = """
        {"version": 1, "apps": [
          {"name": "Acme ERP Sync", "clientIds": ["3MVG9example"], "flows": ["jwt_bearer"], "subjects": ["erp@acme.example"],
           "sourceCidrs": ["198.51.100.0/24"]}]}
        """

    static func iso(_ ms: Int64) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }

    static func weekStart(_ week: Int) -> Int64 { start + Int64(week) * 7 * day }

    /// The events of one week's folder.
    static func events(week: Int) -> [ExampleEvent] {
        var dice = QuietWeekTests.Dice(state: UInt64(1_000 + week)), events: [ExampleEvent] = []
        let w0 = weekStart(week), collected = week != 3
        for d in 0..<7 {
            let d0 = w0 + Int64(d) * day
            for h in 0..<24 {
                let t = d0 + Int64(h) * hour + 5 * 60_000 + Int64(dice.roll(40_000))
                events.append(.token(iso(t - 400), clientId: "3MVG9example", sub: "erp@acme.example"))
                events.append(.login(iso(t), app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer, ip: "198.51.100.23"))
                if collected && h % 3 == 0 {
                    events.append(.api(iso(t + 20_000), user: "erp@acme.example", ip: "198.51.100.23", entity: "Opportunity",
                                       rows: Int64(20 + dice.roll(80)), agent: "acme-erp/3.1"))
                }
                if collected && h % 4 == 1 {
                    events.append(.token(iso(t + 600_000), host: "sync-01", clientId: "0oaSyncClient", grant: .clientCredentials, sub: nil, aud: nil,
                                         provider: "okta", integration: "okta-user-sync"))
                }
            }
            for person in 0..<5 {
                let t = d0 + 8 * hour + Int64(dice.roll(3_600_000)), office = "192.0.2.\(10 + person)", user = "person\(person)@acme.example"
                events.append(.login(iso(t + 4_000), app: nil, user: user, flow: .saml, ip: office))
                if collected {
                    events.append(.okta(iso(t), user: user, ip: office, session: "102W\(week)d\(d)p\(person)"))
                }
            }
        }
        if let address = attackAddresses[week] {
            let night = w0 + 3 * day + 2 * hour
            for i in 0..<(week == 1 ? 3 : 2) {
                let t = night + Int64(i) * 15 * 60_000
                events.append(.login(iso(t), app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer, ip: address))
                if collected {
                    events.append(.api(iso(t + 30_000), user: "erp@acme.example", ip: address, entity: "Account", rows: 2_000,
                                       agent: "python-requests/2.31.0"))
                }
            }
        }
        if week == 2 {   // an engineer tests the key by hand from etl-01: no client request
            events.append(.login(iso(w0 + 4 * day + 16 * hour + 41 * 60_000), app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer,
                                 ip: "198.51.100.23"))
        }
        return events
    }

    /// The RestApi rows of week 1's attack night that were exported late.
    static func lateEvents() -> [ExampleEvent] {
        let night = weekStart(1) + 3 * day + 2 * hour
        return (0..<3).map { i in
            .api(iso(night + Int64(i) * 15 * 60_000 + 90_000), user: "erp@acme.example", ip: "203.0.113.77", entity: "Contact", rows: 5_000,
                 agent: "python-requests/2.31.0")
        }
    }

    /// Writes every week to `root/week-N/`, the late file to `root/week-1-late/`, and the policy.
    static func write(to root: String) throws -> (folders: [String], late: String, policy: String) {
        func write(_ events: [ExampleEvent], _ folder: String) throws {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            var files = ExampleFiles()
            for event in events { try files.add(event) }
            for (name, text) in files.rendered() {
                guard FileManager.default.createFile(atPath: folder + "/" + name, contents: Data(text.utf8)) else { throw InputError(path: folder, "cannot write") }
            }
        }
        var folders: [String] = []
        for week in 0..<weeks {
            folders.append(root + "/week-\(week)")
            try write(events(week: week), folders[week])
        }
        try write(lateEvents(), root + "/week-1-late")
        FileManager.default.createFile(atPath: root + "/policy.json", contents: Data(policy.utf8))
        return (folders, root + "/week-1-late", root + "/policy.json")
    }
}
