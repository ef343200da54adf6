import Foundation

/// A report panel: one SQL file of `dashboards/` with a header comment
///
///     -- title: Logins per day by flow
///     -- page: app                (overview | app | host | quality)
///     -- chart: stacked           (table | bars | stacked | line)
///     -- description: one line saying what it shows
///
/// The query reads the documented views and may use `:since`/`:until` (epoch ms), `:app` and
/// `:host`; a parameter the sqlite3 shell leaves unset is NULL, so the same SQL runs there.
public struct Panel: Sendable {
    public enum Page: String, CaseIterable, Sendable { case overview, app, host, quality }
    public enum Chart: String, CaseIterable, Sendable {
        case table      // every column
        case bars       // label, value
        case stacked    // x, series, value: stacked bars
        case line       // x, series, value: one line per series
    }

    public var name: String
    public var title: String
    public var page: Page
    public var chart: Chart
    public var description: String
    public var sql: String
    /// Where it came from, for messages: the file's path, or `dashboards/NAME` when built in.
    public var source: String

    /// Parses a panel file; errors name the file and line.
    public static func parse(name: String, text: String) throws -> Panel {
        var header: [String: String] = [:]
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            guard line.hasPrefix("--") else { break }
            let body = line.dropFirst(2).trimmingCharacters(in: .whitespaces)
            guard let colon = body.firstIndex(of: ":") else { continue }
            let key = body[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            guard ["title", "page", "chart", "description"].contains(key) else {
                throw InputError(path: name, line: lineNumber, "unknown panel header '\(key)' (expected title, page, chart, description)")
            }
            header[key] = body[body.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        func required(_ key: String) throws -> String {
            guard let value = header[key], !value.isEmpty else { throw InputError(path: name, line: 1, "panel header needs '-- \(key): …'") }
            return value
        }
        guard let page = Page(rawValue: try required("page")) else {
            throw InputError(path: name, line: 1, "page must be one of \(Page.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let chart = Chart(rawValue: try required("chart")) else {
            throw InputError(path: name, line: 1, "chart must be one of \(Chart.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return Panel(name: name, title: try required("title"), page: page, chart: chart, description: header["description"] ?? "", sql: text,
                     source: name)
    }

    /// The built-in panels, with a directory's files added (a file of the same name replaces one).
    public static func load(directory: String?) throws -> [Panel] {
        var files = Dictionary(BuiltinPanels.files.map { ($0.name, (text: $0.text, path: "dashboards/" + $0.name)) }, uniquingKeysWith: { a, _ in a })
        if let directory {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw InputError(path: directory, "no such directory of report panels (--dashboards expects a directory of .sql files)")
            }
            let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".sql") }
            for name in names {
                let path = (directory as NSString).appendingPathComponent(name)
                let (bytes, complete) = try SmallFile.read(path, limit: 1 << 20)
                guard complete else { throw InputError(path: path, "a report panel larger than 1 MiB: is this a .sql panel?") }
                files[name] = (String(decoding: bytes, as: UTF8.self), path)
            }
        }
        return try files.sorted { $0.key < $1.key }.map { name, file in
            var panel = try parse(name: file.path, text: file.text)
            (panel.name, panel.source) = (name, file.path)
            return panel
        }
    }

    /// The panel's rows (at most `limit`), its parameters bound from `values`. A panel may
    /// only read the database's tables and views (ReadAuthorizer); anything else is refused
    /// with an error naming the file.
    public func run(_ db: Database, _ values: [String: SQLValue], limit: Int = 500) throws -> PanelResult {
        let authorizer = try ReadAuthorizer(db: db)
        return try authorizer.run(on: db) {
            let statement = try prepare(db, authorizer)
            statement.bind(named: values)
            var result = PanelResult(columns: statement.columnNames)
            while try statement.step() {
                guard result.rows.count < limit else { result.truncated = true; break }
                result.rows.append((0..<result.columns.count).map { statement.value(at: $0) })
            }
            return result
        }
    }

    /// Compiles the panel without running it: the report checks every panel this way before
    /// it writes a page, so a refused or broken panel stops it (exit 2) naming the file.
    public func check(_ db: Database) throws {
        let authorizer = try ReadAuthorizer(db: db)
        _ = try authorizer.run(on: db) { try prepare(db, authorizer) }
    }

    private func prepare(_ db: Database, _ authorizer: ReadAuthorizer) throws -> Statement {
        let statement: Statement
        do { statement = try db.prepare(sql) } catch let error as SQLiteError {
            if let refused = authorizer.refused {
                throw InputError(path: source, "\(refused) is not allowed: a panel may only read TokenTrail's tables and views")
            }
            throw InputError(path: source, "the panel's SQL does not run: \(error.message)")
        }
        guard statement.isReadOnly, Self.isBlank(statement.trailing) else {
            throw InputError(path: source, "a panel must be one statement that only reads (SELECT)")
        }
        return statement
    }

    /// Only white space, `;` and comments.
    static func isBlank(_ sql: String) -> Bool {
        var rest = Substring(sql)
        while let first = rest.first {
            if first.isWhitespace || first == ";" { rest = rest.dropFirst() }
            else if rest.hasPrefix("--") { rest = rest.drop { $0 != "\n" } }
            else if rest.hasPrefix("/*") { guard let end = rest.range(of: "*/") else { return false }; rest = rest[end.upperBound...] }
            else { return false }
        }
        return true
    }
}

public struct PanelResult: Sendable {
    public var columns: [String]
    public var rows: [[SQLValue]] = []
    public var truncated = false
}
