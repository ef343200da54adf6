struct DormantAppRule: Rule {
    let id = "dormant-app"
    let title = "App or integration user active again after a long silence"
    let defaultSeverity = Severity.medium
    let cause = Cause.misuse
    let remedy = "Confirm the app or user was meant to come back; otherwise revoke its tokens and deactivate it."
    let verdict: String? = "{who} active again after a long silence"
    let rationale = """
        A connected app or integration user that has been silent for weeks and suddenly logs in again is either a \
        forgotten integration revived or a forgotten credential put to use. Confirm someone intended it; retire \
        credentials that should stay dead.
        """
    let knobs = ["rules.dormant-app.threshold (days, default 30)"]

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        let days = Int64(c.threshold(id, default: 30))
        let silence = days * 86_400_000
        var findings: [Finding] = []
        struct Key: Hashable { let what: String, name: String }
        // An app (OAuth flows) or an integration user (JWT bearer, client credentials).
        func keys(_ g: LoginGroup, _ x: LoginContextInfo) throws -> [Key] {
            var out: [Key] = []
            if x.isOAuth, let app = try c.names.name(g.app) { out.append(Key(what: "app", name: app)) }
            if x.isServerToServer, let user = try c.names.name(g.username) ?? c.names.name(g.userId) { out.append(Key(what: "integration user", name: user)) }
            return out
        }
        var lastBefore: [Key: Int64] = [:]
        var window: [Key: Merged<LoginGroup>] = [:]
        let facts = try c.facts.loginFacts(), contexts = try c.facts.contexts
        // The history of what the window has only (one symbol per name): an app, a username or
        // a user id of a window group; naming every group of all history is the cost otherwise.
        var inWindow: Set<Int64> = []
        for group in facts.window.keys { inWindow.formUnion([group.app, group.username, group.userId]) }
        inWindow.remove(0)
        for (group, tally) in facts.history where inWindow.contains(group.app) || inWindow.contains(group.username) || inWindow.contains(group.userId) {
            for key in try keys(group, contexts[group.context]) { lastBefore[key] = max(lastBefore[key] ?? .min, tally.last) }
        }
        guard !lastBefore.isEmpty else { return [] }
        for (group, tally) in facts.window {
            for key in try keys(group, contexts[group.context]) where lastBefore[key] != nil {
                window[key, default: Merged()].group.merge(tally)
                window[key]!.members.insert(group)
            }
        }
        let woken = window.filter { $0.value.group.first - lastBefore[$0.key]! >= silence }
        // A group can belong to an app and a user finding: evidence per kind.
        for what in ["app", "integration user"] {
            let these = woken.filter { $0.key.what == what }
            let evidence = c.facts.loginEvidence(for: these)
            for (key, m) in these {
                let previous = lastBefore[key]!
                let quiet = (m.group.first - previous) / 86_400_000
                findings.append(Finding(rule: id, severity: defaultSeverity, firstSeen: m.group.first, lastSeen: m.group.last,
                                        app: what == "app" ? key.name : nil, user: what == "app" ? nil : key.name,
                                        message: "\(what) \(key.name) logged in again (\(m.group.count)×) after \(quiet) days of silence (last seen \(UTCTime.iso(previous)))",
                                        count: m.group.count, evidence: evidence[key] ?? [], identity: [what, key.name, String(previous)]))
            }
        }
        return findings
    }

    var examples: [RuleExample] {
        [.fires("an app silent since October", windowStart: "2026-11-20T00:00:00Z", [
            .login("2026-10-01T06:00:00Z", app: "Old Sync", user: "old-sync@acme.example", flow: .jwtBearer),
            .login("2026-11-21T06:00:00Z", app: "Old Sync", user: "old-sync@acme.example", flow: .jwtBearer)]),
         .quiet("an app used last week", windowStart: "2026-11-20T00:00:00Z", [
            .login("2026-11-10T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer),
            .login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer)]),
         .quiet("a person back from holiday is not an integration", windowStart: "2026-11-20T00:00:00Z", [
            .login("2026-10-01T06:00:00Z", app: "Browser", user: "bob@acme.example", flow: .ui),
            .login("2026-11-21T06:00:00Z", app: "Browser", user: "bob@acme.example", flow: .ui)])]
    }
}
