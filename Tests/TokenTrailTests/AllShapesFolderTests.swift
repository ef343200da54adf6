import Foundation
import Testing
@testable import TokenTrail

/// Issue 26, done when: a folder holding every export shape scans as a user would, failing
/// only on the one deliberately unsupported file (named), and the data-quality page lists
/// what was noted.
@Suite struct AllShapesFolderTests {
    @Test func everyShapeInOneFolderScansAndTheQualityPageListsTheNotes() throws {
        let dir = try TestSupport.temporaryDirectory()
        let shapes = TestSupport.fixture("shapes")
        let run = try TestSupport.runCLI(["scan", shapes, "--db", dir + "/db.sqlite", "--report", dir + "/report", "--quiet"])
        // Exit 2 for the one file that is no export at all, named with what was expected.
        #expect(run.status == 2, "\(run.stderr)")
        let failures = run.stderr.split(separator: "\n").filter { $0.contains(shapes) }
        #expect(failures.count == 1 && failures[0].contains("unrelated_document.json") && failures[0].contains("no supported export"), "\(run.stderr)")
        #expect(run.stderr.contains("1 file(s) could not be ingested"))
        let db = try Database(path: dir + "/db.sqlite")
        let files = try FileManager.default.contentsOfDirectory(atPath: shapes).filter { !$0.hasPrefix(".") }
        #expect(try TestSupport.count(db, "SELECT count(*) FROM sources WHERE format <> 'unknown'") == files.count - 1)
        // Every format of the list that these shapes stand for was recognized as itself.
        let formats = Set(try db.rows("SELECT DISTINCT format FROM sources").compactMap { $0[0].string })
        for expected: SourceFormat in [.loginHistoryAPI, .loginEvent, .rtemActivity, .elfLogin, .elfAPI, .elfRestAPI, .elfBulkAPI, .elfBulkAPI2,
                                       .eloLogin, .eloAPITotalUsage, .oktaSystemLog, .tokenLog] {
            #expect(formats.contains(expected.rawValue), "\(expected)")
        }
        let quality = try String(contentsOfFile: dir + "/report/quality.html", encoding: .utf8)
        for note in ["unparseable Timestamp",                         // a rejected row, with what was expected
                     "a ReportEvent record (Real-Time Event Monitoring)", // an object TokenTrail does not read, by name
                     "uuid</td><td>conflict",                          // one Okta event id with two bodies
                     "SOURCE_IP</td><td>dropped",                      // a masked address
                     "unknown_subtype", "OAuth Hybrid Token Refresh",  // a subtype label TokenTrail does not know
                     "not_exported"] {                                 // exports that do not record the subtype
            #expect(quality.contains(note), "\(note)")
        }
    }
}
