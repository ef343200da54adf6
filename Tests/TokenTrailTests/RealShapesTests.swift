import Foundation
import Testing
@testable import TokenTrail

/// Every real export shape (FORMATS.md §6), from fixtures written in those shapes, and the
/// rule that content never removes a row.
@Suite struct RealShapesTests {
    static func shape(_ name: String) -> String { TestSupport.fixture("shapes/" + name) }

    static func rows(_ db: Database, _ sql: String) throws -> [String] {
        try db.rows(sql).map { $0.map { $0.string ?? "∅" }.joined(separator: " ") }
    }

    @Test func olderELFLoginFilesAreClassifiedByURIWithIdsInTheir18CharacterForm() throws {
        let (result, db) = try TestSupport.scan([Self.shape("elf_login_2021_columns.csv")])
        #expect(result.files.first?.stats.stored == 3)
        #expect(try Self.rows(db, "SELECT flow, flow_basis, user_id, outcome FROM v_logins ORDER BY time_ms") == [
            "oauth_unknown not_exported 0055g00000ErpInAAJ success",
            "ui login_type 0055g0000Usr001AQA success",
            "soap_api login_type 0055g0000Usr029AQA failure",
        ])
        // TIMESTAMP says .13, TIMESTAMP_DERIVED .128 in the same row: the more precise wins.
        #expect(try db.scalar("SELECT time_utc FROM v_logins WHERE flow = 'oauth_unknown'").string == "2021-10-19T05:07:07.128Z")
        #expect(try db.scalar("SELECT org FROM v_logins LIMIT 1").string == "00D5g000004AcmeEAC")
    }

    @Test func elfLoginTypeCodesAreStoredAsLoginHistoryLabels() throws {
        let (_, db) = try TestSupport.scan([Self.shape("elf_login_2026_codes.csv")])
        #expect(try Self.rows(db, "SELECT login_type, flow, flow_basis FROM v_logins ORDER BY time_ms") == [
            "Remote Access 2.0 client_credentials subtype", "Application ui subtype",
        ])
    }

    @Test func aTimelineFilterTakesTheFifteenCharacterIdAsTheFileHasIt() throws {
        let dir = try TestSupport.temporaryDirectory()
        let run = try TestSupport.runCLI(["scan", Self.shape("elf_login_2021_columns.csv"), "--db", dir + "/db.sqlite", "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        let timeline = try TestSupport.runCLI(["timeline", "--db", dir + "/db.sqlite", "--user", "0055g0000Usr001", "--from", "2021-10-01T00:00:00Z", "--to", "2021-11-01T00:00:00Z"])
        #expect(timeline.status == 0)
        #expect(timeline.stdout.contains("192.0.2.44"), "\(timeline.stdout)")
    }

    /// A narrow Login History query without LoginSubType: the flow is unknown, not JWT, and a
    /// policy declaring client credentials raises no flow-drift from it.
    @Test func aLoginHistoryExportWithoutLoginSubTypeIsNotCalledJWT() throws {
        let dir = try TestSupport.temporaryDirectory()
        let policy = dir + "/policy.json"
        try #"{"version":1,"apps":[{"name":"Acme Reporting","flows":["client_credentials"],"runAsUser":"reporting-bot@acme.example"}]}"#
            .write(toFile: policy, atomically: true, encoding: .utf8)
        let (_, db) = try TestSupport.scan([Self.shape("login_history_no_subtype.csv")], policy: policy)
        #expect(try Self.rows(db, "SELECT app, flow, flow_basis FROM v_logins ORDER BY time_ms") == [
            "Acme Reporting oauth_unknown not_exported", "Acme Reporting oauth_unknown not_exported", "∅ ui login_type",
        ])   // and `Browser`, the Application of a UI login, is no app
        let result = try Analyzer.run(db: db, policy: try Policy.load(path: policy), windowStart: 0, windowEnd: .max / 2)
        #expect(!result.findings.contains { $0.rule == "flow-drift" || $0.rule == "run-as-mismatch" || $0.rule == "jwt-on-client-credentials-app" })
    }

    @Test func loginEventsAreOneRowWithTheirLoginHistoryTwin() throws {
        let (result, db) = try TestSupport.scan([Self.shape("login_history_no_subtype.csv"), Self.shape("login_event_soql.csv"),
                                                 Self.shape("login_event_records.json")])
        let formats = result.files.map(\.format)
        #expect(formats == ["login_history_api", "login_event", "login_event"])
        // The SOQL CSV's first row is Login History's 0Ya5g00000NoSub001: stored once.
        #expect(result.files[1].stats.duplicates == 1 && result.files[1].stats.stored == 1)
        #expect(result.files[2].stats.stored == 2)
        #expect(try Self.rows(db, "SELECT origin, app, flow, flow_basis, login_key FROM v_logins WHERE origin = 'login_event' ORDER BY time_ms") == [
            "login_event Acme ERP Sync jwt_bearer inferred Zz98Yy76Xx54Ww32",
            "login_event Acme ERP Sync jwt_bearer inferred Qr12St34Uv56Wx78",
            "login_event ∅ ui subtype ∅",
        ])   // `Browser`, the Application of a UI login, is no app
        // Re-reading adds nothing.
        let again = try Scanner.scan({ var r = ScanRequest(inputs: [Self.shape("login_event_records.json")]); r.databasePath = result.databasePath; return r }())
        #expect(again.files.first?.stats.stored == 0)
    }

    @Test func oktaEventHooksSinglePrettyEventsAndStandardReasonsAreRead() throws {
        let (result, db) = try TestSupport.scan([Self.shape("okta_event_hook.json"), Self.shape("okta_single_event.json")])
        #expect(result.files.map(\.format) == ["okta_system_log", "okta_system_log"])
        #expect(result.files.map(\.stats.stored) == [3, 1])
        #expect(try Self.rows(db, "SELECT event_type, outcome, failure_class, line FROM v_idp_events ORDER BY time_ms") == [
            "user.session.start failure invalid_credentials 9",
            "user.account.lock failure locked_out 21",
            "system.operation.rate_limit.violation failure rate_limited 30",
            "app.oauth2.as.token.grant failure invalid_credentials 1",
        ])
    }

    @Test func aTokenLogWhoseFirstLineIsCutKeepsTheRest() throws {
        let (result, db) = try TestSupport.scan([Self.shape("token_log_cut_first_line.jsonl")])
        let file = try #require(result.files.first)
        #expect(file.status == .ingested && file.format == "token_log")
        #expect(file.stats.stored == 2 && file.stats.rejects == 1)
        #expect(try db.scalar("SELECT line FROM v_rejects").int == 1)
        #expect(try db.scalar("SELECT token_login FROM v_rejects").int == 1)   // it looked like a token request
    }

    /// Cut at its start (a log copied from the middle of a line) or with a NUL byte in its first
    /// line: the file is still a token log, and only that line is at stake.
    @Test(arguments: [("token_log_head_cut.jsonl", 2, 1), ("token_log_nul_first_line.jsonl", 3, 0)])
    func aBrokenFirstLineNeverCostsTheFile(fixture: String, stored: Int, rejects: Int) throws {
        let (result, db) = try TestSupport.scan([Self.shape(fixture)])
        let file = try #require(result.files.first)
        #expect(file.status == .ingested && file.format == "token_log", "\(file.status)")
        #expect(file.stats.stored == stored && file.stats.rejects == rejects, "\(file.stats)")
        if rejects > 0 { #expect(try db.scalar("SELECT line FROM v_rejects").int == 1) }
    }

    @Test func binaryAndUTF16FilesAreRefusedByName() throws {
        let dir = try TestSupport.temporaryDirectory()
        try Data([0x53, 0x51, 0x4C] + [UInt8](repeating: 0, count: 200)).write(to: URL(fileURLWithPath: dir + "/blob.bin"))
        try Data([0xFF, 0xFE] + Array("I\0d\0".utf8)).write(to: URL(fileURLWithPath: dir + "/utf16.csv"))
        let (result, _) = try TestSupport.scan([dir + "/blob.bin", dir + "/utf16.csv"])
        let messages = result.files.compactMap { if case .failed(let m) = $0.status { m } else { nil } }
        #expect(messages.count == 2)
        #expect(messages.contains { $0.contains("blob.bin") && $0.contains("binary") })
        #expect(messages.contains { $0.contains("utf16.csv") && $0.contains("UTF-16") })
    }

    @Test func aJSONDocumentOfAnotherKindIsNamedAndRefused() throws {
        let (result, _) = try TestSupport.scan([Self.shape("unrelated_document.json")])
        guard case .failed(let message) = try #require(result.files.first).status else { Issue.record("not refused"); return }
        #expect(message.contains("unrelated_document.json") && message.contains("no supported export") && message.contains("kind, region, services"))
    }

    /// The stolen-key week of the samples, with the attacker's rows carrying invalid UTF-8, a
    /// terminal escape and a bidi override in the user agent: every one is still found.
    @Test func hostileBytesInTheAttackersRowsHideNothing() throws {
        let dir = try TestSupport.temporaryDirectory()
        let export = try Data(contentsOf: URL(fileURLWithPath: TestSupport.samples + "/salesforce/LoginHistory_api_2026-11-14_2026-11-20.csv"))
        var lines = export.split(separator: 0x0A, omittingEmptySubsequences: false).map { Array($0) }
        var hostile = 0
        for i in lines.indices where String(decoding: lines[i], as: UTF8.self).contains("203.0.113.77") {
            let text = String(decoding: lines[i], as: UTF8.self).replacingOccurrences(of: ",Unknown,", with: ",\u{1B}[2J\u{202E}UA\u{FFFF}X,")
            var bytes = Array(text.utf8)
            if let x = bytes.lastIndex(of: UInt8(ascii: "X")) { bytes.replaceSubrange(x...x, with: [0xC3, 0x28, 0xFF]) }  // invalid UTF-8
            lines[i] = bytes
            hostile += 1
        }
        #expect(hostile == 4)
        FileManager.default.createFile(atPath: dir + "/LoginHistory.csv", contents: Data(lines.joined(separator: [0x0A])))
        for name in ["etl-01_token-requests.jsonl", "etl-02_token-requests.jsonl"] {
            try FileManager.default.copyItem(atPath: TestSupport.samples + "/clients/" + name, toPath: dir + "/" + name)
        }
        let (result, db) = try TestSupport.scan([dir], policy: TestSupport.samples + "/policy.json")
        let export1 = try #require(result.files.first { $0.path.hasSuffix("LoginHistory.csv") })
        #expect(export1.stats.rejects == 0 && export1.stats.repaired == 4 && export1.stats.stored == 1214)
        #expect(try TestSupport.count(db, "SELECT count(*) FROM v_repairs WHERE kind = 'invalid_utf8' AND field = 'Browser'") == 4)
        let findings = try Analyzer.run(db: db, policy: try Policy.load(path: TestSupport.samples + "/policy.json"),
                                        windowStart: 0, windowEnd: .max / 2).findings
        let unmatched = try #require(findings.first { $0.rule == "unmatched-server-login" && $0.sourceIp == "203.0.113.77" })
        #expect(unmatched.count == 4)
        #expect(findings.contains { $0.rule == "new-source-ip" && $0.sourceIp == "203.0.113.77" && $0.count == 4 })
        // The terminal never gets the escape.
        let run = try TestSupport.runCLI(["scan", dir, "--policy", TestSupport.samples + "/policy.json", "--db", dir + "/cli.sqlite"])
        #expect(!run.stdout.contains("\u{1B}[2J") && !run.stdout.contains("\u{202E}"))
    }

    /// An org that exports only the free Event Monitoring files (Login, ApiTotalUsage) and the
    /// client logs: the ELF rows get their app, and a stolen key is still caught.
    @Test func anELFOnlyOrgStillCatchesAStolenKey() throws {
        let dir = try TestSupport.temporaryDirectory()
        let header = #""EVENT_TYPE","TIMESTAMP","REQUEST_ID","ORGANIZATION_ID","USER_ID","URI","LOGIN_KEY","LOGIN_TYPE","USER_NAME","LOGIN_SUB_TYPE","TIMESTAMP_DERIVED","USER_ID_DERIVED","CLIENT_IP","LOGIN_STATUS","SOURCE_IP""#
        let usageHeader = #""EVENT_TYPE","TIMESTAMP","REQUEST_ID","ORGANIZATION_ID","USER_ID","API_FAMILY","API_RESOURCE","CLIENT_IP","CONNECTED_APP_ID","CONNECTED_APP_NAME","USER_NAME","TIMESTAMP_DERIVED""#
        var login = [header], usage = [usageHeader], requests: [String] = []
        func stamp(_ minute: Int) -> (String, String) {
            let h = 6 + minute / 60, m = minute % 60
            return (String(format: "202611200%d%02d05.000", h, m), String(format: "2026-11-20T%02d:%02d:05.000Z", h, m))
        }
        for (n, minute) in [0, 30, 60, 90, 120].enumerated() {
            let (t, iso) = stamp(minute)
            let ip = n == 2 ? "203.0.113.77" : "198.51.100.23"
            login.append(#""Login","\#(t)","4ZtL\#(n)","00D5g000004Acme","0055g00000ErpIn","/services/oauth2/token","LK\#(n)","i","erp-integration@acme.example","","\#(iso)","0055g00000ErpInAAJ","Salesforce.com IP","LOGIN_NO_ERROR","\#(ip)""#)
            usage.append(#""ApiTotalUsage","\#(t.dropLast(6))07.000","4ZtU\#(n)","00D5g000004Acme","0055g00000ErpIn","REST","/query","\#(ip)","0H45g0000ErpApp","Acme ERP Sync","erp-integration@acme.example","\#(iso.dropLast(7))07.000Z""#)
            if n != 2 {
                requests.append(#"{"ts":"\#(iso.dropLast(7))04.500Z","host":"etl-01","integration":"acme-erp-sync","grant_type":"urn:ietf:params:oauth:grant-type:jwt-bearer","client_id":"3MVG9erp","claims":{"iss":"3MVG9erp","sub":"erp-integration@acme.example"},"http_status":200}"#)
            }
        }
        try login.joined(separator: "\n").write(toFile: dir + "/Login.csv", atomically: true, encoding: .utf8)
        try usage.joined(separator: "\n").write(toFile: dir + "/ApiTotalUsage.csv", atomically: true, encoding: .utf8)
        try requests.joined(separator: "\n").write(toFile: dir + "/etl-01.jsonl", atomically: true, encoding: .utf8)
        let policy = dir + "/policy.json"
        try #"{"version":1,"apps":[{"name":"Acme ERP Sync","clientIds":["3MVG9erp"],"flows":["jwt_bearer"],"subjects":["erp-integration@acme.example"],"sourceCidrs":["198.51.100.0/24"]}]}"#
            .write(toFile: policy, atomically: true, encoding: .utf8)
        let (_, db) = try TestSupport.scan([dir + "/Login.csv", dir + "/ApiTotalUsage.csv", dir + "/etl-01.jsonl"], policy: policy)
        let findings = try Analyzer.run(db: db, policy: try Policy.load(path: policy), windowStart: 0, windowEnd: .max / 2).findings
        #expect(try TestSupport.count(db, "SELECT count(*) FROM v_logins WHERE app = 'Acme ERP Sync' AND app_via = 'api_total_usage'") == 5)
        let unmatched = try #require(findings.first { $0.rule == "unmatched-server-login" })
        #expect(unmatched.sourceIp == "203.0.113.77" && unmatched.count == 1 && unmatched.evidence == [dir + "/Login.csv:4"])
        #expect(findings.contains { $0.rule == "new-source-ip" && $0.sourceIp == "203.0.113.77" })
    }

    /// A client credentials integration whose requests name its user by id, against a Japanese
    /// Setup download that names users only: paired through the Run As user, learned or declared.
    @Test(arguments: [false, true])
    func clientCredentialsPairWithAUsernameOnlySetupDownload(declared: Bool) throws {
        let dir = try TestSupport.temporaryDirectory()
        let download = TestSupport.samples + "/salesforce/LoginHistory_setup_ja_2026-11-07_2026-11-10.csv"
        let (_, db) = try TestSupport.scan([download], db: dir + "/db.sqlite", timezone: "Asia/Tokyo")
        let times = try db.rows("SELECT time_ms FROM v_logins WHERE flow = 'client_credentials' AND outcome = 'success' ORDER BY time_ms").compactMap { $0[0].int }
        #expect(times.count > 50)
        let lines = times.map { t in
            #"{"ts":\#(t - 900),"host":"rpt-01","integration":"acme-reporting","grant_type":"client_credentials","client_id":"3MVG9rpt","http_status":200,"id":"https://login.salesforce.com/id/00D5g000004AcmeEAC/0055g00000RptBoAAJ"}"#
        }
        try lines.joined(separator: "\n").write(toFile: dir + "/rpt-01.jsonl", atomically: true, encoding: .utf8)
        var policy: Policy?
        if declared {
            try #"{"version":1,"apps":[{"name":"Acme Reporting","clientIds":["3MVG9rpt"],"flows":["client_credentials"],"runAsUser":"reporting-bot@acme.example"}]}"#
                .write(toFile: dir + "/policy.json", atomically: true, encoding: .utf8)
            policy = try Policy.load(path: dir + "/policy.json")
        }
        _ = try TestSupport.scan([dir + "/rpt-01.jsonl"], db: dir + "/db.sqlite")
        let findings = try Analyzer.run(db: db, policy: policy, windowStart: times.first! - 3_600_000, windowEnd: times.last! + 3_600_000).findings
        #expect(!findings.contains { $0.rule == "unmatched-client-success" || $0.rule == "unmatched-server-login" },
                "\(findings.map(\.message))")
        #expect(try TestSupport.count(db, "SELECT count(*) FROM matches") == times.count)
    }

    /// One org's missing days must not hide behind another org's logins.
    @Test func coverageGapsArePerOrg() throws {
        let dir = try TestSupport.temporaryDirectory()
        var lines = [#""EVENT_TYPE","TIMESTAMP","REQUEST_ID","ORGANIZATION_ID","USER_ID","URI","LOGIN_TYPE","USER_NAME","LOGIN_SUB_TYPE","LOGIN_STATUS","SOURCE_IP""#]
        for (org, days) in [("00D5g000004Acme", [16, 17, 18, 19, 20, 21, 22]), ("00D5g000009Beta", [16, 17, 21, 22])] {
            for day in days {
                lines.append(#""Login","202611\#(day)060000.000","R\#(org.suffix(4))\#(day)","\#(org)","0055g00000ErpIn","/services/oauth2/token","i","erp@acme.example","","LOGIN_NO_ERROR","198.51.100.23""#)
            }
        }
        try lines.joined(separator: "\n").write(toFile: dir + "/Login.csv", atomically: true, encoding: .utf8)
        let (result, db) = try TestSupport.scan([dir + "/Login.csv"])
        let span = try #require(result.span)
        let gaps = try Analyzer.run(db: db, policy: nil, windowStart: span.0, windowEnd: span.1).findings.filter { $0.rule == "coverage-gap" }
        #expect(gaps.map(\.message) == ["no server logins of org 00D5g000009BetaEAC on 2026-11-18 … 2026-11-20, between days that have them: an export or log is missing"])
    }

    /// The overview's reject count is the data-quality page's, and repaired rows are listed there.
    @Test func theOverviewAndTheDataQualityPageCountTheSameRejects() throws {
        let dir = try TestSupport.temporaryDirectory()
        let (result, db) = try TestSupport.scan([TestSupport.fixture("malformed_login_history.csv")], db: dir + "/db.sqlite")
        let span = try #require(result.span)
        let written = try HTMLReport.write(db: db, options: .init(since: span.0, until: span.1, databasePath: dir + "/db.sqlite", policy: nil),
                                           to: dir + "/report")
        let overview = try String(contentsOfFile: try #require(written.pages.first { $0.hasSuffix("index.html") }), encoding: .utf8)
        let quality = try String(contentsOfFile: try #require(written.pages.first { $0.hasSuffix("quality.html") }), encoding: .utf8)
        #expect(overview.contains("<b class=\"bad\">4</b>rows rejected"))
        #expect(overview.contains("<b>1</b>rows kept with repaired values"))
        let listed = quality.components(separatedBy: "malformed_login_history.csv:").count - 1
        #expect(quality.contains("Rows kept with repaired values") && quality.contains("invalid_utf8"))
        #expect(listed >= 4 + 1)   // each reject's line, and the repaired one
    }

    /// `/api/v1/logs` saved as is is one compact line: a JSON array, not a JSON line to reject.
    @Test func aCompactOktaArrayOnOneLineIsRead() throws {
        let dir = try TestSupport.temporaryDirectory()
        let event = #"{"uuid":"u%d","published":"2026-11-20T10:00:0%d.000Z","eventType":"user.session.start","outcome":{"result":"SUCCESS"},"client":{"ipAddress":"192.0.2.44"}}"#
        try ("[" + (1...3).map { String(format: event, $0, $0) }.joined(separator: ",") + "]")
            .write(toFile: dir + "/logs.json", atomically: true, encoding: .utf8)
        let (result, _) = try TestSupport.scan([dir + "/logs.json"])
        let file = try #require(result.files.first)
        #expect(file.format == "okta_system_log" && file.stats.stored == 3 && file.stats.rejects == 0)
    }

    /// Records that share one line are told apart by their number in the file (`file#n`):
    /// each event its own evidence, each broken one its own reject.
    @Test func recordsOfACompactArrayHaveTheirOwnEvidenceAndRejects() throws {
        let dir = try TestSupport.temporaryDirectory()
        let good = #"{"uuid":"u%d","published":"2026-11-20T10:00:0%d.000Z","eventType":"user.session.start","outcome":{"result":"SUCCESS"},"client":{"ipAddress":"192.0.2.44"}}"#
        let broken = #"{"uuid":"b%d","published":"yesterday","eventType":"user.session.start"}"#
        let items = [String(format: good, 1, 1), String(format: broken, 2), String(format: good, 3, 3), String(format: broken, 4)]
        try ("[" + items.joined(separator: ",") + "]\n").write(toFile: dir + "/logs.json", atomically: true, encoding: .utf8)
        let (result, db) = try TestSupport.scan([dir + "/logs.json"])
        let file = try #require(result.files.first)
        #expect(file.stats.stored == 2 && file.stats.rejects == 2, "\(file.stats)")
        #expect(try Self.rows(db, "SELECT evidence FROM v_idp_events ORDER BY time_ms") == [dir + "/logs.json#1", dir + "/logs.json#3"])
        #expect(try Self.rows(db, "SELECT evidence FROM v_rejects ORDER BY line") == [dir + "/logs.json#2", dir + "/logs.json#4"])
        let timeline = try Timeline.build(db: db, filter: Timeline.Filter(since: 0, until: .max / 2))
        #expect(timeline.events.map(\.evidence) == [dir + "/logs.json#1", dir + "/logs.json#3"])
    }
}

/// Issue 26: Real-Time Event Monitoring records read as what they are, in the envelopes the
/// REST API and `sf data query --json` wrap them in.
@Suite struct RealTimeEventMonitoringTests {
    static func shape(_ name: String) -> String { TestSupport.fixture("shapes/" + name) }

    @Test func restQueryPagesAndTheSfEnvelopeAreReadAndALogoutIsNoLogin() throws {
        let (result, db) = try TestSupport.scan([Self.shape("rtem_query_page1.json"), Self.shape("rtem_query_page2.json"),
                                                 Self.shape("rtem_sf_data_query.json"), Self.shape("rtem_logout_no_attributes.jsonl")])
        #expect(result.files.allSatisfy { $0.status == .ingested }, "\(result.files.map(\.status))")
        #expect(result.files.map(\.format) == ["login_event", "rtem_activity", "login_event", "rtem_activity"])
        // Two logins (the LoginEvents); the LogoutEvents and the ApiEvent are the session's activity.
        #expect(try RealShapesTests.rows(db, "SELECT username, flow, flow_basis, origin FROM v_logins ORDER BY time_ms") == [
            "erp-integration@acme.example jwt_bearer inferred login_event",
            "reporting-bot@acme.example client_credentials subtype login_event",
        ])
        #expect(try RealShapesTests.rows(db, "SELECT event_type, login_key, client_ip, entity, rows FROM v_api_activity ORDER BY time_ms") == [
            "ApiEvent Rt3mLoginKey0001 198.51.100.23 Account 250",
            "LogoutEvent Rt3mLoginKey0001 198.51.100.23 ∅ ∅",
            "LogoutEvent Rt3mLoginKey0009 198.51.100.23 ∅ ∅",
        ])
        // The query text itself is not kept, only its fingerprint.
        #expect(try TestSupport.count(db, "SELECT count(*) FROM api_activity WHERE query_fingerprint IS NOT NULL") == 1)
        #expect(try TestSupport.count(db, "SELECT count(*) FROM strings WHERE value LIKE '%FROM Account%'") == 0)
    }

    @Test func anotherEventMonitoringObjectIsRefusedByName() throws {
        let (result, db) = try TestSupport.scan([Self.shape("rtem_report_event.json")])
        #expect(try TestSupport.count(db, "SELECT count(*) FROM logins") == 0)
        #expect(try TestSupport.count(db, "SELECT count(*) FROM v_rejects WHERE reason LIKE 'a ReportEvent record (Real-Time Event Monitoring)%'") == 1)
        #expect(result.files.first?.stats.rejects == 1)
    }
}

/// Issue 26: ELF Login files that cannot say what they do not record.
@Suite struct ELFLoginEdgeTests {
    @Test func aLoginFileWithNeitherLoginTypeNorURIIsALoginSourceOfUnknownFlow() throws {
        let (result, db) = try TestSupport.scan([TestSupport.fixture("shapes/elf_login_five_columns.csv")])
        #expect(result.files.first?.format == "elf_login")
        #expect(try RealShapesTests.rows(db, "SELECT flow, flow_basis, user_id FROM v_logins ORDER BY time_ms") == [
            "unknown not_exported 0055g00000ErpInAAJ", "unknown not_exported 0055g00000ErpInAAJ",
        ])
        // Said, not silently judged: the analysis lists them under what it could not judge.
        let caveats = try Caveats.of(db: db, policy: nil, windowStart: 1_795_219_200_000, windowEnd: 1_795_305_599_999)
        #expect(caveats.contains { $0.contains("2 login(s) come from exports without the login subtype column") }, "\(caveats)")
    }

    @Test func aMaskedAddressIsNoAddressAndIsListed() throws {
        let (_, db) = try TestSupport.scan([TestSupport.fixture("shapes/elf_login_masked_ip.csv")])
        #expect(try TestSupport.count(db, "SELECT count(*) FROM logins WHERE source_ip IS NULL") == 1)
        #expect(try TestSupport.count(db, "SELECT count(*) FROM v_repairs WHERE field = 'SOURCE_IP' AND kind = 'dropped'") == 1)
        #expect(try TestSupport.count(db, "SELECT count(*) FROM strings WHERE value = 'xxx.xxx.xxx.xxx'") == 0)
    }
}

