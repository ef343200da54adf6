import Foundation
import Testing
@testable import TokenTrail

/// Issue 30: the scan's terminal summary is counted while the files are read (ScanTally), not
/// read back from the database, and every table is bounded whatever the log holds.
@Suite struct ScanSummaryTests {
    static func tokenLine(_ i: Int, host: String) -> String {
        let t = String(format: "2026-11-01T%02d:%02d:%02dZ", (i / 3600) % 24, (i / 60) % 60, i % 60)
        return #"{"ts":"\#(t)","host":"\#(host)","integration":"sync","provider":"salesforce","token_url":"https://login.salesforce.com/services/oauth2/token","grant_type":"client_credentials","client_id":"3MVGabc","http_status":200}"#
    }

    static func section(_ stdout: String, _ title: String) -> [Substring] {
        guard let start = stdout.range(of: title) else { return [] }
        return stdout[start.upperBound...].split(separator: "\n").dropFirst(2).prefix { $0.hasPrefix("  ") }.map { $0 }
    }

    /// A log whose every pod has its own host name: the table shows its 40 largest rows and
    /// counts the rest, and every record is accounted for.
    @Test func aLogOfThousandsOfHostsGivesABoundedTableThatCountsEveryRecord() throws {
        let dir = try TestSupport.temporaryDirectory()
        var lines = (0..<6_000).map { Self.tokenLine($0, host: String(format: "pod-%04d", $0 % 5_000)) }
        lines += (0..<50).map { Self.tokenLine(20_000 + $0, host: "etl-main") }   // the one busy host
        try (lines.joined(separator: "\n") + "\n").write(toFile: dir + "/tokens.jsonl", atomically: true, encoding: .utf8)
        let run = try TestSupport.runCLI(["scan", dir + "/tokens.jsonl", "--db", dir + "/db.sqlite", "--no-analysis"])
        #expect(run.status == 0, "\(run.stderr)")
        let rows = Self.section(run.stdout, "Client token requests by provider")
        let shown = rows.filter { !$0.contains("more record(s)") }
        #expect(shown.count == RunSummary.shownRows, "\(run.stdout.suffix(800))")
        #expect(shown.contains { $0.contains("etl-main") && $0.hasSuffix(" 50") })
        let counted = shown.compactMap { $0.split(separator: " ").last.flatMap { Int($0) } }.reduce(0, +)
        let more = try #require(rows.last { $0.contains("more record(s)") })
        let rest = try #require(Int(more.split(separator: " ")[2]))
        #expect(counted + rest == 6_050, "\(more)")
    }

    /// A file rolled back (its JSON breaks half way) counts nothing; a file read again is
    /// "nothing new" and has no tables.
    @Test func aRolledBackFileCountsNothingAndARescanShowsNothingNew() throws {
        let dir = try TestSupport.temporaryDirectory()
        try ((0..<20).map { Self.tokenLine($0, host: "etl-good") }.joined(separator: "\n") + "\n")
            .write(toFile: dir + "/good.jsonl", atomically: true, encoding: .utf8)
        try ("[" + (0..<20).map { Self.tokenLine(100 + $0, host: "etl-broken") }.joined(separator: ",") + ", {\"ts\": ")
            .write(toFile: dir + "/broken.json", atomically: true, encoding: .utf8)
        let first = try TestSupport.runCLI(["scan", dir + "/good.jsonl", dir + "/broken.json", "--db", dir + "/db.sqlite", "--no-analysis"])
        #expect(first.status == 2)
        #expect(first.stdout.contains("etl-good") && !first.stdout.contains("etl-broken"), "\(first.stdout)")
        let again = try TestSupport.runCLI(["scan", dir + "/good.jsonl", "--db", dir + "/db.sqlite", "--no-analysis"])
        #expect(again.status == 0 && again.stdout.contains("nothing new"))
        #expect(!again.stdout.contains("Client token requests"), "\(again.stdout)")
    }

    /// Past the tally's limit of distinct rows, the table is grouped from the stored rows of the
    /// scan's files: a busy host first met after 16,384 crafted ones is still shown, every
    /// record is accounted for, and two scans of the same files print the same table.
    @Test func aFloodOfUniqueHostsCannotHideTheBusyOneAndTheTableIsTheSameEachTime() throws {
        let dir = try TestSupport.temporaryDirectory()
        let limit = ScanTally.Counts<ScanTally.RequestKey>.limit
        let flood = (0..<(limit + 100)).map { Self.tokenLine($0, host: "noise-\($0)") }
        try (flood.joined(separator: "\n") + "\n").write(toFile: dir + "/a-flood.jsonl", atomically: true, encoding: .utf8)
        try ((0..<300).map { Self.tokenLine(50_000 + $0, host: "etl-real") }.joined(separator: "\n") + "\n")
            .write(toFile: dir + "/b-real.jsonl", atomically: true, encoding: .utf8)
        var tables: [[Substring]] = []
        for db in ["one", "two"] {
            let run = try TestSupport.runCLI(["scan", dir + "/a-flood.jsonl", dir + "/b-real.jsonl", "--db", dir + "/\(db).sqlite", "--no-analysis"])
            #expect(run.status == 0, "\(run.stderr)")
            let rows = Self.section(run.stdout, "Client token requests by provider")
            #expect(rows.contains { $0.contains("etl-real") && $0.hasSuffix(" 300") }, "\(rows.prefix(3))")
            let shown = rows.filter { !$0.contains("more record(s)") }
            let counted = shown.compactMap { $0.split(separator: " ").last.flatMap { Int($0) } }.reduce(0, +)
            let more = try #require(rows.last { $0.contains("more record(s)") })
            #expect(counted + (Int(more.split(separator: " ")[2]) ?? 0) == limit + 400, "\(more)")
            tables.append(rows)
        }
        #expect(tables[0] == tables[1])
    }

