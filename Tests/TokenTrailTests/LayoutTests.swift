import Foundation
import Testing
@testable import TokenTrail

/// Each insert names its columns once; these tests hold those lists to the schema.
@Suite struct InsertColumnTests {
    func schemaColumns(_ table: String) throws -> [String] {
        let db = try Database(path: try TestSupport.temporaryDirectory() + "/schema.sqlite")
        try Schema.migrate(db)
        return try db.rows("SELECT name FROM pragma_table_info(?)", [.text(table)]).compactMap { $0[0].string }
    }

    @Test func everyInsertBindsExactlyTheSchemasColumns() throws {
        let inserts: [(table: String, columns: [String])] = [
            ("logins", RowBinder.columns(of: IngestStore.bindLogin, LoginRecord())),
            ("token_requests", RowBinder.columns(of: IngestStore.bindTokenRequest, TokenRequestRecord())),
            ("api_activity", RowBinder.columns(of: IngestStore.bindActivity, ApiActivityRecord())),
            // conflict_*: set by the upsert when a later event has the same id and another body.
            ("idp_events", RowBinder.columns(of: IngestStore.bindIdpEvent, IdpEventRecord()) + ["conflict_source", "conflict_line"]),
            ("login_contexts", ["id"] + LoginContexts.columns),   // id: the row id SQLite assigns
            ("login_daily", DailyRollup.loginColumns),
            ("request_daily", DailyRollup.requestColumns),
            ("matches", Correlation.matchColumns),
        ]
        for insert in inserts {
            let schema = try schemaColumns(insert.table)
            #expect(!schema.isEmpty, "\(insert.table): no such table")
            #expect(insert.columns.count == Set(insert.columns).count, "\(insert.table): a column is bound twice")
            #expect(Set(insert.columns) == Set(schema),
                    "\(insert.table): binds \(Set(insert.columns).subtracting(schema).sorted()) not in the schema, misses \(Set(schema).subtracting(insert.columns).sorted())")
        }
    }

    @Test func aBindThatFailsStopsTheStatement() throws {
        let db = try Database(path: try TestSupport.temporaryDirectory() + "/bind.sqlite")
        try db.execute("CREATE TABLE t(a INTEGER, b INTEGER)")
        let insert = try db.prepare("INSERT INTO t(a, b) VALUES(?, ?)")
        insert.bind(Int64(1), at: 1)
        insert.bind(Int64(2), at: 3)   // out of range: SQLite returns SQLITE_RANGE
        #expect { try insert.run() } throws: { "\($0)".contains("binding parameter 3 failed") }
        #expect(try db.scalar("SELECT count(*) FROM t").int == 0)
        // The statement is usable again once bound right.
        insert.bind(Int64(1), at: 1); insert.bind(Int64(2), at: 2)
        try insert.run()
        #expect(try db.scalar("SELECT count(*) FROM t").int == 1)
        // A value list must cover every parameter: a missing one is not silently NULL.
        #expect(throws: SQLiteError.self) { try insert.bind([.integer(1)]) }
        var writer = try RowWriter(db, "INSERT INTO", "t", columns: ["a", "b"])
        #expect(throws: SQLiteError.self) { try writer.add([.integer(1)]) }
    }
}

/// The parts of the library and what each may use (docs/architecture.md): a part below
/// never uses a part above it, so the read side, the rules and the outputs stay separable.
@Suite struct LayeringTests {
    static let allowed: [String: Set<String>] = [
        "Util": [],
        "Input": ["Util"],
        "Model": ["Util", "Input"],
        "Store": ["Util", "Input", "Model"],
        "Facts": ["Util", "Input", "Model", "Store"],
        "Policy": ["Util", "Input", "Model", "Store", "Facts"],
        "Ingest": ["Util", "Input", "Model", "Store", "Policy"],
        "Hunt": ["Util", "Input", "Model", "Store", "Facts"],
        "Analyze": ["Util", "Input", "Model", "Store", "Facts", "Policy", "Hunt"],
        "Report": ["Util", "Input", "Model", "Store", "Facts", "Policy", "Ingest", "Hunt", "Analyze"],
        "Export": ["Util", "Input", "Model", "Store", "Facts", "Policy", "Ingest", "Hunt", "Analyze"],
        "Scan": ["Util", "Input", "Model", "Store", "Facts", "Policy", "Ingest", "Hunt", "Analyze", "Report"],
    ]

