import Foundation
import Testing
@testable import TokenTrail

/// Issue 27 (DESIGN.md, Incidents as a workflow): the review decides about incidents, and the
/// decision holds week after week, in every output, and keeps a closed incident quiet.
@Suite(.serialized) struct IncidentWorkflowTests {
    static let root = TestSupport.packageRoot.path
    static let critical = "inc-029e44440a2a"   // the samples' stolen key

    static func scanSamples(_ db: String, _ extra: [String] = []) throws -> (status: Int32, stdout: String, stderr: String) {
        try TestSupport.runCLI(["scan", "samples", "--policy", "samples/policy.json", "--db", db, "--quiet"] + extra, cwd: root)
    }

    @Test func aDecisionSurvivesRescansAndShowsInEveryOutput() throws {
        let dir = try TestSupport.temporaryDirectory(), db = dir + "/db.sqlite"
        #expect(try Self.scanSamples(db).status == 0)
        let triage = try TestSupport.runCLI(["triage", Self.critical, "--state", "acknowledged", "--note", "rotating the cert <b>now</b>", "--by", "alice", "--db", db])
        #expect(triage.status == 0 && triage.stdout.contains("acknowledged"), "\(triage.stderr)")
        // An unknown id is named and exits 2; a wrong state is a usage error.
        #expect(try TestSupport.runCLI(["triage", "inc-000000000000", "--state", "resolved", "--db", db]).status == 2)
        #expect(try TestSupport.runCLI(["triage", Self.critical, "--state", "closed", "--db", db]).status == 64)
        // Scanned again (the same files: unchanged) and analysed again: the decision holds.
        let again = try Self.scanSamples(db, ["--findings", dir + "/findings.ndjson", "--incidents", dir + "/incidents.ndjson", "--report", dir + "/report"])
        #expect(again.status == 0, "\(again.stderr)")
        let incidents = try String(contentsOfFile: dir + "/incidents.ndjson", encoding: .utf8).split(separator: "\n").map { try JSONParser.parse(String($0)) }
        let stolen = try #require(incidents.first { $0["id"]?.string == Self.critical })
        #expect(stolen["state"]?.string == "acknowledged")
        #expect(stolen["to_do"]?.string?.contains("rotate the app's certificate") == true)
        #expect(stolen["user_agents"]?.array?.compactMap(\.string) == ["python-requests/2.31.0"])
        #expect(stolen["title"]?.string == "Acme ERP Sync's key or secret used from an unknown host (203.0.113.77): 26,222 records read")
        #expect(incidents.filter { $0["id"]?.string != Self.critical }.allSatisfy { $0["state"]?.string == "open" })
        let findings = try String(contentsOfFile: dir + "/findings.ndjson", encoding: .utf8).split(separator: "\n").map { try JSONParser.parse(String($0)) }
        #expect(findings.contains { $0["incident"]?.string == Self.critical && $0["state"]?.string == "acknowledged" })
        // The list, one incident whole (text and JSON), the report and diff carry it.
        let list = try TestSupport.runCLI(["incidents", "--db", db, "--state", "acknowledged"])
        #expect(list.status == 0 && list.stdout.contains(Self.critical) && list.stdout.contains("1 incident(s)"), "\(list.stdout)")
        let show = try TestSupport.runCLI(["incidents", "show", Self.critical, "--db", db])
        #expect(show.stdout.contains("state: acknowledged") && show.stdout.contains("by alice") && show.stdout.contains("rotating the cert <b>now</b>"))
        #expect(show.stdout.contains("To do: Treat the key or secret as stolen") && show.stdout.contains("LoginHistory_api_2026-11-14_2026-11-20.csv:915"))
        let json = try JSONParser.parse(try TestSupport.runCLI(["incidents", "show", Self.critical, "--db", db, "--format", "json"]).stdout)
        #expect(json["triage"]?.array?.first?["note"]?.string == "rotating the cert <b>now</b>" && (json["findings_detail"]?.array?.count ?? 0) >= 1)
        #expect(try TestSupport.runCLI(["incidents", "show", "inc-000000000000", "--db", db]).status == 2)
        let page = try String(contentsOfFile: dir + "/report/incident-029e44440a2a.html", encoding: .utf8)
        #expect(page.contains("State: acknowledged") && page.contains("rotating the cert &lt;b&gt;now&lt;/b&gt;") && !page.contains("<b>now</b>"))
        let overview = try String(contentsOfFile: dir + "/report/index.html", encoding: .utf8)
        #expect(overview.contains("Acknowledged: 1 being worked on") && overview.contains("To decide: 8 open"))
        let diff = try TestSupport.runCLI(["diff", "--db", db, "--since", "2026-11-14T00:00:00Z", "--format", "json"])
        #expect(diff.stdout.contains("\"acknowledged\""), "\(diff.stdout)")
    }

