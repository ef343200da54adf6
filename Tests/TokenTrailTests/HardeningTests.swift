import Foundation
import Testing
@testable import TokenTrail

/// What an attacker or an unlucky operator tried (issue 13): secrets never stored, hostile
/// names never collide, one bad line never costs a file, readers never block.
@Suite struct HardeningTests {
    static func secretsFixture(_ name: String) -> String { TestSupport.fixture("secrets/" + name) }

    /// Every secret in the `secrets/` fixtures carries "Zq9"; nothing else there does.
    static let marker = "Zq9"

    /// Every text value of every table.
    static func storedText(_ db: Database) throws -> [(table: String, value: String)] {
        let tables = try db.rows("SELECT name FROM sqlite_master WHERE type = 'table'").compactMap { $0[0].string }
        var out: [(String, String)] = []
        for table in tables {
            for row in try db.rows("SELECT * FROM \"\(table)\"") {
                for value in row { if let text = value.string { out.append((table, text)) } }
            }
        }
        return out
    }

    /// One fixture per kind of free text: a token log's token_url query, error_description,
    /// errorSummary, errorLink, instance_url user info and an unknown key; an ELF RestApi URI
    /// with ?access_token=; Login History LoginUrl user info, Browser and Status; Okta
    /// displayMessage, user agent, outcome.reason and requestUri.
    @Test(arguments: ["token_log.jsonl", "2026-11-20_RestApi.csv", "LoginHistory_secrets.csv", "okta_secrets.jsonl"])
    func secretsInFreeTextAreNeverStored(fixture: String) throws {
        let (result, db) = try TestSupport.scan([Self.secretsFixture(fixture)])
        let file = try #require(result.files.first)
        #expect(file.stats.rejects == 0 && file.stats.stored > 0, "\(file.stats)")
        let leaks = try Self.storedText(db).filter { $0.value.contains(Self.marker) }
        #expect(leaks.isEmpty, "\(leaks)")
        #expect(try Self.storedText(db).contains { $0.value.contains("[redacted sha256:") })
    }

    /// The ordinary part of each value survives: the path, the host, the words around.
    /// One over-long value (a cut 8 KB host) must not pad every row of the terminal table.
    @Test func aLongValueDoesNotWidenTheTerminalTable() {
        let table = TerminalSummary.table(["app", "host", "logins"], [["a", String(repeating: "h", count: 9000), "1"], ["b", "etl-01", "2"]],
                                          rightAligned: 0, rightColumns: [2])
        let lines = table.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines.allSatisfy { $0.count <= 2 + 3 + 2 + TerminalSummary.maxCellCharacters + 2 + 6 })
        #expect(table.contains(String(repeating: "h", count: 79) + "…"))
    }

    @Test func scrubbingKeepsWhatIsNotASecret() throws {
        let (_, db) = try TestSupport.scan(["token_log.jsonl", "2026-11-20_RestApi.csv", "okta_secrets.jsonl"].map(Self.secretsFixture))
        let urls = try db.rows("SELECT token_url FROM v_token_requests ORDER BY time_ms").compactMap { $0[0].string }
        #expect(urls.first?.hasPrefix("https://login.salesforce.com/services/oauth2/token?grant_type=password&client_secret=[redacted sha256:") == true, "\(urls)")
        let resource = try db.scalar("SELECT resource FROM v_api_activity").string ?? ""
        #expect(resource.hasPrefix("/services/data/v62.0/query?q=SELECT+Id+FROM+Case&access_token=[redacted"), "\(resource)")
        let reason = try db.scalar("SELECT outcome_reason FROM v_idp_events").string ?? ""
        #expect(reason.hasPrefix("Bearer [redacted") && reason.hasSuffix("is not valid"), "\(reason)")
    }

    /// What reaches people: timeline in every format and every report page.
    @Test func secretsReachNoOutput() throws {
        let dir = try TestSupport.temporaryDirectory()
        let inputs = ["token_log.jsonl", "2026-11-20_RestApi.csv", "LoginHistory_secrets.csv", "okta_secrets.jsonl"].map(Self.secretsFixture)
        let (_, db) = try TestSupport.scan(inputs, db: dir + "/db.sqlite")
        let period = (since: try TimeArgument.parse("2026-11-19T00:00:00Z"), until: try TimeArgument.parse("2026-11-21T00:00:00Z"))
        let timeline = try Timeline.build(db: db, filter: Timeline.Filter(since: period.since, until: period.until))
        #expect(timeline.events.count >= 6)   // 3 requests, a login, an API call, an Okta event
        for output in [timeline.text, timeline.csv, timeline.ndjson] { #expect(!output.contains(Self.marker)) }
        let written = try HTMLReport.write(db: db, options: HTMLReport.Options(since: period.since, until: period.until,
                                                                               databasePath: dir + "/db.sqlite"), to: dir + "/report")
        for page in written.pages {
            let html = try String(contentsOfFile: page, encoding: .utf8)
            #expect(!html.contains(Self.marker), "\(page)")
        }
    }
}