/// A real Login History API export spells its whole-second LoginTime with milliseconds
/// (`…:01.000+0000`); its ELF Login twin has the real ones (`…01.381Z`). One login.
@Suite struct LoginTwinShapeTests {
    @Test func aLoginHistoryTimeWithZeroMillisecondsFindsItsELFTwin() throws {
        let dir = try TestSupport.temporaryDirectory()
        try """
            Id,UserId,LoginTime,LoginType,LoginSubType,SourceIp,Status,Application,Browser
            0Ya5g00000Twin0001,0055g00000ErpInAAJ,2026-11-21T06:04:01.000+0000,Remote Access 2.0,,203.0.113.7,Success,Acme ERP Sync,Unknown

            """.write(toFile: dir + "/LoginHistory.csv", atomically: true, encoding: .utf8)
        try """
            EVENT_TYPE,TIMESTAMP_DERIVED,USER_ID,USER_NAME,LOGIN_TYPE,LOGIN_STATUS,SOURCE_IP,LOGIN_KEY,BROWSER_TYPE
            Login,2026-11-21T06:04:01.381Z,0055g00000ErpIn,erp@acme.example,i,LOGIN_NO_ERROR,203.0.113.7,TwinLoginKey0001,python-requests/2.32.4

            """.write(toFile: dir + "/ELF_Login.csv", atomically: true, encoding: .utf8)
        let (_, db) = try TestSupport.scan([dir + "/ELF_Login.csv", dir + "/LoginHistory.csv"])
        #expect(try RealShapesTests.rows(db, "SELECT origin, app, username, login_key, browser FROM v_logins") == [
            "login_history Acme ERP Sync erp@acme.example TwinLoginKey0001 python-requests/2.32.4",
        ])
        #expect(try TestSupport.count(db, "SELECT count(*) FROM login_twins") == 1)
    }
}