    struct SourceFile { let part: String, name: String, text: String }

    static func sources() throws -> [SourceFile] {
        let root = TestSupport.packageRoot.appendingPathComponent("Sources/TokenTrail").path
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        var files: [SourceFile] = []
        while let relative = walker.nextObject() as? String {
            guard relative.hasSuffix(".swift") else { continue }
            let part = String(relative.split(separator: "/")[0])
            files.append(SourceFile(part: part, name: relative, text: try String(contentsOfFile: root + "/" + relative, encoding: .utf8)))
        }
        return files
    }

    /// Code without comments and string literals (a type named in a message is no use of it).
    static func code(_ text: String) -> String {
        text.replacing(/"""[\s\S]*?"""/, with: "\"\"").replacing(/\/\/[^\n]*/, with: "").replacing(/"(?:[^"\\\n]|\\.)*"/, with: "\"\"")
    }

    @Test func noPartUsesAPartAboveIt() throws {
        let files = try Self.sources()
        #expect(files.count > 50)
        // Types declared at the top level of each part.
        var owner: [String: String] = [:]
        for file in files {
            for match in file.text.matches(of: /(?m)^(?:public |final |indirect )*(?:struct|enum|class|protocol|actor|typealias) ([A-Z]\w*)/) {
                owner[String(match.1)] = file.part
            }
        }
        #expect(Set(owner.values) == Set(Self.allowed.keys), "a part of Sources/TokenTrail is missing from the layering table")
        var violations: [String] = []
        for file in files {
            let code = Self.code(file.text)
            let local = Set(code.matches(of: /(?:struct|enum|class|protocol|typealias) ([A-Z]\w*)/).map { String($0.1) })
            for word in Set(code.matches(of: /\b[A-Z]\w*\b/).map { String($0.0) }) where !local.contains(word) {
                guard let part = owner[word], part != file.part else { continue }
                if !(Self.allowed[file.part] ?? []).contains(part) { violations.append("\(file.name) uses \(word) of \(part)") }
            }
        }
        #expect(violations.isEmpty, "\(violations.sorted().joined(separator: "\n"))")
    }
}

/// Issue 26: formats are data. Every format name is spelled once, in `SourceFormat`; the rest
/// asks the list (a name typed elsewhere is how a new format got left out of coverage, twins
/// and the correlator's covered time).
@Suite struct FormatListTests {
    @Test func noOtherFileSpellsAFormatName() throws {
        let origins = Set(SourceFormat.allCases.compactMap(\.loginOrigin))
        var found: [String] = []
        for file in try LayeringTests.sources() where !file.name.hasSuffix("SourceFormat.swift") {
            for format in SourceFormat.allCases where !origins.contains(format.rawValue) {
                if file.text.contains("\"\(format.rawValue)\"") || file.text.contains("'\(format.rawValue)'") { found.append("\(file.name): \(format.rawValue)") }
            }
            if file.text.contains("'elf_") || file.text.contains("\"elf_\"") || file.text.contains("'login_history%") { found.append("\(file.name): a format pattern") }
        }
        #expect(found.isEmpty, "\(found)")
    }

    @Test func everyFormatHasAKindAndEveryEventMonitoringFormatItsEventType() {
        for format in SourceFormat.allCases where format.rawValue.hasPrefix("elf_") || format.rawValue.hasPrefix("elo_") {
            #expect(format.eventType != nil, "\(format)")
            #expect(SourceFormat.eventMonitoring(format.eventType!, objects: format.rawValue.hasPrefix("elo_")) == format)
        }
        #expect(SourceFormat.eventMonitoring("ReportExport", objects: false) == .elfOther)
        // Login sources are what the correlator counts as covered time; an ELF Login and its
        // Event Log Object are one coverage source.
        #expect(Set(SourceFormat.all(.serverLogin)) == [.loginHistoryAPI, .loginHistorySetupEnglish, .loginHistorySetupJapanese, .loginEvent, .elfLogin, .eloLogin])
        #expect(SourceFormat.elfLogin.coverage == SourceFormat.eloLogin.coverage)
    }
}