extension HardeningTests {
    /// A name chosen to collide with the real app's page under a 6-hex-digit hash of the name
    /// (found by brute force): each app still gets its own page, with its own findings.
    @Test func anAppNameCannotTakeAnotherAppsPage() throws {
        let dir = try TestSupport.temporaryDirectory()
        let real = "Acme ERP Sync", hostile = "Acme ERP Sync; ]_!:("
        var csv = "Id,UserId,LoginTime,LoginType,LoginSubType,SourceIp,LoginUrl,Browser,Platform,Status,Application,ApiType,ApiVersion,CountryIso\n"
        for (n, app) in [real, hostile, real].enumerated() {
            let status = n == 2 ? "Failed: JWT Bearer token expired" : "Success"
            csv += "0Ya5g00000000\(n)0AAA,0055g00000ErpInAAJ,2026-11-20T01:0\(n):00.000+0000,Remote Access 2.0,,198.51.100.23,login.salesforce.com,Unknown,Unknown,\(status),\"\(app)\",N/A,N/A,US\n"
        }
        try csv.write(toFile: dir + "/LoginHistory.csv", atomically: true, encoding: .utf8)
        let (_, db) = try TestSupport.scan([dir + "/LoginHistory.csv"], db: dir + "/db.sqlite")
        let (since, until) = (try TimeArgument.parse("2026-11-20T00:00:00Z"), try TimeArgument.parse("2026-11-21T00:00:00Z"))
        _ = try Analyzer.run(db: db, policy: nil, windowStart: since, windowEnd: until)
        let written = try HTMLReport.write(db: db, options: HTMLReport.Options(since: since, until: until, databasePath: dir + "/db.sqlite"),
                                           to: dir + "/report")
        let appPages = written.pages.filter { ($0 as NSString).lastPathComponent.hasPrefix("app-") }
        #expect(appPages.count == 2 && Set(appPages).count == 2, "\(appPages)")
        let titles = try appPages.map { try String(contentsOfFile: $0, encoding: .utf8) }.map { html in
            [real, hostile].first { html.contains("<h1>App: \(HTML.escape($0))</h1>") }
        }
        #expect(Set(titles.compactMap { $0 }) == [real, hostile])
        let realPage = try String(contentsOfFile: try #require(zip(appPages, titles).first { $0.1 == real }?.0), encoding: .utf8)
        #expect(realPage.contains("expired"), "the real app's page keeps its finding")
    }
}

extension HardeningTests {
    /// server_date is optional (it feeds clock-skew): unreadable, it is dropped and counted,
    /// and the request is stored.
    @Test func anUnreadableServerDateCostsOnlyItself() throws {
        let dir = try TestSupport.temporaryDirectory()
        try """
        {"ts":"2026-11-20T06:00:00.000Z","host":"etl-01","grant_type":"urn:ietf:params:oauth:grant-type:jwt-bearer","http_status":200,"server_date":"Fri, 32 Foo 2026 25:61:00 GMT"}
        {"ts":"2026-11-20T06:30:00.000Z","host":"etl-01","grant_type":"urn:ietf:params:oauth:grant-type:jwt-bearer","http_status":200,"server_date":"Fri, 20 Nov 2026 06:30:01 GMT"}

        """.write(toFile: dir + "/log.jsonl", atomically: true, encoding: .utf8)
        let (result, db) = try TestSupport.scan([dir + "/log.jsonl"])
        let file = try #require(result.files.first)
        #expect(file.stats.stored == 2 && file.stats.rejects == 0 && file.stats.repaired == 1, "\(file.stats)")
        #expect(try RealShapesTests.rows(db, "SELECT line, field, kind FROM v_repairs") == ["1 server_date dropped"])
        #expect(try TestSupport.count(db, "SELECT count(*) FROM token_requests WHERE server_date IS NOT NULL") == 1)
    }
}

/// Readers never block and never write: report, timeline, diff and policy suggest run while
/// a scan holds the write lock and on a read-only copy; a second writer waits and says so.
@Suite(.serialized) struct ReaderTests {
    static func samplesDatabase() throws -> String {
        let dir = try TestSupport.temporaryDirectory()
        let run = try TestSupport.runCLI(["scan", "samples", "--policy", "samples/policy.json", "--db", dir + "/db.sqlite", "--quiet"],
                                         cwd: TestSupport.packageRoot.path)
        #expect(run.status == 0, "\(run.stderr)")
        return dir + "/db.sqlite"
    }

