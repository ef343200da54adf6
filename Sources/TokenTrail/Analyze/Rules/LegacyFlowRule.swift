struct LegacyFlowRule: Rule {
    let id = "legacy-flow"
    let title = "Legacy authentication: username-password OAuth, SOAP login(), old TLS"
    let defaultSeverity = Severity.low
    let rationale = """
        The OAuth username-password flow and SOAP login() send a password (often with its security token) instead of \
        a key or secret that can be scoped and rotated; TLS below 1.2 is being retired. Move these integrations to \
        JWT bearer or client credentials.
        """
    let knobs: [String] = []

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        let legacyTLS: Set<String> = ["TLS 1.0", "TLS 1.1", "TLSv1", "TLSv1.1", "SSLv3"]
        // One finding per user and reason, whatever shape named the user (id, username) and
        // whichever sources saw it (an ELF row has no app).
        struct Key: Hashable { let user: String, why: String }
        var apps: [Key: Set<String>] = [:]
        let groups = try c.facts.mergeLogins { g, x -> Key? in
            let why: String
            if x.flow == Flow.usernamePassword.rawValue { why = "the username-password OAuth flow" }
            else if x.flow == Flow.soapApi.rawValue { why = "SOAP login()" }
            else if let tls = x.tls, legacyTLS.contains(tls) { why = tls }
            else { return nil }
            let key = Key(user: try c.facts.displayUser(username: g.username, userId: g.userId) ?? "?", why: why)
            if let app = try c.names.name(g.app) { apps[key, default: []].insert(app) }
            return key
        }
        let evidence = try c.facts.loginEvidence(for: groups)
        return groups.map { key, m in
            let names = (apps[key] ?? []).sorted()
            let via = names.isEmpty ? "" : " via " + names.joined(separator: ", ")
            return Finding(rule: id, severity: defaultSeverity, firstSeen: m.group.first, lastSeen: m.group.last,
                           app: names.first, user: key.user, message: "\(key.user) logged in with \(key.why)\(via) (\(m.group.count)×)",
                           count: m.group.count, evidence: evidence[key] ?? [], identity: [key.user, key.why])
        }
    }

    var examples: [RuleExample] {
        [.fires("Data Loader with a password", [.login("2026-11-21T06:00:00Z", app: "Dataloader Partner", user: "admin@acme.example", flow: .usernamePassword)]),
         .fires("SOAP login()", [.login("2026-11-21T06:00:00Z", app: nil, user: "old-etl@acme.example", flow: .soapApi)]),
         .fires("TLS 1.1", [.login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer, tls: "TLS 1.1")]),
         .quiet("JWT bearer over TLS 1.2", [.login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer)])]
    }
}
