/// What a rule sees: the database (all history), the policy if any, and the window whose
/// records may raise findings. Baselines and first-seen use everything before the window.
public final class AnalysisContext {
    public let db: Database
    public let policy: Policy?
    /// Inclusive bounds, epoch milliseconds UTC.
    public let windowStart: Int64
    public let windowEnd: Int64
    /// Built once per analysis by `usernames()`: several rules need it.
    var directoryCache: [String: String]?
    /// Built once per analysis by `correlation()`.
    var correlationCache: Correlation?

    public init(db: Database, policy: Policy?, windowStart: Int64, windowEnd: Int64) {
        self.db = db
        self.policy = policy
        self.windowStart = windowStart
        self.windowEnd = windowEnd
    }

    public var window: [SQLValue] { [.integer(windowStart), .integer(windowEnd)] }

    public func rows(_ sql: String, _ values: [SQLValue] = []) throws -> [[SQLValue]] {
        try db.rows(sql, values)
    }

    /// `file:line` of up to `Finding.maxEvidence` records: `sql` must select the evidence column.
    public func evidence(_ sql: String, _ values: [SQLValue]) throws -> [String] {
        try db.rows(sql + " LIMIT \(Finding.maxEvidence)", values).compactMap { $0.first?.string }
    }

    // MARK: policy

    public func app(named name: String?) -> Policy.App? {
        guard let name else { return nil }
        return policy?.apps.first { $0.name == name }
    }

    public func app(forClientId clientId: String?) -> Policy.App? {
        guard let clientId else { return nil }
        return policy?.apps.first { $0.clientIds.contains(clientId) }
    }

    public func threshold(_ rule: String, default value: Int) -> Int {
        policy?.rules[rule]?.threshold ?? value
    }

    public func windowSeconds(_ rule: String, default value: Int) -> Int {
        policy?.rules[rule]?.windowSeconds ?? value
    }

    public func isEnabled(_ rule: String) -> Bool { policy?.rules[rule]?.enabled ?? true }

    public func severity(of rule: any Rule) -> Severity {
        policy?.rules[rule.id]?.severity.flatMap(Severity.init(rawValue:)) ?? rule.defaultSeverity
    }
}

extension AnalysisContext {
    /// The SQL for a group key over `columns` (NULL as empty), matching `groupKey` in Swift.
    public static func keySQL(_ columns: [String]) -> String {
        columns.map { "coalesce(\($0), '')" }.joined(separator: " || char(31) || ")
    }

    public static func groupKey(_ parts: [String?]) -> String {
        parts.map { $0 ?? "" }.joined(separator: "\u{1F}")
    }

    public static func groupKey(_ row: [SQLValue], _ columns: Range<Int>) -> String {
        groupKey(columns.map { row[$0].string })
    }

    /// Evidence for many findings in one pass over the matching rows, in time order: each
    /// wanted group keeps its first `Finding.maxEvidence` records. (A query per finding
    /// rescans the window for every finding: quadratic, and minutes on a million rows.)
    public func evidence(groups wanted: Set<String>, key columns: [String], from view: String,
                         where condition: String, _ values: [SQLValue]) throws -> [String: [String]] {
        guard !wanted.isEmpty else { return [:] }
        let statement = try db.prepare("SELECT \(Self.keySQL(columns)), evidence FROM \(view) WHERE \(condition) ORDER BY time_ms")
        try statement.bind(values)
        var out: [String: [String]] = [:]
        var complete = 0
        while try statement.step() {
            guard let key = statement.text(at: 0), wanted.contains(key) else { continue }
            var list = out[key, default: []]
            guard list.count < Finding.maxEvidence else { continue }
            list.append(statement.text(at: 1) ?? "")
            out[key] = list
            if list.count == Finding.maxEvidence {
                complete += 1
                if complete == wanted.count { break }
            }
        }
        return out
    }
}
