import Foundation
import Testing
@testable import TokenTrail

/// Issue 26: a rejected row is dated by itself (its own time, else the record before it),
/// not by the file it sits in, so coverage-gap names the week that lacks it.
@Suite struct RejectDatingTests {
    static let header = "Id,UserId,LoginTime,LoginType,LoginSubType,SourceIp,Status,Application\n"

    @Test func theRejectBelongsToItsOwnWeek() throws {
        let dir = try TestSupport.temporaryDirectory()
        try (Self.header
             + "0Ya000000000001AAA,005000000000001AAA,2026-11-10T06:00:00.000Z,Remote Access 2.0,,198.51.100.23,Success,Acme ERP Sync\n"
             + "0Ya000000000002AAA,005000000000001AAA,2026-11-19T06:10:00.000Z,Remote Access 2.0,,198.51.100.23,Success\n"   // a field short
             + "0Ya000000000003AAA,005000000000001AAA,2026-11-20T06:00:00.000Z,Remote Access 2.0,,198.51.100.23,Success,Acme ERP Sync\n"
             + "0Ya000000000004AAA,005000000000001AAA,no time,Remote Access 2.0,,198.51.100.23,Success,Acme ERP Sync\n")
            .write(toFile: dir + "/lh.csv", atomically: true, encoding: .utf8)
        let (_, db) = try TestSupport.scan([dir + "/lh.csv"])
        // Its own time, else the record before it.
        #expect(try RealShapesTests.rows(db, "SELECT line, time_ms FROM v_rejects ORDER BY line") == [
            "3 \(TimeParser.parse("2026-11-19T06:10:00Z")!.epochMs)", "5 \(TimeParser.parse("2026-11-20T06:00:00Z")!.epochMs)",
        ])
        func rejectFindings(_ from: String, _ to: String) throws -> [Finding] {
            try Analyzer.run(db: db, policy: nil, windowStart: TimeParser.parse(from)!.epochMs, windowEnd: TimeParser.parse(to)!.epochMs)
                .findings.filter { $0.rule == "coverage-gap" && $0.message.contains("could not be read") }
        }
        #expect(try rejectFindings("2026-11-09T00:00:00Z", "2026-11-15T23:59:59Z").isEmpty)
        let week = try rejectFindings("2026-11-16T00:00:00Z", "2026-11-22T23:59:59Z")
        #expect(week.count == 1)
        #expect(week.first.map { UTCTime.iso($0.firstSeen) } == "2026-11-19T06:10:00Z")
    }

    @Test func aLongNumberIsNoDate() {
        #expect(FileContext.time(in: "4815162342424242,abc") == nil)
        #expect(FileContext.time(in: "x,\"2026-11-19T06:10:00Z\",y") == TimeParser.parse("2026-11-19T06:10:00Z")!.epochMs)
    }
}