    /// Every read command over `db`, each of which must succeed.
    static func readEverything(_ db: String, out: String) throws {
        let period = ["--since", "2026-11-14T00:00:00Z", "--until", "2026-11-21T00:00:00Z"]
        for command in [["report", "--db", db, "--out", out] + period, ["timeline", "--db", db, "--format", "json"] + period,
                        ["diff", "--db", db] + period, ["policy", "suggest", "--db", db]] {
            let run = try TestSupport.runCLI(command)
            #expect(run.status == 0 && !run.stderr.contains("locked"), "\(command[0]): \(run.stderr)")
            #expect(!run.stdout.isEmpty)
        }
        #expect(FileManager.default.fileExists(atPath: out + "/index.html"))
    }

    @Test func readersRunWhileAScanHoldsTheWriteLockAndASecondScanWaits() throws {
        let path = try Self.samplesDatabase()
        let holder = try Database(path: path)
        try holder.execute("BEGIN IMMEDIATE; INSERT INTO meta(key, value) VALUES('test_lock', '1');")
        try Self.readEverything(path, out: try TestSupport.temporaryDirectory() + "/report")

        let (scan, _, err) = try TestSupport.startCLI(["scan", "samples/okta", "--db", path, "--no-analysis", "--quiet"], cwd: TestSupport.packageRoot.path)
        Thread.sleep(forTimeInterval: 6)   // past SQLite's 5 s busy timeout, which used to end a scan with "database is locked"
        #expect(scan.isRunning)
        try holder.execute("COMMIT")
        scan.waitUntilExit()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(scan.terminationStatus == 0, "\(stderr)")
        #expect(stderr.contains("waiting for the database") && stderr.contains("another scan holds it"), "\(stderr)")
    }

