import Foundation
import Testing
@testable import TokenTrail

/// Incidents (DESIGN.md, Incidents): grouping, stable ids, blast radius, narrative, and every
/// output that carries them, end to end on the samples.
@Suite(.serialized) struct IncidentTests {
    static func scanSamples(_ extra: [String] = [], db: String? = nil) throws -> (dir: String, incidents: [JSONValue], run: (status: Int32, stdout: String, stderr: String)) {
        let dir = try TestSupport.temporaryDirectory()
        let run = try TestSupport.runCLI(["scan", "samples", "--policy", "samples/policy.json", "--db", db ?? dir + "/db.sqlite",
                                          "--incidents", dir + "/incidents.ndjson", "--quiet"] + extra, cwd: TestSupport.packageRoot.path)
        let text = (try? String(contentsOfFile: dir + "/incidents.ndjson", encoding: .utf8)) ?? ""
        return (dir, try text.split(separator: "\n").map { try JSONParser.parse(String($0)) }, run)
    }

    static func strings(_ v: JSONValue?) -> [String] { v?.array?.compactMap(\.string) ?? [] }

    @Test func eachPlantedAttackIsOneIncidentWithWhatItsSessionsRead() throws {
        let (_, incidents, run) = try Self.scanSamples()
        #expect(run.status == 0, "\(run.stderr)")
        // The DESIGN.md keys, on every line.
        for key in ["id", "severity", "title", "first_seen", "last_seen", "apps", "users", "ips", "hosts", "sessions", "findings",
                    "api_calls", "records_read", "entities", "bulk_jobs", "narrative"] {
            #expect(incidents.allSatisfy { $0[key] != nil }, "\(key)")
        }
        func holding(_ rule: String, ip: String? = nil, user: String? = nil) -> [JSONValue] {
            incidents.filter { i in
                Self.strings(i["rules"]).contains(rule) && (ip.map { Self.strings(i["ips"]).contains($0) } ?? true)
                    && (user.map { Self.strings(i["users"]).contains($0) } ?? true)
            }
        }
        // The stolen ERP key: one critical incident with both its findings and the thief's calls only.
        let stolen = holding("unmatched-server-login")
        #expect(stolen.count == 1)
        let key = try #require(stolen.first)
        #expect(key["severity"]?.string == "critical")
        #expect(Set(Self.strings(key["rules"])) == ["unmatched-server-login", "new-source-ip"])
        #expect(key["api_calls"]?.integer == 20 && key["records_read"]?.integer == 26_222)
        let entities = (key["entities"]?.array ?? []).map { ($0["entity"]?.string ?? "", $0["records"]?.integer ?? 0) }
        #expect(entities.first?.0 == "Contact" && entities.first?.1 == 12_222)
        let narrative = key["narrative"]?.string ?? ""
        #expect(narrative.contains("26,222 record(s)") && narrative.contains("rotate the app's certificate") && narrative.contains("How sure: high"))
        #expect(!narrative.contains("198.51.100.23"))   // etl-01's own queries of that hour are not in it
        // The subject switch: the client's request and the server's login, one incident.
        let dara = holding("unexpected-subject", user: "dara.okafor@acme.example")
        #expect(dara.count == 1 && Self.strings(dara.first?["rules"]) == ["unexpected-subject", "unexpected-subject"])
        // Chatline's stolen token: login, replayed session, export and deleted job, one incident.
        let chat = try #require(holding("session-ip-divergence").first)
        // With the week before as its history (each week's baseline), the attacker's clients are new too.
        #expect(Set(Self.strings(chat["rules"])) == ["session-ip-divergence", "query-job-deleted", "new-source-ip", "session-export-volume",
                                                     "client-fingerprint-drift"])
        let job = try #require(chat["bulk_jobs"]?.array?.first)
        #expect(job["job_id"]?.string == "7505g00000Q8xCaAAJ" && job["state"]?.string == "deleted" && job["records"]?.integer == 184_223)
        #expect(holding("query-job-deleted").count == 1 && holding("session-export-volume", user: "chatline-integration@acme.example").count == 1)
        // A slow clock is not the stolen key, though both are the ERP app as its integration user on Nov 19.
        let clock = try #require(holding("clock-skew").first)
        #expect(Set(Self.strings(clock["rules"])) == ["clock-skew", "expired-assertion"])
        #expect(clock["id"]?.string != key["id"]?.string && (clock["narrative"]?.string ?? "").contains("NTP"))
        // Severity is the highest of the findings; every finding at medium or above is in exactly one incident.
        #expect(incidents.count == 9)
        let all = incidents.flatMap { Self.strings($0["findings"]) }
        #expect(all.count == Set(all).count)
    }

    @Test func rescanningChangesNothingAndALaterFindingJoinsItsIncident() throws {
        let dir = try TestSupport.temporaryDirectory(), db = dir + "/db.sqlite"
        // With only the logins exported (Login History and Chatline's ELF Login file), Chatline's
        // new login from 203.0.113.66, with the client its ELF twin names, is all that is known.
        let incidentsFile = dir + "/early.ndjson"
        let early = try TestSupport.runCLI(["scan", "samples/salesforce", "samples/eventlogfiles/chatline/Login_2026-11-07_2026-11-20.csv",
                                            "--policy", "samples/policy.json", "--db", db, "--incidents", incidentsFile, "--quiet"],
                                           cwd: TestSupport.packageRoot.path)
        #expect(early.status == 0, "\(early.stderr)")
        let earlyIncidents = try (try String(contentsOfFile: incidentsFile, encoding: .utf8)).split(separator: "\n").map { try JSONParser.parse(String($0)) }
        let first = try #require(earlyIncidents.first { Self.strings($0["ips"]).contains("203.0.113.66") })
        #expect(Self.strings(first["rules"]) == ["client-fingerprint-drift", "new-source-ip"])
        // The whole span: the replayed session, the export and the deleted job join it under its id.
        let full = try Self.scanSamples([], db: db)
        let joined = try #require(full.incidents.first { Self.strings($0["ips"]).contains("203.0.113.66") })
        #expect(joined["id"]?.string == first["id"]?.string)
        #expect(Self.strings(joined["rules"]).count == 6)
        let database = try Database(path: db)
        let snapshot = "SELECT id, severity, title, first_seen, last_seen, findings, api_calls, records_read, narrative, blast FROM incidents ORDER BY id"
        let before = try database.rows(snapshot).map { $0.map { $0.string ?? "\($0.int ?? -1)" } }
        // Re-scanning the same files changes nothing.
        let again = try Self.scanSamples([], db: db)
        #expect(again.run.status == 0)
        #expect(try database.rows(snapshot).map { $0.map { $0.string ?? "\($0.int ?? -1)" } } == before)
        #expect(try TestSupport.count(database, "SELECT count(*) FROM incidents") == 9)
        #expect(try TestSupport.count(database, "SELECT count(*) FROM v_incidents WHERE finding_count >= 1") == 9)
    }

    @Test func timelineOfAnIncidentListsItsRecordsAndNothingElse() throws {
        let (dir, incidents, _) = try Self.scanSamples()
        let key = try #require(incidents.first { Self.strings($0["rules"]).contains("unmatched-server-login") }?["id"]?.string)
        let timeline = try TestSupport.runCLI(["timeline", "--db", dir + "/db.sqlite", "--incident", key, "--format", "csv"])
        #expect(timeline.status == 0, "\(timeline.stderr)")
        let lines = timeline.stdout.split(separator: "\n").dropFirst()
        #expect(lines.filter { $0.contains(",login,") }.count == 4)
        #expect(lines.filter { $0.contains(",api,") && $0.contains("RestApi_2026-11-19.csv") }.count == 20)
        #expect(lines.filter { $0.contains(",finding,") }.count == 2)
        #expect(!timeline.stdout.contains("198.51.100.23"))
        let unknown = try TestSupport.runCLI(["timeline", "--db", dir + "/db.sqlite", "--incident", "inc-000000000000"])
        #expect(unknown.status == 2 && unknown.stderr.contains("inc-000000000000"))
        #expect(try TestSupport.runCLI(["timeline", "--db", dir + "/db.sqlite", "--incident", key, "--ip", "1.2.3.4"]).status == 64)
        let help = try TestSupport.runCLI(["timeline", "--help"])
        #expect(help.status == 0 && help.stdout.contains("--incident"))
    }

    @Test func diffCountsIncidentsNewAndResolved() throws {
        let (dir, _, _) = try Self.scanSamples()
        let diff = try TestSupport.runCLI(["diff", "--db", dir + "/db.sqlite", "--since", "2026-11-14T00:00:00Z", "--format", "json"])
        #expect(diff.status == 0, "\(diff.stderr)")
        let counts = try JSONParser.parse(diff.stdout)["incidents"]
        // The previous week holds no incident: all of this week's are new, none resolved.
        #expect(counts?["new_count"]?.integer == 9 && counts?["resolved_count"]?.integer == 0)
        // The week after holds no records at all: nothing is resolved, every incident is not covered.
        let later = try TestSupport.runCLI(["diff", "--db", dir + "/db.sqlite", "--since", "2026-11-21T00:00:00Z", "--until", "2026-11-27T23:59:59Z"])
        #expect(later.stdout.contains("Incidents: 0 new, 0 ongoing, 0 resolved"), "\(later.stdout)")
        #expect(later.stdout.contains("9 not covered"))
    }

    /// What chat services check of an incoming-webhook body: Slack wants a non-empty `text`
    /// (or blocks) and answers `400 no_text`; Teams' connectors want `text` or `summary`.
    @Test(arguments: ["slack", "teams"]) func theWebhookDocumentIsAcceptedByChatServicesAsIs(service: String) throws {
        let server = try LocalHTTPServer(statuses: [200]) { body in
            guard let document = try? JSONParser.parse(String(decoding: body, as: UTF8.self)), let text = document["text"]?.string, !text.isEmpty else { return 400 }
            return service == "teams" && body.count > 28_000 ? 413 : 200
        }
        let (_, _, run) = try Self.scanSamples(["--webhook", server.url.absoluteString, "--alert-on", "high"])
        #expect(run.status == 0, "\(run.stderr)")
        let body = try #require(server.bodies.first)
        let document = try JSONParser.parse(String(decoding: body, as: UTF8.self))
        let text = try #require(document["text"]?.string)
        #expect(text.hasPrefix("TokenTrail: ") && text.contains("[CRITICAL] Acme ERP Sync's key or secret used from an unknown host (203.0.113.77): 26,222 records read"))
        #expect(text.contains("26,222 record(s) read"))
        // The structured parts stay beside it: the findings posted and the incidents that hold them.
        let incidents = document["incidents"]?.array ?? []
        #expect(incidents.count == 7 && document["findings"]?.array?.count == 13)
        let posted = Set(Self.strings(.array(document["findings"]?.array?.compactMap { $0["fingerprint"] } ?? [])))
        #expect(incidents.allSatisfy { !Set(Self.strings($0["findings"])).isDisjoint(with: posted) })
    }

    /// Log values reach the chat message: markup and links in them stay text there.
    @Test func hostileNamesAreInertInTheChatText() throws {
        let server = try LocalHTTPServer(statuses: [200])
        let dir = try TestSupport.temporaryDirectory()
        let run = try TestSupport.runCLI(["scan", TestSupport.fixture("hostile_values.csv"), TestSupport.fixture("hostile_client.jsonl"), "--timezone", "UTC",
                                          "--db", dir + "/db.sqlite", "--webhook", server.url.absoluteString, "--alert-on", "medium", "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        let document = try JSONParser.parse(String(decoding: try #require(server.bodies.first), as: UTF8.self))
        let text = try #require(document["text"]?.string)
        #expect(text.contains("&lt;script&gt;") && text.contains("incident"))
        #expect(!text.contains("<") && !text.contains(">") && !text.contains("://"))
        // The structured incidents keep the values as they were (JSON escapes them).
        #expect(document["incidents"]?.array?.contains { Self.strings($0["apps"]).contains { $0.contains("<script>") } } == true)
    }
}

/// The chat `text` of a title no fixture holds: a mention, a link, a terminal escape, a bidi override.
@Suite struct ChatTextTests {
    @Test func markupEscapesAndReorderingStayInert() {
        let title = "Acme <!channel> https://evil.example/x & \u{1B}[31mred \u{202E}gnp.exe"
        let text = IncidentsOutput.summary([Incident(id: "inc-000000000001", severity: .high, title: title, firstSeen: 0, lastSeen: 0)], findings: 1)
        #expect(text.contains("&lt;!channel&gt;") && text.contains("https[:]//evil.example") && text.contains("&amp;"))
        #expect(!text.contains("<") && !text.contains(">") && !text.contains("://"))
        #expect(!text.unicodeScalars.contains { $0.value == 0x1B || (0x202A...0x202E).contains($0.value) })
        #expect(text.contains("⟨U+202E⟩"))
    }
}

/// The grouping rules themselves, on findings made up for them.
@Suite struct IncidentGroupingTests {
    static let hour: Int64 = 3_600_000

    static func member(_ rule: String, _ severity: Severity, at hours: Int64, app: String? = "App", user: String? = nil, ip: String? = nil,
                       host: String? = nil, evidence: [String] = [], sessions: Set<String> = []) -> IncidentGrouping.Member {
        var records = EvidenceRecords()
        records.sessions = sessions
        let finding = Finding(rule: rule, severity: severity, firstSeen: hours * hour, lastSeen: hours * hour + 60_000, app: app, user: user,
                              host: host, sourceIp: ip, message: rule, count: 1, evidence: evidence,
                              identity: ["\(rule)\(hours)\(ip ?? "")\(user ?? "")\(host ?? "")"])
        return IncidentGrouping.Member(finding: finding, cause: RuleCatalog.rule(id: rule)?.cause ?? .misuse, records: records)
    }

    @Test func anAppAndAddressLinkWithin24HoursAndNotBeyond() {
        let groups = IncidentGrouping.groups([
            Self.member("unmatched-server-login", .critical, at: 0, ip: "203.0.113.77"),
            Self.member("new-source-ip", .medium, at: 23, ip: "203.0.113.77"),
            Self.member("new-source-ip", .medium, at: 23 + 25, ip: "203.0.113.77"),
        ])
        #expect(groups == [[0, 1], [2]])
    }

    @Test func aPairLinksOnlyFindingsOfTheSameCause() {
        let groups = IncidentGrouping.groups([
            Self.member("unmatched-server-login", .critical, at: 0, user: "int@x"),
            Self.member("expired-assertion", .high, at: 2, user: "int@x"),
            Self.member("clock-skew", .high, at: 2, app: nil, evidence: ["c.jsonl:1"]),
            Self.member("expired-assertion", .high, at: 3, user: "int@x", evidence: ["c.jsonl:1"]),
            Self.member("expired-assertion", .high, at: 3, app: "Other", user: "int@x"),
        ])
        // The stolen key stays apart from the failures of its app and user; the clock joins the failure
        // citing the same request, which joins the earlier failure of that app and user; another app is apart.
        #expect(groups == [[0], [1, 2, 3], [4]])
    }

    @Test func twoClientHostsProblemsAreTwoIncidents() {
        // etl-01's unpaired request and etl-02's slow clock: the same app and user, the same
        // cause (breakage), hours apart, two hosts.
        let groups = IncidentGrouping.groups([
            Self.member("unmatched-client-success", .medium, at: 0, user: "int@x", host: "etl-01"),
            Self.member("expired-assertion", .high, at: 2, user: "int@x", host: "etl-02"),
            Self.member("clock-skew", .high, at: 2, user: "int@x", host: "etl-02"),
        ])
        #expect(groups == [[0], [1, 2]])
    }

    @Test func idsAreKeptAMergeKeepsTheOlderAndASplitGivesTheRestNewOnes() {
        let f = (0..<4).map { Self.member("new-source-ip", .medium, at: Int64($0), ip: "192.0.2.\($0)").finding }
        let stored: [String: (id: String, first: Int64)] = [f[0].fingerprint: ("inc-newer", 10), f[1].fingerprint: ("inc-older", 5),
                                                            f[2].fingerprint: ("inc-newer", 10)]
        // Two incidents found to be one keep the older id; the other half of a split incident gets its earliest finding's.
        let ids = Incidents.assignIds([[0, 1], [2], [3]], findings: f, stored: stored)
        #expect(ids == ["inc-older", "inc-newer", Incident.id(from: f[3].fingerprint)])
        #expect(Incidents.assignIds([[0], [2]], findings: f, stored: stored) == ["inc-newer", Incident.id(from: f[2].fingerprint)])
    }

    @Test func aSessionLinksAcrossCausesAndAppsAndAHygieneNoteNeverBridges() {
        let groups = IncidentGrouping.groups([
            Self.member("session-ip-divergence", .high, at: 0, app: "Chat", sessions: ["K1"]),
            Self.member("query-job-deleted", .high, at: 1, app: nil, user: "u", sessions: ["K1"]),
            Self.member("new-source-ip", .medium, at: 100, app: "ERP", ip: "203.0.113.9", evidence: ["lh.csv:5"]),
            // Low: cites a record of each incident; it joins the more severe one and links nothing.
            Self.member("legacy-flow", .low, at: 50, app: "DL", evidence: ["lh.csv:5"], sessions: ["K1"]),
            Self.member("login-as", .info, at: 70, app: nil, user: "nobody"),
        ])
        #expect(groups == [[0, 1, 3], [2]])
    }
}
