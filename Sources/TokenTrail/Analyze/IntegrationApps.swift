/// Which apps are integrations (DESIGN.md, Integration apps), whatever their flow: apps
/// that log in by JWT bearer or client credentials; apps the policy declares (`integration`,
/// or any `sourceCidrs`); and refresh-token apps that behave like integrations in history, a
/// few users from a few networks. A vendor's refresh token is an integration's key; people on
/// a mobile app (many users, many networks) are not.
struct IntegrationApps {
    /// App symbols.
    let apps: Set<Int64>
    /// Why each is one, for messages: "JWT bearer / client credentials", "declared", "behaves like one".
    let basis: [Int64: String]

    init(_ c: AnalysisContext) throws {
        let facts = try c.facts.loginFacts()
        var basis: [Int64: String] = [:]
        for app in facts.tokenFlowApps { basis[app] = "JWT bearer or client credentials" }
        for app in c.policy?.apps ?? [] where app.declaredIntegration {
            let id = try c.names.id(app.name)
            if id != 0 { basis[id] = "declared in the policy" }
        }
        let maxUsers = c.policy?.integrationMaxUsers ?? 3, maxNetworks = c.policy?.integrationMaxNetworks ?? 4
        for (app, users) in facts.historyUsers where basis[app] == nil && users.count <= maxUsers {
            let addresses = facts.historyAddresses[app] ?? []
            guard addresses.count < LoginFacts.addressesCap else { continue }
            let networks = Set(try addresses.compactMap { try c.names.name($0) }.map { CIDR.network(of: $0) })
            if networks.count <= maxNetworks { basis[app] = "few users from few networks in history" }
        }
        self.basis = basis
        apps = Set(basis.keys)
    }
}

extension AnalysisContext {
    /// The integration apps of this analysis, worked out once.
    func integrations() throws -> IntegrationApps {
        if let cached = integrationsCache { return cached }
        let apps = try IntegrationApps(self)
        integrationsCache = apps
        return apps
    }
}