/// What twins must share, and what a crafted export must not cost.
@Suite struct LoginTwinBoundsTests {
    static let lhHeader = "Id,UserId,LoginTime,LoginType,LoginSubType,SourceIp,Status,Application\n"
    static let elfHeader = "EVENT_TYPE,TIMESTAMP_DERIVED,REQUEST_ID,USER_ID,LOGIN_TYPE,LOGIN_STATUS,SOURCE_IP\n"

    @Test func anotherOutcomeOrNoAddressIsNoTwinAndASprayBurstStaysLinear() throws {
        let dir = try TestSupport.temporaryDirectory()
        var lh = Self.lhHeader, elf = Self.elfHeader
        // A success and, in the same second, an ELF failure of the same user and address: two logins.
        lh += "0Ya5g00000Twin0001,0055g00000ErpInAAJ,2026-11-21T06:04:01.000+0000,Remote Access 2.0,,203.0.113.7,Success,Acme ERP Sync\n"
        elf += "Login,2026-11-21T06:04:01.500Z,4ZtT0,0055g00000ErpIn,i,LOGIN_ERROR_INVALID_PASSWORD,203.0.113.7\n"
        // No address on either side: nothing says they are one login.
        lh += "0Ya5g00000Twin0002,0055g00000ErpInAAJ,2026-11-21T06:05:01.000+0000,Remote Access 2.0,,,Success,Acme ERP Sync\n"
        elf += "Login,2026-11-21T06:05:01.200Z,4ZtT1,0055g00000ErpIn,i,LOGIN_NO_ERROR,\n"
        // A password spray: 4,000 failures of one user from one address within one minute, in both exports.
        for k in 0..<4000 {
            let second = String(format: "%02d", k % 60)
            lh += "0Ya5g0000Spray\(String(format: "%04d", k)),0055g00000ErpInAAJ,2026-11-21T07:00:\(second).000+0000,Remote Access 2.0,,45.76.10.2,Failed: Invalid Password,Acme ERP Sync\n"
            elf += "Login,2026-11-21T07:00:\(second).\(String(format: "%03d", k % 1000))Z,4ZtS\(k),0055g00000ErpIn,i,LOGIN_ERROR_INVALID_PASSWORD,45.76.10.2\n"
        }
        try lh.write(toFile: dir + "/LoginHistory.csv", atomically: true, encoding: .utf8)
        try elf.write(toFile: dir + "/ELF_Login.csv", atomically: true, encoding: .utf8)
        let started = Date()
        let (_, db) = try TestSupport.scan([dir + "/LoginHistory.csv", dir + "/ELF_Login.csv"])
        #expect(Date().timeIntervalSince(started) < 30)
        #expect(try TestSupport.count(db, "SELECT count(*) FROM login_twins") == 4000)
        #expect(try TestSupport.count(db, "SELECT count(*) FROM logins") == 4004)
    }

