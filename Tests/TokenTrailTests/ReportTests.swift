import Foundation
import Testing
@testable import TokenTrail

/// The HTML report, its panels, the timeline and the digest, from the samples.
@Suite struct ReportTests {
    static func samplesReport() throws -> (dir: String, db: Database, written: HTMLReport.Written, span: (Int64, Int64)) {
        let dir = try TestSupport.temporaryDirectory()
        let (result, db) = try TestSupport.scan([TestSupport.samples], db: dir + "/db.sqlite", policy: TestSupport.samples + "/policy.json")
        let span = try #require(result.span)
        _ = try Analyzer.run(db: db, policy: result.policy, windowStart: span.0, windowEnd: span.1)
        let written = try HTMLReport.write(db: db, options: .init(since: span.0, until: span.1, databasePath: dir + "/db.sqlite",
                                                                   policy: result.policy), to: dir + "/report")
        return (dir, db, written, span)
    }

    @Test func theReportHasAnOverviewFindingsAppHostAndQualityPages() throws {
        let (_, _, written, _) = try Self.samplesReport()
        let names = Set(written.pages.map { ($0 as NSString).lastPathComponent })
        #expect(names.isSuperset(of: ["index.html", "findings.html", "quality.html"]))
        #expect(names.contains { $0.hasPrefix("app-acme-erp-sync-") })
        #expect(names.contains { $0.hasPrefix("host-etl-02-") })
        #expect(written.warnings.isEmpty)
        var total = 0
        for page in written.pages {
            let html = try String(contentsOfFile: page, encoding: .utf8)
            total += html.utf8.count
            #expect(html.contains("Content-Security-Policy"))
            #expect(!html.contains("<script") && !html.contains("http://") && !html.contains("https://cdn"))
        }
        #expect(total < 2_000_000)   // aggregated, never a dump of rows
        let index = try String(contentsOfFile: written.index, encoding: .utf8)
        #expect(index.contains("Needs attention") && index.contains("203.0.113.77") && index.contains("Coverage per source"))
        #expect(index.contains("<svg"))   // charts are inline SVG
        let host = try String(contentsOfFile: try #require(written.pages.first { $0.contains("host-etl-02-") }), encoding: .utf8)
        #expect(host.contains("Clock offset per hour") && host.contains("215"))
        let findings = try String(contentsOfFile: try #require(written.pages.first { $0.hasSuffix("findings.html") }), encoding: .utf8)
        // Every problem of the samples is in an incident: the findings page lists them with a link to it.
        #expect(findings.contains("in incidents") && findings.contains("LoginHistory_api_2026-11-14_2026-11-20.csv:915"))
        let stolen = try #require(written.pages.first { page in
            (try? String(contentsOfFile: page, encoding: .utf8))?.contains("unmatched-server-login") == true && page.contains("/incident-")
        })
        #expect(findings.contains((stolen as NSString).lastPathComponent))
        #expect(index.contains((stolen as NSString).lastPathComponent))
        let incident = try String(contentsOfFile: stolen, encoding: .utf8)
        #expect(incident.contains("Why this matters") && incident.contains("LoginHistory_api_2026-11-14_2026-11-20.csv:915"))
        #expect(incident.contains("Blast radius") && incident.contains("26,222") && incident.contains("Records read per 10 minutes"))
        #expect(incident.contains("RestApi_2026-11-19.csv") && !incident.contains("198.51.100.23"))   // etl-01's own calls of that hour are not the thief's
    }

