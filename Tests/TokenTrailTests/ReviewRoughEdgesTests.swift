import Foundation
import Testing
@testable import TokenTrail

/// Issue 27's rough edges, each as a reviewer met it on the samples.
@Suite(.serialized) struct ReviewRoughEdgesTests {
    static let root = TestSupport.packageRoot.path

    @Test func theTimelineJSONHasOneFieldPerFactAndOnlyPairableLoginsSayUnpaired() throws {
        let dir = try TestSupport.temporaryDirectory(), db = dir + "/db.sqlite"
        _ = try TestSupport.runCLI(["scan", "samples", "--policy", "samples/policy.json", "--db", db, "--quiet"], cwd: Self.root)
        let run = try TestSupport.runCLI(["timeline", "--db", db, "--incident", "inc-029e44440a2a", "--format", "json"])
        let events = try run.stdout.split(separator: "\n").map { try JSONParser.parse(String($0)) }
        let api = events.filter { $0["kind"]?.string == "api" }
        #expect(!api.isEmpty)
        // jq can sum what was read: rows is a number, the entity and the login key fields of their own.
        let rows = api.compactMap { $0["rows"]?.integer }.reduce(0, +)
        #expect(rows >= 26_222, "\(rows)")
        #expect(api.contains { $0["entity"]?.string == "Contact" && $0["login_key"]?.string != nil })
        // One API call is one row, with its app: ApiTotalUsage's copy of a RestApi call is left out.
        let instants = api.compactMap { $0["time_utc"]?.string }
        #expect(Set(instants).count == instants.count, "an API call listed twice")
        #expect(api.allSatisfy { $0["app"]?.string == "Acme ERP Sync" })
        // Unpaired is said of server-to-server logins only.
        let all = try TestSupport.runCLI(["timeline", "--db", db, "--app", "Salesforce for iOS", "--format", "json"]).stdout
        #expect(!all.isEmpty && !all.contains("no client request paired"))
        let erp = try TestSupport.runCLI(["timeline", "--db", db, "--incident", "inc-029e44440a2a"]).stdout
        #expect(erp.contains("no client request paired"))
        // The attacker's country is on their logins, their client on their API calls (Login History says Unknown).
        let logins = events.filter { $0["kind"]?.string == "login" && $0["ip"]?.string == "203.0.113.77" }
        #expect(!logins.isEmpty && logins.allSatisfy { $0["country"]?.string == "US" && $0["user_agent"] == nil })
        #expect(api.contains { $0["ip"]?.string == "203.0.113.77" && $0["user_agent"]?.string == "python-requests/2.31.0" })
    }

    @Test func aReScanSaysNothingNewAndKeepsEveryFileNoteWhole() throws {
        let dir = try TestSupport.temporaryDirectory(), db = dir + "/db.sqlite"
        _ = try TestSupport.runCLI(["scan", "samples", "--db", db, "--timezone", "Asia/Tokyo", "--quiet"], cwd: Self.root)
        let again = try TestSupport.runCLI(["scan", "samples", "--db", db, "--timezone", "Asia/Tokyo"], cwd: Self.root)
        #expect(again.stdout.contains("Time span covered: nothing new (the files were read before): 2026-11-07"))
        #expect(!again.stdout.contains("— … —"))
        #expect(again.stdout.contains("[unchanged (same SHA-256 as source #"))
    }

    @Test func aLegendOfManySeriesStaysInsideItsChart() {
        let names = (1...12).map { "requests: host-\($0)-with-a-long-name" }
        let series = names.map { name in ["2026-11-20", name, "3"].map { SQLValue.text($0) } }
        let svg = Charts.stacked(Charts.Series(series), title: "t")
        let viewBox = svg.firstMatch(of: /viewBox="0 0 (\d+) (\d+)"/)
        let (width, height) = (Double(viewBox?.1 ?? "0") ?? 0, Double(viewBox?.2 ?? "0") ?? 0)
        for match in svg.matches(of: /<text x="(\d+)" y="(\d+)">requests/) {
            #expect(Double(match.1)! < width && Double(match.2)! < height)
        }
    }

    @Test func theOverviewPanelsNameWhatTheyShow() throws {
        let requests = try #require(BuiltinPanels.files.first { $0.name == "overview_60_token_requests.sql" }?.text)
        #expect(!requests.contains("a_failure_class") && requests.contains("most_common_failure"))
        let perDay = try #require(BuiltinPanels.files.first { $0.name == "overview_25_records_per_day.sql" }?.text)
        #expect(perDay.contains("Okta events") && perDay.contains("'API: '"))
    }

    /// Review of issue 27: only ApiTotalUsage's copy of a call is left out, not another call of the same instant.
    @Test func aDistinctCallOfTheSameInstantStaysInTheTimeline() throws {
        let dir = try TestSupport.temporaryDirectory()
        try """
            EVENT_TYPE,TIMESTAMP_DERIVED,REQUEST_ID,ORGANIZATION_ID,USER_ID,URI,METHOD,ENTITY_NAME,STATUS_CODE,ROWS_PROCESSED,USER_AGENT,CLIENT_IP
            RestApi,2026-11-19T02:07:21.659Z,4ZtE1,00D5g000004Acme,0055g00000ErpIn,/services/data/v62.0/query,GET,Lead,200,4,python-requests/2.32,198.51.100.23

            """.write(toFile: dir + "/RestApi.csv", atomically: true, encoding: .utf8)
        try """
            EVENT_TYPE,TIMESTAMP_DERIVED,REQUEST_ID,ORGANIZATION_ID,USER_ID,API_FAMILY,API_RESOURCE,HTTP_METHOD,CLIENT_IP,ENTITY_NAME,CONNECTED_APP_NAME
            ApiTotalUsage,2026-11-19T02:07:21.659Z,4ZtV1,00D5g000004Acme,0055g00000ErpIn,REST,/query,GET,198.51.100.23,Lead,Acme ERP Sync
            ApiTotalUsage,2026-11-19T02:07:21.659Z,4ZtV2,00D5g000004Acme,0055g00000ErpIn,REST,/sobjects/User,DELETE,198.51.100.23,User,Acme ERP Sync

            """.write(toFile: dir + "/ApiTotalUsage.csv", atomically: true, encoding: .utf8)
        let (_, db) = try TestSupport.scan([dir + "/RestApi.csv", dir + "/ApiTotalUsage.csv"])
        let timeline = try Timeline.build(db: db, filter: Timeline.Filter(since: 0, until: .max / 2))
        let api = timeline.events.filter { $0.kind == "api" }
        #expect(api.count == 2, "\(api.map(\.detail))")
        #expect(api.contains { $0.detail.contains("RestApi") && $0.app == "Acme ERP Sync" } && api.contains { $0.detail.contains("DELETE") })
    }
}
