/// What a rule sees: the facts of the database (all history, aggregated for the window), the
/// policy if any, and the window whose records may raise findings, with the knobs the policy
/// sets. Baselines and first-seen use everything before the window.
public final class AnalysisContext {
    public let facts: Facts
    public let policy: Policy?
    /// Built once per analysis by `correlation()`.
    var correlationCache: Correlation?
    var integrationsCache: IntegrationApps?

    /// Indicators of compromise every analysis sweeps its window for (`scan --iocs`: rule ioc-match).
    public let indicators: [Indicator]

    public init(db: Database, policy: Policy?, windowStart: Int64, windowEnd: Int64, indicators: [Indicator] = []) throws {
        self.policy = policy
        self.indicators = indicators
        self.facts = try Facts(db: db, windowStart: windowStart, windowEnd: windowEnd,
                               maxAssertionLifetime: Int64(policy?.maxAssertionLifetimeSeconds ?? Int(Facts.defaultMaxAssertionLifetime)))
    }

    // MARK: the window

    /// Inclusive bounds, epoch milliseconds UTC.
    public var windowStart: Int64 { facts.windowStart }
    public var windowEnd: Int64 { facts.windowEnd }
    public var window: [SQLValue] { facts.window }
    /// Symbol ids ↔ strings: rules name what they report.
    public var names: SymbolNames { facts.names }

    // MARK: policy

    public func app(named name: String?) -> Policy.App? {
        guard let name else { return nil }
        return policy?.apps.first { $0.name == name }
    }

    /// A client host as the rules about a client's configuration group it: its workload
    /// (HostWorkload), so a Deployment's pods, renamed at every rollout, are one client.
    public func hostGroup(_ host: Symbol) throws -> String? {
        try names.name(host).map(HostWorkload.of)
    }

    /// The requests a merged group's (host, client id) pairs made, each pair once: the
    /// attempts a failure count is weighed against, whatever pods the group spans.
    public func attempts(of members: Set<RequestGroup>, in requests: [SymbolPair: Int]) -> Int {
        Set(members.map { SymbolPair(first: $0.host, second: $0.clientId) }).reduce(0) { $0 + (requests[$1] ?? 0) }
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