    @Test func builtInPanelsAreTheDashboardsFilesAndAllRun() throws {
        let dir = TestSupport.packageRoot.appendingPathComponent("dashboards").path
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".sql") }.sorted()
        #expect(BuiltinPanels.files.map(\.name).sorted() == files, "run: sh dashboards/embed.sh > Sources/TokenTrail/Report/BuiltinPanels.swift")
        for (name, text) in BuiltinPanels.files {
            #expect(try String(contentsOfFile: dir + "/" + name, encoding: .utf8) == text + "\n" || (try String(contentsOfFile: dir + "/" + name, encoding: .utf8)) == text,
                    "\(name) differs from its built-in copy: run sh dashboards/embed.sh > Sources/TokenTrail/Report/BuiltinPanels.swift")
        }
        let (_, db, _, span) = try Self.samplesReport()
        for panel in try Panel.load(directory: nil) {
            let result = try panel.run(db, ["since": .integer(span.0), "until": .integer(span.1), "app": .text("Acme ERP Sync"), "host": .text("etl-02")])
            // The samples reject and repair nothing, and every export of them records the subtype.
            #expect(!result.rows.isEmpty || ["reject", "repair", "flow_not_told"].contains(where: panel.name.contains), "\(panel.name) shows nothing on the samples")
        }
    }

    @Test func aUserPanelIsAddedAndABrokenOneIsNamed() throws {
        let (dir, db, _, span) = try Self.samplesReport()
        let panels = dir + "/panels"
        try FileManager.default.createDirectory(atPath: panels, withIntermediateDirectories: true)
        try "-- title: Okta events by type\n-- page: overview\n-- chart: bars\n-- description: mine\nSELECT event_type, count(*) FROM v_idp_events GROUP BY 1;\n"
            .write(toFile: panels + "/overview_99_okta.sql", atomically: true, encoding: .utf8)
        var options = HTMLReport.Options(since: span.0, until: span.1, databasePath: "db.sqlite", dashboards: panels)
        let written = try HTMLReport.write(db: db, options: options, to: dir + "/mine")
        #expect(try String(contentsOfFile: written.index, encoding: .utf8).contains("Okta events by type"))

        try "-- title: Bad\n-- page: nowhere\n-- chart: table\nSELECT 1;\n".write(toFile: panels + "/bad.sql", atomically: true, encoding: .utf8)
        #expect(throws: InputError.self) { try Panel.load(directory: panels) }
        try FileManager.default.removeItem(atPath: panels + "/bad.sql")
        try "-- title: Writes\n-- page: overview\n-- chart: table\nDELETE FROM findings;\n".write(toFile: panels + "/writes.sql", atomically: true, encoding: .utf8)
        options.dashboards = panels
        #expect { try HTMLReport.write(db: db, options: options, to: dir + "/refused") } throws: { error in
            "\(error)".contains(panels + "/writes.sql") && "\(error)".contains("DELETE findings is not allowed")
        }
        #expect(try TestSupport.count(db, "SELECT count(*) FROM findings") > 0)
        #expect(!FileManager.default.fileExists(atPath: dir + "/refused/index.html"))
    }

    @Test func hostileValuesStayTextOnEveryPage() throws {
        let dir = try TestSupport.temporaryDirectory()
        let run = try TestSupport.runCLI(["scan", TestSupport.fixture("hostile_values.csv"), TestSupport.fixture("hostile_client.jsonl"),
                                          "--timezone", "UTC", "--db", dir + "/db.sqlite", "--report", dir + "/report"])
        #expect(run.status == 0, "\(run.stderr)")
        var all = ""
        for page in try FileManager.default.contentsOfDirectory(atPath: dir + "/report") {
            all += try String(contentsOfFile: dir + "/report/" + page, encoding: .utf8)
        }
        #expect(all.contains("&lt;img src=x onerror=alert(2)&gt;"))
        #expect(all.contains("&lt;svg/onload=document.title=&#39;PWNED&#39;&gt;") || all.contains("&lt;script&gt;alert(1)&lt;/script&gt;@evil.example"))
        #expect(all.contains("&lt;script&gt;document.title=&#39;PWNED&#39;&lt;/script&gt;"))
        for tag in ["<script", "<img", "<iframe", "<svg/", "<b>bold", "<a href=javascript"] { #expect(!all.contains(tag), "\(tag) reached a page") }
    }

    @Test func theTimelineAnswersWhatAnAddressDid() throws {
        let (_, db, _, _) = try Self.samplesReport()
        var filter = Timeline.Filter(since: try TimeArgument.parse("2026-11-14T00:00:00Z"), until: try TimeArgument.parse("2026-11-20T23:59:59Z"))
        filter.ip = "203.0.113.77"
        let timeline = try Timeline.build(db: db, filter: filter)
        #expect(timeline.events.filter { $0.kind == "login" }.count == 4)
        #expect(timeline.events.filter { $0.kind == "login" }.allSatisfy { $0.detail.contains("no client request") })
        #expect(timeline.events.contains { $0.kind == "finding" && $0.detail.contains("unmatched-server-login") })
        #expect(timeline.events.map(\.time) == timeline.events.map(\.time).sorted())

        filter.ip = nil
        filter.user = "dara.okafor@acme.example"
        filter.since = try TimeArgument.parse("2026-11-18T09:00:00Z")
        filter.until = try TimeArgument.parse("2026-11-18T10:00:00Z")
        let user = try Timeline.build(db: db, filter: filter)
        // The server row has only a user id: the directory names it.
        #expect(user.events.contains { $0.kind == "login" && $0.detail.contains("paired with a request from etl-02") })
        #expect(user.events.contains { $0.kind == "request" && $0.host == "etl-02" })

        // CSV cells that a spreadsheet would run as formulas are quoted as text.
        let csv = Timeline(events: [.init(time: 0, kind: "login", app: "=HYPERLINK(\"http://x\")", user: nil, ip: nil, host: nil, outcome: nil,
                                          detail: "a,b", evidence: "f:1")]).csv
        #expect(csv.contains("\"'=HYPERLINK(\"\"http://x\"\")\"") && csv.contains("\"a,b\""))
    }

    /// The app page's "Networks" panel and the per-day panels read rollups: they must give what
    /// a pass over every login of the period gives through `v_logins` (addresses, flows as
    /// `v_logins` tells them, logins, distinct users, first and last; flows and bases per day).
    @Test(arguments: [false, true]) func theRollupsEqualThePeriodsLogins(unknownSubtypes: Bool) throws {
        let (_, db, _, span) = try Self.samplesReport()
        if unknownSubtypes {
            // Exports whose subtype labels TokenTrail does not know: the JWT logins are oauth_unknown,
            // and `v_logins` names their flow by the client request each is paired with.
            _ = try db.rows("INSERT OR IGNORE INTO strings(value) VALUES('oauth_unknown'), ('unknown_subtype')")
            _ = try db.rows("""
                UPDATE login_contexts SET flow = (SELECT id FROM strings WHERE value = 'oauth_unknown'),
                    flow_basis = (SELECT id FROM strings WHERE value = 'unknown_subtype')
                WHERE flow = (SELECT id FROM strings WHERE value = 'jwt_bearer')
                """)
            #expect(try TestSupport.count(db, "SELECT count(*) FROM v_logins WHERE flow = 'jwt_bearer' AND flow_basis = 'client_log'") > 100)
        }
        let networks = try #require(try Panel.load(directory: nil).first { $0.name == "app_30_networks.sql" })
        let apps = try db.rows("SELECT DISTINCT app FROM v_logins WHERE app IS NOT NULL").compactMap { $0[0].string }
        #expect(apps.count >= 5)
        func rows(_ r: [[SQLValue]]) -> Set<String> { Set(r.map { $0.map { $0.string ?? $0.int.map(String.init) ?? "∅" }.joined(separator: "|") }) }
        // The report's period is what the rollups are built for (a report builds its own): the
        // analysed span, then a period starting and ending inside a day.
        for (since, until) in [span, (span.0 + 3 * 86_400_000 + 12_345, span.1 - 86_400_000)] {
            try DailyRollup.refresh(db: db, since: since, until: until)
            let window: [SQLValue] = [.integer(since), .integer(until)]
            let daily = try db.rows("SELECT day, flow, flow_basis, sum(logins) FROM v_login_daily WHERE day_ms BETWEEN ? - 86399999 AND ? GROUP BY 1, 2, 3", window)
            let perDay = try db.rows("SELECT substr(time_utc, 1, 10), flow, flow_basis, count(*) FROM v_logins WHERE time_ms BETWEEN ? AND ? GROUP BY 1, 2, 3", window)
            #expect(rows(daily) == rows(perDay), "only in v_login_daily: \(rows(daily).subtracting(rows(perDay)).sorted().prefix(3))")
            for app in apps {
                let panel = try networks.run(db, ["since": .integer(since), "until": .integer(until), "app": .text(app)])
                let direct = try db.rows("""
                    SELECT source_ip, flow, count(*), count(DISTINCT user), min(time_utc), max(time_utc) FROM v_logins
                    WHERE app = ? AND time_ms BETWEEN ? AND ? GROUP BY 1, 2
                    """, [.text(app)] + window)
                #expect(!direct.isEmpty || since != span.0)
                let (fromRollup, fromLogins) = (rows(panel.rows), rows(direct))
                // The panel shows the busiest 200 (ties in any order).
                #expect(fromRollup.isSubset(of: fromLogins) && fromRollup.count == min(200, fromLogins.count), "\(app): only in the panel \(fromRollup.subtracting(fromLogins).sorted().prefix(3)), only in the logins \(fromLogins.subtracting(fromRollup).sorted().prefix(3))")
            }
        }
    }

    /// A report of a period that is not an analysed one builds its rollups in TEMP: the whole
    /// days the analysis stored stay whole (its first and last day would be partial).
    @Test func aReportOfAnotherPeriodLeavesTheStoredRollupsWhole() throws {
        let (dir, db, _, span) = try Self.samplesReport()
        let stored = try db.rows("SELECT day, sum(logins) FROM login_daily GROUP BY day ORDER BY day")
        let networks = try db.rows("SELECT day, sum(logins) FROM login_network_daily GROUP BY day ORDER BY day")
        #expect(stored.count >= 10)
        let (since, until) = (span.0 + 3 * 86_400_000 + 12_345, span.1 - 86_400_000 - 777)
        _ = try HTMLReport.write(db: db, options: .init(since: since, until: until, databasePath: dir + "/db.sqlite"), to: dir + "/partial")
        // The same through a scan of that period with --report (a re-scan of the same files).
        var ingest = ScanRequest(inputs: [TestSupport.samples])
        ingest.databasePath = dir + "/db.sqlite"
        ingest.policyPath = TestSupport.samples + "/policy.json"
        var request = ScanPipeline.Request(ingest: ingest)
        (request.since, request.until, request.reportDirectory) = (since, until, dir + "/partial-scan")
        #expect(try ScanPipeline.run(request).problems.isEmpty)
        #expect(try db.rows("SELECT day, sum(logins) FROM login_daily GROUP BY day ORDER BY day") == stored)
        #expect(try db.rows("SELECT day, sum(logins) FROM login_network_daily GROUP BY day ORDER BY day") == networks)
        #expect(try db.rows("SELECT name FROM sqlite_temp_master WHERE name LIKE '%daily%'").isEmpty)   // nothing left to shadow the database's own
    }

    @Test func theDigestListsWhatIsNewAgainstThePreviousWeek() throws {
        let (_, db, _, _) = try Self.samplesReport()
        let digest = try Digest.compute(db: db, since: try TimeArgument.parse("2026-11-14T00:00:00Z"), until: try TimeArgument.parse("2026-11-20T23:59:59Z"))
        #expect(digest.previousHasData)
        #expect(digest.added.contains { $0.kind == "subject" && $0.item == "Acme ERP Sync: dara.okafor@acme.example" })
        #expect(digest.added.contains { $0.kind == "network" && $0.item == "Acme ERP Sync: 203.0.113.0/24" })
        #expect(!digest.added.contains { $0.kind == "subject" && $0.item.contains("erp-integration") })   // the usual subject is not new
        #expect(digest.ruleCounts.contains { $0.rule == "unmatched-server-login" && $0.current == 1 && $0.previous == 0 })
        #expect(digest.text.contains("New (") && !digest.text.contains("\u{1B}"))
    }
}