/// Issue 27: README is a doorway and the docs hold the rest; no link leads nowhere, and the
/// one table of what may use what is the layering test's.
@Suite struct DocumentationTests {
    static let root = TestSupport.packageRoot

    static func markdownFiles() throws -> [String] {
        let docs = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("docs").path)
            .filter { $0.hasSuffix(".md") }.map { "docs/" + $0 }
        return ["README.md", "samples/README.md", "dashboards/README.md"] + docs.sorted()
    }

    @Test func readmeIsADoorwayOfAtMost20KB() throws {
        let readme = try Data(contentsOf: Self.root.appendingPathComponent("README.md"))
        #expect(readme.count <= 20_000, "README.md is \(readme.count) bytes")
        let text = String(decoding: readme, as: UTF8.self)
        // The first screen has the two commands: the main job on the samples (and where the report is) and the tests.
        let firstScreen = text.split(separator: "\n", omittingEmptySubsequences: false).prefix(30).joined(separator: "\n")
        #expect(firstScreen.contains("swift run tokentrail scan samples") && firstScreen.contains("swift test"))
        #expect(text.contains("out/report/index.html"))
    }

    @Test func everyRelativeLinkResolves() throws {
        var broken: [String] = []
        for file in try Self.markdownFiles() {
            let text = try String(contentsOf: Self.root.appendingPathComponent(file), encoding: .utf8)
            let base = (file as NSString).deletingLastPathComponent
            for match in text.matches(of: /\]\(([^)\s]+)\)/) {
                let target = String(match.1)
                if target.hasPrefix("http://") || target.hasPrefix("https://") || target.hasPrefix("mailto:") { continue }
                let parts = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
                let path = String(parts[0])
                let resolved = path.isEmpty ? file : ((base as NSString).appendingPathComponent(path) as NSString).standardizingPath
                guard FileManager.default.fileExists(atPath: Self.root.appendingPathComponent(resolved).path) else { broken.append("\(file): \(target)"); continue }
                // An anchor names a heading of the target (GitHub's slugs).
                if parts.count == 2, resolved.hasSuffix(".md") {
                    let headings = try String(contentsOf: Self.root.appendingPathComponent(resolved), encoding: .utf8)
                        .split(separator: "\n").filter { $0.hasPrefix("#") }.map { Self.slug(String($0.drop { $0 == "#" })) }
                    if !headings.contains(String(parts[1])) { broken.append("\(file): \(target) (no such heading)") }
                }
            }
            // The design notes live outside this repository: nothing here may point at them.
            if text.contains("DESIGN.md") { broken.append("\(file): names DESIGN.md, which the repository does not have") }
        }
        #expect(broken.isEmpty, "\(broken.joined(separator: "\n"))")
    }

    static func slug(_ heading: String) -> String {
        let lowered = heading.trimmingCharacters(in: .whitespaces).lowercased()
        return String(lowered.unicodeScalars.compactMap { c -> Character? in
            if c == " " { return "-" }
            if CharacterSet.alphanumerics.contains(c) || c == "-" || c == "_" { return Character(c) }
            return nil
        })
    }

    @Test func theArchitectureTableIsTheLayeringTestsTable() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("docs/architecture.md"), encoding: .utf8)
        var table: [String: Set<String>] = [:]
        for match in text.matches(of: /(?m)^\| `(\w+)\/` \|[^|]*\| ([^|]*) \|$/) {
            let uses = String(match.2).trimmingCharacters(in: .whitespaces)
            table[String(match.1)] = uses == "nothing" ? [] : Set(uses.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        }
        #expect(table == LayeringTests.allowed)
    }
}
