import Foundation
import Testing
@testable import TokenTrail

/// Runs the real `tokentrail` binary as a user would.
@Suite struct EndToEndTests {
    @Test func theReadmeCommandBuildsADatabaseAndAReportFromTheSamples() throws {
        let dir = try TestSupport.temporaryDirectory()
        let run = try TestSupport.runCLI(["scan", "samples", "--policy", "samples/policy.json",
                                          "--db", dir + "/tokentrail.sqlite", "--report", dir + "/report"],
                                         cwd: TestSupport.packageRoot.path)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("Report: \(dir)/report/index.html"))
        #expect(run.stdout.contains("Acme ERP Sync"))
        #expect(run.stdout.contains("jwt_bearer"))
        #expect(run.stdout.contains("reporting-bot@acme.example"))
        // API-export rows carry only user ids; the summary names them through the user directory.
        #expect(!run.stdout.contains("0055g00000RptBoAAJ") && !run.stdout.contains("0055g00000ErpInAAJ"))
        let html = try String(contentsOfFile: dir + "/report/index.html", encoding: .utf8)
        #expect(html.contains("Content-Security-Policy"))
        #expect(html.contains("Who server-to-server apps log in as"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("http://") && !html.contains("https://cdn"))
        let db = try Database(path: dir + "/tokentrail.sqlite")
        #expect(try TestSupport.count(db, "SELECT count(*) FROM v_logins") == 2459)   // 307 ELF Login twins stored once
        #expect(try TestSupport.count(db, "SELECT count(*) FROM v_token_requests") == 902)
    }

    @Test func reportTimelineAndDiffRunOnTheSamplesAsTheReadmeShows() throws {
        let dir = try TestSupport.temporaryDirectory()
        let db = dir + "/tokentrail.sqlite"
        let root = TestSupport.packageRoot.path
        #expect(try TestSupport.runCLI(["scan", "samples", "--policy", "samples/policy.json", "--db", db, "--quiet"], cwd: root).status == 0)
        let report = try TestSupport.runCLI(["report", "--db", db, "--out", dir + "/weekly"])
        #expect(report.status == 0 && report.stdout.contains("Report: \(dir)/weekly/index.html"), "\(report.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir + "/weekly/findings.html"))

        let timeline = try TestSupport.runCLI(["timeline", "--db", db, "--ip", "203.0.113.77", "--from", "2026-11-19T00:00:00Z",
                                               "--to", "2026-11-19T23:59:59Z", "--format", "json"])
        #expect(timeline.status == 0)
        let events = try timeline.stdout.split(separator: "\n").map { try JSONParser.parse(String($0)) }
        #expect(events.filter { $0.object?["kind"]?.string == "login" }.count == 4)
        #expect(events.allSatisfy { $0.object?["evidence"]?.string?.contains(":") == true })

        let diff = try TestSupport.runCLI(["diff", "--db", db, "--since", "2026-11-14T00:00:00Z", "--until", "2026-11-20T23:59:59Z", "--format", "json"])
        #expect(diff.status == 0)
        let digest = try JSONParser.parse(diff.stdout)
        #expect(digest.object?["new"]?.array?.contains { $0.object?["item"]?.string == "Acme ERP Sync: dara.okafor@acme.example" } == true)
        #expect(try TestSupport.runCLI(["report", "--db", dir + "/none.sqlite", "--out", dir + "/x"]).status == 2)
        #expect(try TestSupport.runCLI(["timeline", "--db", db, "--format", "xml"]).status == 64)
        #expect(try TestSupport.runCLI(["diff", "--db", db, "--since", "2026-11-20T00:00:00Z", "--until", "2026-11-10T00:00:00Z"]).status == 64)
        let missing = try TestSupport.runCLI(["report", "--db", db, "--out", dir + "/y", "--dashboards", dir + "/no-such-dir"])
        #expect(missing.status == 2 && missing.stderr.contains("no-such-dir") && missing.stderr.contains("directory of report panels"))
    }

    @Test func scriptInAUsernameStaysTextInTheReport() throws {
        let dir = try TestSupport.temporaryDirectory()
        let run = try TestSupport.runCLI(["scan", TestSupport.fixture("hostile_values.csv"), "--timezone", "UTC",
                                          "--db", dir + "/db.sqlite", "--report", dir + "/report"])
        #expect(run.status == 0, "\(run.stderr)")
        var html = ""
        for page in try FileManager.default.contentsOfDirectory(atPath: dir + "/report") {
            html += try String(contentsOfFile: dir + "/report/" + page, encoding: .utf8)
        }
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;@evil.example"))
        #expect(html.contains("&lt;img src=x onerror=alert(2)&gt;"))
        #expect(html.contains("&lt;script&gt;alert(3)&lt;/script&gt;"))   // inside a rejected row's excerpt
        #expect(!html.contains("<script"))
        #expect(!html.contains("<img"))
        #expect(!html.contains("<b>bold"))
    }

    @Test func terminalEscapesInLogValuesNeverReachTheTerminal() throws {
        let dir = try TestSupport.temporaryDirectory()
        try "Id,UserId,LoginTime,Status\n1,005x,\u{1B}[31mEVIL\u{1B}[0m,Success\n".write(toFile: dir + "/esc.csv", atomically: true, encoding: .utf8)
        let run = try TestSupport.runCLI(["scan", dir + "/esc.csv", "--db", dir + "/db.sqlite"])
        #expect(run.stdout.contains("EVIL"))        // the rejected value is shown…
        #expect(!run.stdout.contains("\u{1B}"))     // …without its escape sequence
    }

    @Test func exitCodesFollowTheContract() throws {
        let dir = try TestSupport.temporaryDirectory()
        #expect(try TestSupport.runCLI(["--version"]).stdout.hasPrefix("tokentrail "))
        #expect(try TestSupport.runCLI(["--help"]).status == 0)
        let usage = try TestSupport.runCLI(["scan"])
        #expect(usage.status == 64)
        #expect(usage.stderr.contains("usage:"))
        #expect(try TestSupport.runCLI(["scan", "x", "--bogus"]).status == 64)
        #expect(try TestSupport.runCLI(["frobnicate"]).status == 64)
        // The library's typed errors become usage errors that name the option behind them.
        let zone = try TestSupport.runCLI(["scan", TestSupport.samples, "--timezone", "Mars/Base", "--db", dir + "/z.sqlite"])
        #expect(zone.status == 64)
        #expect(zone.stderr.contains("--timezone 'Mars/Base' is not an IANA time zone"))
        let since = try TestSupport.runCLI(["scan", TestSupport.samples, "--since", "yesterday", "--db", dir + "/z.sqlite"])
        #expect(since.status == 64)
        #expect(since.stderr.contains("--since: 'yesterday' is not a time"))
        #expect(since.stderr.contains("usage: tokentrail scan"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/z.sqlite"), "a scan refused for its arguments creates no database")

        try "hello\n".write(toFile: dir + "/notes.csv", atomically: true, encoding: .utf8)
        let unknown = try TestSupport.runCLI(["scan", dir + "/notes.csv", "--db", dir + "/db.sqlite"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("notes.csv:1"))
        #expect(unknown.stderr.contains("expected Login History"))
        let from = try TestSupport.runCLI(["timeline", "--from", "2026-11-20T00:00:00", "--db", dir + "/db.sqlite"])
        #expect(from.status == 64)
        #expect(from.stderr.contains("--from: '2026-11-20T00:00:00' has no time zone"))

        let missing = try TestSupport.runCLI(["scan", dir + "/nope.csv", "--db", dir + "/db.sqlite"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("nope.csv: no such file or directory"))
        let missingOnly = try TestSupport.runCLI(["scan", dir + "/nope.csv", "--db", dir + "/never.sqlite"])
        #expect(missingOnly.status == 2)
        #expect(!FileManager.default.fileExists(atPath: dir + "/never.sqlite"), "a missing input creates no database")

        let noZone = try TestSupport.runCLI(["scan", TestSupport.fixture("setup_ja_tokyo.csv"), "--db", dir + "/db.sqlite"])
        #expect(noZone.status == 2)
        #expect(noZone.stderr.contains("setup_ja_tokyo.csv:2"))
        #expect(noZone.stderr.contains("--timezone"))

        let rejects = try TestSupport.runCLI(["scan", TestSupport.fixture("malformed_login_history.csv"), "--db", dir + "/db.sqlite"])
        #expect(rejects.status == 0)   // bad rows are counted rejects, not a failed run
        #expect(rejects.stdout.contains("malformed_login_history.csv:6: expected 8 fields"))

        let badPolicy = dir + "/policy.json"
        try #"{"version":1,"appz":[]}"#.write(toFile: badPolicy, atomically: true, encoding: .utf8)
        let check = try TestSupport.runCLI(["policy", "check", badPolicy])
        #expect(check.status == 2)
        #expect(check.stderr.contains("unknown key 'appz'"))
        #expect(try TestSupport.runCLI(["policy", "check", TestSupport.samples + "/policy.json"]).status == 0)
    }

    @Test func aFailedFileDoesNotStopTheOthers() throws {
        let dir = try TestSupport.temporaryDirectory()
        let run = try TestSupport.runCLI(["scan", TestSupport.fixture("setup_ja_tokyo.csv"), TestSupport.fixture("elf_login_2026-11-20.csv"),
                                          "--db", dir + "/db.sqlite"])
        #expect(run.status == 2)
        let db = try Database(path: dir + "/db.sqlite")
        #expect(try TestSupport.count(db, "SELECT count(*) FROM logins") == 4)  // the ELF file was stored
    }

    /// Every command listed by `tokentrail --help` has its own help: usage, options with
    /// defaults, an example, exit 0; a usage error shows that command's usage, exit 64.
    @Test func everyCommandHasItsOwnHelp() throws {
        let overview = try TestSupport.runCLI(["--help"])
        #expect(overview.status == 0)
        let names = overview.stdout.split(separator: "\n", omittingEmptySubsequences: false).drop { !$0.hasPrefix("commands:") }.dropFirst()
            .prefix { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            .map { line in line.trimmingCharacters(in: .whitespaces).components(separatedBy: "  ")[0] }
        #expect(names == ["scan", "report", "timeline", "diff", "incidents", "incidents show", "triage", "hunt", "export", "rules", "policy suggest", "policy check"], "\(names)")
        for name in names {
            let help = try TestSupport.runCLI(name.split(separator: " ").map(String.init) + ["--help"])
            #expect(help.status == 0, "\(name)")
            #expect(help.stdout.hasPrefix("usage: tokentrail \(name)") && help.stdout.contains("\nexample:\n  tokentrail \(name)"), "\(name): \(help.stdout)")
            let wrong = try TestSupport.runCLI(name.split(separator: " ").map(String.init) + ["--no-such-option"])
            #expect(wrong.status == 64 && wrong.stderr.contains("unknown option --no-such-option")
                    && wrong.stderr.contains("usage: tokentrail \(name)"), "\(name): \(wrong.stderr)")
        }
        let scan = try TestSupport.runCLI(["scan", "--help"]).stdout
        for option in ["--db FILE", "(default: tokentrail.sqlite)", "--webhook-url-file FILE", "--alert-on SEVERITY", "(default: high)", "--no-analysis"] {
            #expect(scan.contains(option), "\(option)")
        }
    }
}