/// Issue 25: the report's directory is replaced whole, never half-written or mixed.
@Suite struct WholeReportTests {
    static func links(_ html: String) -> [String] {
        html.components(separatedBy: "href=\"").dropFirst().compactMap { $0.split(separator: "\"").first.map(String.init) }
            .filter { $0.hasSuffix(".html") && !$0.contains("/") }
    }

    @Test func aReportReplacesItsDirectoryWholeAndAKilledOneLeavesThePrevious() throws {
        let dir = try TestSupport.temporaryDirectory(), db = dir + "/db.sqlite", out = dir + "/report"
        #expect(try TestSupport.runCLI(["scan", TestSupport.samples, "--policy", TestSupport.samples + "/policy.json", "--db", db, "--quiet"]).status == 0)
        #expect(try TestSupport.runCLI(["report", "--db", db, "--out", out]).status == 0)
        // A page of an earlier period is gone after the next report.
        try "<p>stale</p>".write(toFile: out + "/app-Gone-9999.html", atomically: true, encoding: .utf8)
        #expect(try TestSupport.runCLI(["report", "--db", db, "--out", out]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: out + "/app-Gone-9999.html"))
        // Killed at once, then a little later: whatever the moment, the directory is a whole report.
        for delay in [0.0, 0.2, 0.5] {
            let (process, _, _) = try TestSupport.start(TestSupport.binary, ["report", "--db", db, "--out", out])
            Thread.sleep(forTimeInterval: delay)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let index = try String(contentsOfFile: out + "/index.html", encoding: .utf8)
            let missing = Self.links(index).filter { !FileManager.default.fileExists(atPath: out + "/" + $0) }
            #expect(missing.isEmpty, "\(missing)")
        }
        // A folder of saved pages without an index, or with a subdirectory named like a page, is no report.
        let saved = dir + "/saved", nested = dir + "/nested"
        try FileManager.default.createDirectory(atPath: saved, withIntermediateDirectories: true)
        try "<p>mine</p>".write(toFile: saved + "/article.html", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: nested + "/x.html", withIntermediateDirectories: true)
        try "<p>index</p>".write(toFile: nested + "/index.html", atomically: true, encoding: .utf8)
        for other in [saved, nested] {
            let run = try TestSupport.runCLI(["report", "--db", db, "--out", other])
            #expect(run.status == 2 && FileManager.default.fileExists(atPath: other + (other == saved ? "/article.html" : "/x.html")), "\(run.stderr)")
        }
        // Nothing but report pages is ever replaced: a directory holding other files is refused.
        try "notes".write(toFile: dir + "/mine.txt", atomically: true, encoding: .utf8)
        let refused = try TestSupport.runCLI(["report", "--db", db, "--out", dir])
        #expect(refused.status == 2 && refused.stderr.contains("not a report page") && FileManager.default.fileExists(atPath: dir + "/mine.txt"), "\(refused.stderr)")
    }
}