    @Test(.enabled(if: TestSupport.canMount, "needs a tmpfs mount to make read-only media"))
    func readersRunOnAReadOnlyCopy() throws {
        let path = try Self.samplesDatabase()
        let media = try #require(try TestSupport.mountTmpfs(kilobytes: 64 << 10))
        defer { TestSupport.unmount(media) }
        try FileManager.default.copyItem(atPath: path, toPath: media + "/db.sqlite")
        #expect(try TestSupport.remountReadOnly(media))
        try Self.readEverything(media + "/db.sqlite", out: try TestSupport.temporaryDirectory() + "/report")
        #expect(try FileManager.default.contentsOfDirectory(atPath: media) == ["db.sqlite"])
    }
}

extension HardeningTests {
    /// A panel may only read TokenTrail's tables and views: ATTACH (which would create a file
    /// and let a later panel read another database), PRAGMA, a write hidden after a SELECT,
    /// and reading sqlite_master are refused, and the report exits 2 naming the file.
    @Test(arguments: [
        ("attach.sql", "ATTACH DATABASE 'PANELDIR/other.sqlite' AS other", "ATTACH"),
        ("pragma.sql", "PRAGMA writable_schema = 1", "PRAGMA"),
        ("pragma_function.sql", "SELECT * FROM pragma_table_info('logins')", "is not allowed"),
        ("two.sql", "SELECT 1; DELETE FROM findings", "one statement"),
        ("schema.sql", "SELECT sql FROM sqlite_master", "sqlite_master"),
        ("insert.sql", "INSERT INTO meta(key, value) VALUES('x', 'y')", "INSERT"),
    ])
    func aPanelThatDoesMoreThanReadStopsTheReport(file: String, sql: String, named: String) throws {
        let db = try ReaderTests.samplesDatabase()
        let panels = try TestSupport.temporaryDirectory()
        try "-- title: Sneaky\n-- page: overview\n-- chart: table\n\(sql.replacingOccurrences(of: "PANELDIR", with: panels));\n"
            .write(toFile: panels + "/" + file, atomically: true, encoding: .utf8)
        let out = try TestSupport.temporaryDirectory()
        for command in [["report", "--db", db, "--out", out + "/r", "--dashboards", panels],
                        ["scan", "samples/okta", "--db", db, "--report", out + "/s", "--dashboards", panels]] {
            let run = try TestSupport.runCLI(command, cwd: TestSupport.packageRoot.path)
            #expect(run.status == 2, "\(command[0]): \(run.stdout)")
            #expect(run.stderr.contains(panels + "/" + file) && run.stderr.contains(named), "\(run.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: panels + "/other.sqlite"))
        #expect(!FileManager.default.fileExists(atPath: out + "/r/index.html"))
        #expect(try TestSupport.count(try Database(path: db), "SELECT count(*) FROM findings") > 0)
    }
}

extension ReaderTests {
    /// The volume of the database fills during a scan: a message naming the database and
    /// what to do, the summary of what was stored, a database readers can use at once, and
    /// after space is freed the same scan completes to what a clean run stores.
    @Test(.enabled(if: TestSupport.canMount, "needs a small tmpfs to fill"))
    func aFullDiskStopsTheScanCleanlyAndTheNextScanCompletesIt() throws {
        let volume = try #require(try TestSupport.mountTmpfs(kilobytes: 600))
        defer { TestSupport.unmount(volume) }
        let db = volume + "/db.sqlite"
        let scan = ["scan", "samples", "--policy", "samples/policy.json", "--timezone", "America/Los_Angeles", "--db", db]
        let full = try TestSupport.runCLI(scan, cwd: TestSupport.packageRoot.path)
        #expect(full.status == 2)
        #expect(full.stderr.contains("\(db): the disk is full") && full.stderr.contains("Free space on the volume of \(db)"), "\(full.stderr)")
        #expect(!full.stderr.contains("SQLite error"), "\(full.stderr)")
        #expect(full.stdout.contains("TokenTrail 0.1.0:"), "the summary of what was stored")
        let stored = try TestSupport.count(try Database.reader(path: db), "SELECT count(*) FROM sources WHERE sha256 <> ''")
        #expect(stored > 0)

        let timeline = try TestSupport.runCLI(["timeline", "--db", db, "--since", "2026-11-01T00:00:00Z", "--limit", "5"])
        #expect(timeline.status == 0, "\(timeline.stderr)")

        let grown = try TestSupport.run(URL(fileURLWithPath: "/bin/mount"), ["-o", "remount,size=32m", volume])
        #expect(grown.status == 0)
        let again = try TestSupport.runCLI(scan + ["--quiet"], cwd: TestSupport.packageRoot.path)
        #expect(again.status == 0, "\(again.stderr)")
        let cleanPath = try TestSupport.temporaryDirectory() + "/clean.sqlite"
        let clean = try TestSupport.runCLI(Array(scan.dropLast()) + [cleanPath, "--quiet"], cwd: TestSupport.packageRoot.path)
        #expect(clean.status == 0)
        let counts = "SELECT (SELECT count(*) FROM logins) || ' ' || (SELECT count(*) FROM token_requests) || ' ' || (SELECT count(*) FROM api_activity) || ' ' || (SELECT count(*) FROM idp_events) || ' ' || (SELECT count(*) FROM findings)"
        #expect(try Database.reader(path: db).scalar(counts).string == (try Database.reader(path: cleanPath).scalar(counts).string))
        let wal = (try? FileManager.default.attributesOfItem(atPath: db + "-wal")[.size] as? Int) ?? 0
        #expect(wal == 0, "the WAL was truncated")
    }
}

extension HardeningTests {
    /// Bidi overrides and zero-width characters would make a name read as another on a
    /// terminal: every terminal output shows them by code point.
    @Test func invisibleCharactersAreShownByCodePointOnTheTerminal() throws {
        let dir = try TestSupport.temporaryDirectory()
        let app = "Acme\u{200B} ERP Sync", user = "erp-integration@acme.example\u{202E}moc.live"
        try """
        Id,UserId,LoginTime,LoginType,LoginSubType,SourceIp,LoginUrl,Browser,Platform,Status,Application,ApiType,ApiVersion,CountryIso,Username
        0Ya5g00000000010AAA,0055g00000ErpInAAJ,2026-11-20T01:00:00.000+0000,Remote Access 2.0,,198.51.100.23,login.salesforce.com,Unknown\u{2066},Unknown,Success,\(app),N/A,N/A,US,\(user)

        """.write(toFile: dir + "/LoginHistory.csv", atomically: true, encoding: .utf8)
        let scan = try TestSupport.runCLI(["scan", dir + "/LoginHistory.csv", "--db", dir + "/db.sqlite"])
        let timeline = try TestSupport.runCLI(["timeline", "--db", dir + "/db.sqlite", "--since", "2026-11-19T00:00:00Z", "--until", "2026-11-21T00:00:00Z"])
        #expect(scan.status == 0 && timeline.status == 0, "\(scan.stderr)\(timeline.stderr)")
        for output in [scan.stdout, timeline.stdout] {
            for invisible in ["\u{200B}", "\u{202E}", "\u{2066}"] { #expect(!output.contains(invisible)) }
        }
        #expect(scan.stdout.contains("Acme⟨U+200B⟩ ERP Sync"), "\(scan.stdout)")
        #expect(timeline.stdout.contains("erp-integration@acme.example⟨U+202E⟩moc.live"), "\(timeline.stdout)")
        // The database keeps what the file said.
        #expect(try Database(path: dir + "/db.sqlite").scalar("SELECT app FROM v_logins").string == app)
    }
}

extension HardeningTests {
    /// A .gz that expands like a decompression bomb is refused by name once it passes 16 MB
    /// at over 100:1, instead of being inflated (and parsed) to the end.
    @Test func aGzipBombIsRefusedEarly() throws {
        let dir = try TestSupport.temporaryDirectory()
        let header = "Id,UserId,LoginTime,LoginType,LoginSubType,SourceIp,LoginUrl,Browser,Platform,Status,Application,ApiType,ApiVersion,CountryIso"
        let row = "0Ya5g0000000001AAA,0055g00000ErpInAAJ,2026-11-20T01:00:00.000+0000,Remote Access 2.0,,198.51.100.23,login.salesforce.com,Unknown,Unknown,Success,Acme ERP Sync,N/A,N/A,US"
        let made = try TestSupport.run(URL(fileURLWithPath: "/bin/sh"),
                                       ["-c", "{ echo '\(header)'; yes '\(row)' | head -c 200000000; } | gzip -9 > '\(dir)/bomb.csv.gz'"])
        #expect(made.status == 0)
        let (result, db) = try TestSupport.scan([dir + "/bomb.csv.gz"])
        guard case .failed(let message) = try #require(result.files.first).status else { Issue.record("the bomb was read"); return }
        #expect(message.contains("bomb.csv.gz") && message.contains("decompression bomb"), "\(message)")
        // Nothing of the refused file is kept (batches in flight when it failed were once committed).
        #expect(try TestSupport.count(db, "SELECT count(*) FROM logins") == 0)
    }
}

extension ReaderTests {
    /// README's `diff --since 7d` on data older than a week: the period ends after it starts
    /// (at now), and every read command says the period holds no records and where they are.
    @Test func aPeriodAfterTheDataSaysSoAndNeverEndsBeforeItStarts() throws {
        let db = try Self.samplesDatabase()
        let diff = try TestSupport.runCLI(["diff", "--db", db, "--since", "2026-11-25T00:00:00Z"])
        #expect(diff.status == 0)
        let header = diff.stdout.split(separator: "\n").first.map(String.init) ?? ""
        let times = header.matches(of: /\d{4}-\d\d-\d\dT[\d:]+Z/).map { String($0.output) }
        #expect(times.count == 4 && times[0] <= times[1], "\(header)")
        #expect(diff.stdout.contains("holds no records: the database's records span 2026-11-"), "\(diff.stdout)")
        let json = try TestSupport.runCLI(["diff", "--db", db, "--since", "2026-11-25T00:00:00Z", "--format", "json"])
        #expect(json.stdout.contains("\"empty_period\""))
        let out = try TestSupport.temporaryDirectory()
        for command in [["timeline", "--db", db, "--since", "2026-11-25T00:00:00Z"],
                        ["report", "--db", db, "--since", "2026-11-25T00:00:00Z", "--out", out]] {
            let run = try TestSupport.runCLI(command)
            #expect(run.status == 0 && run.stderr.contains("holds no records"), "\(command[0]): \(run.stderr)")
        }
        #expect(try String(contentsOfFile: out + "/index.html", encoding: .utf8).contains("holds no records"))
        let inside = try TestSupport.runCLI(["diff", "--db", db, "--since", "2026-11-15T00:00:00Z"])
        #expect(!inside.stdout.contains("holds no records"))
    }
}

extension HardeningTests {
    /// Found by the fuzzer: a huge epoch number trapped the Double → Int64 conversion and
    /// killed the scan. Out-of-range numbers are now no value (or a reject for the time).
    @Test func hugeNumbersInAJSONLineNeverTrap() throws {
        let dir = try TestSupport.temporaryDirectory()
        try """
        {"ts":"2026-11-20T06:00:00.000Z","host":"etl-01","grant_type":"client_credentials","http_status":1e300,"issued_at":1794616885706e9,"duration_ms":-1e308,"claims":{"exp":1e300,"iat":-9.9e18,"nbf":1e19}}
        {"ts":1e300,"host":"etl-01","grant_type":"client_credentials","http_status":200}

        """.write(toFile: dir + "/log.jsonl", atomically: true, encoding: .utf8)
        let (result, db) = try TestSupport.scan([dir + "/log.jsonl"])
        let file = try #require(result.files.first)
        #expect(file.stats.stored == 1 && file.stats.rejects == 1, "\(file.stats)")
        #expect(try RealShapesTests.rows(db, "SELECT coalesce(http_status, 'none'), coalesce(exp, 'none'), coalesce(issued_at, 'none') FROM v_token_requests") == ["none none none"])
    }
}

/// Issue 25: no invisible character reaches a terminal or a chat message as itself.
@Suite struct InvisibleCharacterTests {
    @Test func everyFormatAndDefaultIgnorableCharacterIsShownByItsCodePoint() {
        var checked = 0
        for v in UInt32(0xA0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(v), scalar.properties.generalCategory == .format || scalar.properties.isDefaultIgnorableCodePoint else { continue }
            let shown = TerminalSummary.sanitize("a" + String(Character(scalar)) + "b")
            #expect(!shown.unicodeScalars.contains(scalar), "U+\(String(v, radix: 16, uppercase: true)) passes")
            checked += 1
        }
        #expect(checked > 4000)   // the tag characters alone are 97, the variation selectors 256
        for named: UInt32 in [0xE0041, 0x115F, 0x3164, 0x034F, 0x200B, 0x202E, 0x2066, 0xFE0F] {
            #expect(TerminalSummary.sanitize(String(Character(Unicode.Scalar(named)!))) == String(format: "⟨U+%04X⟩", named))
        }
        // Visible text stays as it is.
        #expect(TerminalSummary.sanitize("Ünïcödé ログイン 203.0.113.7") == "Ünïcödé ログイン 203.0.113.7")
    }
}

/// Issue 25: every error names its file and says what to do; a folder's non-export files never stop a run.
@Suite struct NamedErrorTests {
    @Test func aBinaryFileInAnExportFolderIsSkippedButNamedOnItsOwnFails() throws {
        let dir = try TestSupport.temporaryDirectory(), folder = dir + "/exports"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: TestSupport.samples + "/clients/etl-01_token-requests.jsonl", toPath: folder + "/etl-01.jsonl")
        // An image: bytes that are neither UTF-8 nor full of NULs (what made the run exit 2 before).
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        for i in 0..<4000 { png.append(UInt8(truncatingIfNeeded: i &* 197 &+ 0x81) | 0x80) }
        FileManager.default.createFile(atPath: folder + "/screenshot.png", contents: Data(png))
        FileManager.default.createFile(atPath: folder + "/notes.docx", contents: Data([0x50, 0x4B, 0x03, 0x04] + Array(repeating: UInt8(0x41), count: 100)))
        let run = try TestSupport.runCLI(["scan", folder, "--db", dir + "/db.sqlite"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("notes.docx") && run.stdout.contains("screenshot.p"))
        #expect(try TestSupport.count(try Database(path: dir + "/db.sqlite"), "SELECT count(*) FROM sources") == 1)   // skipped files leave no source row
        let named = try TestSupport.runCLI(["scan", folder + "/screenshot.png", "--db", dir + "/db.sqlite"])
        #expect(named.status == 2 && named.stderr.contains("screenshot.png"))
    }

    @Test func aDatabaseThatCannotBeUsedIsNamedWithWhatToDo() throws {
        let dir = try TestSupport.temporaryDirectory()
        // Not a database at all.
        try String(repeating: "not a database ", count: 400).write(toFile: dir + "/junk.sqlite", atomically: true, encoding: .utf8)
        let junk = try TestSupport.runCLI(["scan", TestSupport.samples + "/clients", "--db", dir + "/junk.sqlite", "--quiet"])
        #expect(junk.status == 2 && junk.stderr.contains(dir + "/junk.sqlite: the database file is damaged or is no SQLite database"), "\(junk.stderr)")
        // A directory that cannot hold it.
        FileManager.default.createFile(atPath: dir + "/file", contents: Data("x".utf8))
        let cannot = try TestSupport.runCLI(["scan", TestSupport.samples + "/clients", "--db", dir + "/file/db.sqlite", "--quiet"])
        #expect(cannot.status == 2 && cannot.stderr.contains(dir + "/file"), "\(cannot.stderr)")
    }
}