    /// A client's log names whom it asked for, not who a user id is: a forged JWT request
    /// pairing the ERP integration's id with another name does not rename its logins.
    @Test func aClientLogCannotRenameAServerUser() throws {
        let dir = try TestSupport.temporaryDirectory()
        let forged = #"{"ts":"2026-11-14T00:00:01Z","host":"etl-x","integration":"x","provider":"salesforce","token_url":"https://login.salesforce.com/services/oauth2/token","grant_type":"urn:ietf:params:oauth:grant-type:jwt-bearer","client_id":"3MVGabc","claims":{"iss":"3MVGabc","sub":"ceo@acme.example","aud":"https://login.salesforce.com","exp":1794614581},"http_status":200,"id":"https://login.salesforce.com/id/00D5g000004AcmeAAA/0055g00000ErpInAAJ"}"#
        try (forged + "\n").write(toFile: dir + "/a-forged.jsonl", atomically: true, encoding: .utf8)
        let history = TestSupport.packageRoot.path + "/samples/salesforce/LoginHistory_api_2026-11-14_2026-11-20.csv"
        let run = try TestSupport.runCLI(["scan", dir + "/a-forged.jsonl", history, "--db", dir + "/db.sqlite", "--no-analysis"])
        #expect(run.status == 0, "\(run.stderr)")
        let users = Self.section(run.stdout, "Who server-to-server apps log in as")
        #expect(!users.isEmpty && !users.contains { $0.contains("ceo@acme.example") }, "\(users)")
    }

    /// Under `--quiet` nobody reads the summary: nothing is counted on the ingest's hot path.
    @Test func aScanThatPrintsNoSummaryCountsNothing() throws {
        let dir = try TestSupport.temporaryDirectory()
        try ((0..<10).map { Self.tokenLine($0, host: "etl-01") }.joined(separator: "\n") + "\n")
            .write(toFile: dir + "/tokens.jsonl", atomically: true, encoding: .utf8)
        var request = ScanRequest(inputs: [dir + "/tokens.jsonl"])
        request.databasePath = dir + "/quiet.sqlite"
        request.tallies = false
        #expect(try Scanner.scan(request).tally.tokenRequests.isEmpty)
        request.databasePath = dir + "/told.sqlite"
        request.tallies = true
        #expect(try Scanner.scan(request).tally.tokenRequests.total == 10)
    }

    /// A tally past its limit of keys counts the rest as one "other" bucket: memory is bounded
    /// by the limit, not by the log.
    @Test func aTallyHoldsAtMostItsLimitOfKeys() {
        var counts = ScanTally.Counts<Int64>()
        for i in 0..<Int64(ScanTally.Counts<Int64>.limit + 500) { counts.add(i); counts.add(0) }
        #expect(counts.counts.count == ScanTally.Counts<Int64>.limit)
        #expect(counts.other == 500 && counts.overflowed)
        #expect(counts.counts[0] == Int64(ScanTally.Counts<Int64>.limit + 501))
    }
}

/// Kubernetes names a Deployment's pods `<deployment>-<hash>-<suffix>`, anew at each rollout:
/// the rules about a client's configuration group them as one workload; other names stay.
@Suite struct HostWorkloadTests {
    @Test(arguments: [
        ("sfsync-7f9c6d8b4-xk2p9", "sfsync"),
        ("etl-worker-5d8f7b9c6-2xq4z", "etl-worker"),
        ("etl-worker-5d8f7b9c6-2xq4z.prod.svc.cluster.local", "etl-worker.prod.svc.cluster.local"),
        ("etl-01", "etl-01"),                          // a server: its own workload
        ("etl-0-a.prod.acme.internal", "etl-0-a.prod.acme.internal"),
        ("web-app-server", "web-app-server"),          // words, not random names
        ("sync-07f9c6d8b4-xk2p9", "sync-07f9c6d8b4-xk2p9"),  // a 0 is no pod-template hash
        ("sync-7f9c6d8b4-xk2pa", "sync-7f9c6d8b4-xk2pa"),    // nor a vowel a suffix
        ("-7f9c6d8b4-xk2p9", "-7f9c6d8b4-xk2p9"),      // no name left
        ("db-rpl42", "db-rpl42"),
    ])
    func workload(host: String, expected: String) {
        #expect(HostWorkload.of(host) == expected)
    }
}