    @Test func aFalsePositiveIsNotAlertedAgainAndTheTextListsEveryIncidentWithItsPage() throws {
        let dir = try TestSupport.temporaryDirectory(), db = dir + "/db.sqlite"
        #expect(try Self.scanSamples(db).status == 0)
        #expect(try TestSupport.runCLI(["triage", Self.critical, "--state", "false-positive", "--note", "pen test", "--db", db]).status == 0)
        let server = try LocalHTTPServer(statuses: [200])
        let run = try Self.scanSamples(db, ["--webhook", server.url.absoluteString, "--alert-on", "medium", "--report-url", "https://reports.acme.example/tokentrail/"])
        #expect(run.status == 0, "\(run.stderr)")
        let document = try JSONParser.parse(String(decoding: try #require(server.bodies.first), as: UTF8.self))
        let posted = document["findings"]?.array ?? []
        #expect(!posted.isEmpty && !posted.contains { $0["incident"]?.string == Self.critical })
        let text = try #require(document["text"]?.string)
        // Every incident at or above --alert-on is listed, with its state and its page; none is cut.
        let open = try TestSupport.runCLI(["incidents", "--db", db, "--format", "json"]).stdout.split(separator: "\n")
            .map { try JSONParser.parse(String($0)) }.filter { ($0["severity"]?.string).flatMap(Severity.init(rawValue:)).map { $0 >= .medium } == true }
        #expect(open.count >= 7)
        for incident in open where incident["id"]?.string != Self.critical {
            let id = incident["id"]?.string ?? "?"
            #expect(text.contains(id) && text.contains("https://reports.acme.example/tokentrail/incident-\(id.dropFirst(4)).html"), "\(id)")
        }
        #expect(text.contains("To do: ") && text.contains("Report: https://reports.acme.example/tokentrail/index.html"))
        #expect(try TestSupport.runCLI(["scan", "samples", "--db", db, "--report-url", "ftp://x", "--webhook", server.url.absoluteString], cwd: Self.root).status == 64)
    }

    @Test func aLongListIsGroupedNeverCut() {
        var incidents: [Incident] = []
        for n in 0..<14 {
            var i = Incident(id: "inc-\(String(format: "%012d", n))", severity: n < 3 ? .high : .medium, title: "t\(n)", firstSeen: 0, lastSeen: 0)
            i.toDo = "do it"
            incidents.append(i)
        }
        let text = IncidentsOutput.summary(incidents, findings: 14, minimum: .medium)
        #expect(text.contains("… and 4 more medium: inc-000000000010, inc-000000000011, inc-000000000012, inc-000000000013"))
        for i in incidents { #expect(text.contains(i.id)) }
    }

    @Test func policyHelpExitsZero() throws {
        let help = try TestSupport.runCLI(["policy", "--help"])
        #expect(help.status == 0 && help.stdout.contains("policy suggest") && help.stdout.contains("policy check"))
    }

    /// A first week with the suggested policy finds what the hand-written one finds: a vendor's
    /// refresh-token app is declared an integration with its IPv6 network.
    @Test func theSuggestedPolicyFindsWhatTheHandWrittenOneFinds() throws {
        let dir = try TestSupport.temporaryDirectory()
        #expect(try TestSupport.runCLI(["scan", "samples", "--db", dir + "/first.sqlite", "--timezone", "Asia/Tokyo", "--quiet"], cwd: Self.root).status == 0)
        let suggest = try TestSupport.runCLI(["policy", "suggest", "--db", dir + "/first.sqlite"])
        #expect(suggest.status == 0)
        try suggest.stdout.write(toFile: dir + "/suggested.json", atomically: true, encoding: .utf8)
        let chatline = try JSONParser.parse(suggest.stdout)["apps"]?.array?.first { $0["name"]?.string == "Chatline for Salesforce" }
        #expect(chatline?["integration"] == .bool(true))
        #expect(chatline?["sourceCidrs"]?.array?.compactMap(\.string) == ["2001:db8:c4a7::/48"])
        #expect(try TestSupport.runCLI(["policy", "check", dir + "/suggested.json"]).status == 0)
        func findings(_ policy: String, _ name: String) throws -> [String] {
            _ = try TestSupport.runCLI(["scan", "samples", "--policy", policy, "--db", dir + "/\(name).sqlite", "--findings", dir + "/\(name).ndjson", "--quiet"], cwd: Self.root)
            return try String(contentsOfFile: dir + "/\(name).ndjson", encoding: .utf8).split(separator: "\n").map { line in
                let f = try JSONParser.parse(String(line))
                return ["rule", "app", "user", "source_ip", "count"].map { f[$0]?.string ?? f[$0].map { $0.serialized } ?? "" }.joined(separator: "|")
            }.sorted()
        }
        let hand = try findings("samples/policy.json", "hand"), suggested = try findings(dir + "/suggested.json", "suggested")
        #expect(hand.count >= 15)
        #expect(hand == suggested)
    }

    /// Review of issue 27: a decision covers the findings the incident held then. A new finding
    /// joining it (here an ioc-match) reopens it and is posted.
    @Test func aNewFindingReopensADecidedIncidentAndIsPosted() throws {
        let dir = try TestSupport.temporaryDirectory(), db = dir + "/db.sqlite"
        #expect(try Self.scanSamples(db).status == 0)
        #expect(try TestSupport.runCLI(["triage", Self.critical, "--state", "false-positive", "--note", "pen test", "--db", db]).status == 0)
        try "203.0.113.77\n".write(toFile: dir + "/iocs.txt", atomically: true, encoding: .utf8)
        let server = try LocalHTTPServer(statuses: [200])
        let run = try Self.scanSamples(db, ["--webhook", server.url.absoluteString, "--alert-on", "high", "--iocs", dir + "/iocs.txt"])
        #expect(run.status == 0, "\(run.stderr)")
        let document = try JSONParser.parse(String(decoding: try #require(server.bodies.first), as: UTF8.self))
        #expect((document["findings"]?.array ?? []).contains { $0["rule"]?.string == "ioc-match" })
        let incident = try #require(try IncidentsTable.load(try Database(path: db), id: Self.critical))
        #expect(incident.rules.contains("ioc-match") && incident.reopened && incident.state == .open)
        #expect(try TestSupport.runCLI(["incidents", "--db", db, "--state", "open"]).stdout.contains(Self.critical))
    }
}
