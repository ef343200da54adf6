import Foundation
import Testing
@testable import TokenTrail

@Suite struct ProgressTests {
    @Test func aScanReportsRowsAndBytesAsItReads() throws {
        let dir = try TestSupport.temporaryDirectory()
        var csv = "Id,UserId,LoginTime,Status\n"
        for i in 0..<10_000 { csv += "0Ya\(i),005x\(i % 7),2026-11-20T06:\(String(format: "%02d", i / 600 % 60)):\(String(format: "%02d", i / 10 % 60)).\(String(format: "%03d", i % 1000))Z,Success\n" }
        try csv.write(toFile: dir + "/big.csv", atomically: true, encoding: .utf8)
        var request = ScanRequest(inputs: [dir + "/big.csv"])
        request.databasePath = dir + "/db.sqlite"
        nonisolated(unsafe) var samples: [ScanProgress] = []
        request.progress = { samples.append($0) }
        _ = try Scanner.scan(request)
        #expect(samples.first?.rows == 0 && samples.first?.files == 1)
        let last = try #require(samples.last)
        #expect(last.rows == 8192 && last.bytesRead > 0 && last.bytesRead <= last.bytes)
        let line = ProgressLine.format(last, elapsed: 0.5)
        #expect(line.hasPrefix("[1/1] big.csv  8192 rows") && line.contains("rows/s") && line.contains("%") && line.contains("ETA"))
    }

    @Test func nothingDecorativeWhenStderrIsNotATerminal() throws {
        let dir = try TestSupport.temporaryDirectory()
        let run = try TestSupport.runCLI(["scan", TestSupport.samples, "--policy", TestSupport.samples + "/policy.json", "--db", dir + "/db.sqlite"])
        #expect(run.status == 0)
        #expect(!run.stderr.contains("\r") && !run.stderr.contains("\u{1B}"))
        let quiet = try TestSupport.runCLI(["scan", TestSupport.samples, "--policy", TestSupport.samples + "/policy.json", "--db", dir + "/db.sqlite", "--quiet"])
        #expect(quiet.status == 0 && quiet.stdout.isEmpty && quiet.stderr.isEmpty)
    }
}
