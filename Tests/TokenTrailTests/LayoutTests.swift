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

/// The parts of the library and what each may use (README, Architecture): a part below
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
        "Analyze": ["Util", "Input", "Model", "Store", "Facts", "Policy"],
        "Report": ["Util", "Input", "Model", "Store", "Facts", "Policy", "Ingest", "Analyze"],
        "Scan": ["Util", "Input", "Model", "Store", "Facts", "Policy", "Ingest", "Analyze", "Report"],
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
