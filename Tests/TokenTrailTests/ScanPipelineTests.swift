import Foundation
import Testing
@testable import TokenTrail

/// The scan pipeline as the library offers it: one call from files to findings, report,
/// summary and webhook, and the outcome that decides the exit status.
@Suite struct ScanPipelineTests {
    func request(_ dir: String) -> ScanPipeline.Request {
        var ingest = ScanRequest(inputs: [TestSupport.samples])
        ingest.databasePath = dir + "/db.sqlite"
        ingest.policyPath = TestSupport.samples + "/policy.json"
        var request = ScanPipeline.Request(ingest: ingest)
        request.reportDirectory = dir + "/report"
        return request
    }

    @Test func oneRunIngestsAnalyzesAndWritesEveryOutput() throws {
        let dir = try TestSupport.temporaryDirectory()
        var request = request(dir)
        request.findingsFile = dir + "/findings.ndjson"
        let outcome = try ScanPipeline.run(request)
        #expect(outcome.problems.isEmpty)
        #expect(outcome.findings.contains { $0.rule == "unmatched-server-login" && $0.severity == .critical })
        #expect(outcome.new.count == outcome.findings.count)   // a first run: everything is new
        #expect(outcome.summary?.findings.count == outcome.findings.count)
        #expect(FileManager.default.fileExists(atPath: try #require(outcome.report?.index)))
        let ndjson = try String(contentsOfFile: dir + "/findings.ndjson", encoding: .utf8)
        #expect(ndjson.split(separator: "\n").count == outcome.findings.count)
        // The analysed weeks' rollups are stored (the report builds its own period's in TEMP).
        let db = try Database.reader(path: dir + "/db.sqlite")
        #expect(try TestSupport.count(db, "SELECT count(*) FROM login_daily") > 0)
        #expect(outcome.exitStatus(failOn: nil) == 0)
        #expect(outcome.exitStatus(failOn: .critical) == 1)

        // A second run of the same files adds nothing and raises nothing new.
        let again = try ScanPipeline.run(request)
        #expect(again.new.isEmpty)
        #expect(Set(again.findings.map(\.fingerprint)) == Set(outcome.findings.map(\.fingerprint)))
    }

    @Test func whatCouldNotBeDoneIsAProblemAndExitsTwoAfterTheRest() throws {
        let dir = try TestSupport.temporaryDirectory()
        var request = request(dir)
        request.findingsFile = dir + "/no-such-dir/findings.ndjson"
        let outcome = try ScanPipeline.run(request)
        #expect(outcome.problems == ["\(dir)/no-such-dir/findings.ndjson: cannot write the findings"])
        #expect(outcome.report != nil)   // the report was still written
        #expect(outcome.exitStatus(failOn: .critical) == 2)   // 2 wins over 1
    }

    @Test func typedErrorsCarryNoOptionNames() throws {
        var ingest = ScanRequest(inputs: [TestSupport.samples])
        ingest.databasePath = try TestSupport.temporaryDirectory() + "/db.sqlite"
        ingest.timezone = "Mars/Base"
        #expect(throws: ScanError.unknownTimeZone("Mars/Base")) { try ScanPipeline.run(ScanPipeline.Request(ingest: ingest)) }
        #expect(throws: TimeArgument.Invalid.notATime("yesterday")) { try TimeArgument.parse("yesterday") }
        #expect(throws: TimeArgument.Invalid.noZone("2026-11-20T00:00:00")) { try TimeArgument.parse("2026-11-20T00:00:00") }
        #expect(!"\(ScanError.unknownTimeZone("x"))".contains("--"))
    }

    @Test func theSameDatabaseGivesTheSameReportInAnotherProcess() throws {
        // Two processes hash differently: any page built from a Set or Dictionary order differs.
        let dir = try TestSupport.temporaryDirectory()
        _ = try ScanPipeline.run(request(dir))
        for out in ["a", "b"] {
            #expect(try TestSupport.runCLI(["report", "--db", dir + "/db.sqlite", "--out", dir + "/" + out]).status == 0)
        }
        let pages = try FileManager.default.contentsOfDirectory(atPath: dir + "/a").sorted()
        #expect(pages.count > 5)
        for page in pages {
            #expect(FileManager.default.contents(atPath: dir + "/a/" + page) == FileManager.default.contents(atPath: dir + "/b/" + page), "\(page) differs")
        }
    }
}
