/// Severity that follows impact, for rules about failures: a handful of one user's failed
/// logins is one level below the rule's severity; the same failure across many users, many
/// records or most of an app's (or client's) attempts is the rule's severity.
enum Impact {
    static func severity(_ base: Severity, records: Int, users: Int, attempts: Int) -> Severity {
        let broad = users >= 3 || records >= 10 || (attempts > 0 && records * 2 >= attempts)
        return broad ? base : base.lower
    }
}

extension Severity {
    /// One level down, not below low.
    var lower: Severity {
        switch self {
        case .critical: .high
        case .high: .medium
        case .medium, .low: .low
        case .info: .info
        }
    }
}