    @Test func aFileSpanningCenturiesCostsItsRowsNotItsHours() throws {
        let dir = try TestSupport.temporaryDirectory()
        let lh = Self.lhHeader + "0Ya5g00000Old00001,0055g00000ErpInAAJ,1970-01-02T00:00:00.000+0000,Remote Access 2.0,,203.0.113.7,Success,Acme ERP Sync\n"
            + "0Ya5g00000New00001,0055g00000ErpInAAJ,2199-12-31T23:00:00.000+0000,Remote Access 2.0,,203.0.113.7,Success,Acme ERP Sync\n"
        let elf = Self.elfHeader + "Login,2199-12-31T23:00:00.400Z,4ZtN0,0055g00000ErpIn,i,LOGIN_NO_ERROR,203.0.113.7\n"
        try lh.write(toFile: dir + "/LoginHistory.csv", atomically: true, encoding: .utf8)
        try elf.write(toFile: dir + "/ELF_Login.csv", atomically: true, encoding: .utf8)
        let started = Date()
        let (result, db) = try TestSupport.scan([dir + "/ELF_Login.csv", dir + "/LoginHistory.csv"], db: dir + "/db.sqlite")
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(result.files.allSatisfy { $0.status == .ingested })
        #expect(try TestSupport.count(db, "SELECT count(*) FROM login_twins") == 1)
    }
}
