struct UnexpectedSubjectRule: Rule {
    let id = "unexpected-subject"
    let title = "JWT bearer login as an unexpected subject"
    let defaultSeverity = Severity.high
    let cause = Cause.misuse
    let remedy = "Find out who set that subject on the client (its config or code changed); if the app is not meant to act as that user, restrict it to the Run As user's profile or permission set (Admin approved users are pre-authorized) and rotate the signing key if the client host is not yours."
    let verdict: String? = "{who} logged in as an unexpected user, {user}"
    let rationale = """
        JWT bearer lets whoever holds the app's private key log in as any pre-authorized user. An app meant to act \
        as one integration user that logs in as someone else is either misconfigured or someone is using the key to \
        become another user. Check who the subject is, which host sent it, and whether the key has leaked.
        """
    let knobs = ["apps[].subjects", "apps[].clientIds"]

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        let jwt = Flow.jwtBearer.rawValue
        // Who each app (server side) and client id (client side) logged in as before the window.
        struct Seen: Hashable { let app: String, user: String }
        // Only for the apps and client ids (one strings table: one symbol per text) the window
        // judges: naming every JWT login group of all history is the cost otherwise.
        let contexts = try c.facts.contexts, jwtId = try c.names.id(jwt)
        let judged = Set(try c.facts.loginFacts().window.keys.filter { contexts[$0.context].flow == jwt }.map(\.app))
            .union(try c.facts.requestFacts().window.keys.filter { $0.flow == jwtId && $0.sub != 0 }.map(\.clientId))
        var seenBefore = Set(try c.facts.mergeLogins(history: true) { g, x -> Seen? in
            x.flow == jwt && judged.contains(g.app)
                ? Seen(app: try c.names.name(g.app) ?? "", user: try c.facts.displayUser(username: g.username, userId: g.userId) ?? "") : nil
        }.keys)
        for pair in try c.facts.requestFacts().historySubjects where judged.contains(pair.first) {
            seenBefore.insert(Seen(app: try c.names.name(pair.first) ?? "", user: try c.names.name(pair.second) ?? ""))
        }
        let appsWithHistory = Set(seenBefore.map(\.app))
        let history = try !seenBefore.isEmpty || c.facts.hasHistory

        // Server side: JWT bearer logins by app and user.
        struct Who: Hashable { let app: String, user: String, named: Bool }
        let server = try c.facts.mergeLogins { g, x -> Who? in
            guard x.flow == jwt, g.app != 0, let user = try c.facts.displayUser(username: g.username, userId: g.userId) else { return nil }
            return Who(app: try c.names.name(g.app) ?? "", user: user, named: g.username != 0)
        }
        var hits: [(Who, String)] = []
        for who in server.keys {
            if let subjects = c.app(named: who.app)?.subjects, !subjects.isEmpty {
                if subjects.contains(who.user) || (who.user.hasPrefix("005") && !who.named) { continue } // an id we cannot name is not judged
                hits.append((who, "the policy allows only \(subjects.joined(separator: ", "))"))
            } else if history, !seenBefore.contains(Seen(app: who.app, user: who.user)), appsWithHistory.contains(who.app) {
                hits.append((who, "first time this app logs in as this user"))
            }
        }
        let wanted = server.filter { key, _ in hits.contains { $0.0 == key } }
        let serverEvidence = c.facts.loginEvidence(for: wanted)
        var findings = hits.map { who, why in
            let g = wanted[who]!.group
            return Finding(rule: id, severity: defaultSeverity, firstSeen: g.first, lastSeen: g.last, app: who.app, user: who.user,
                           message: "\(who.app) logged in by JWT bearer as \(who.user) (\(g.count)×): \(why)", count: g.count,
                           evidence: serverEvidence[who] ?? [], identity: ["server", who.app, who.user])
        }

        // Client side: the subjects the integration asked for (failed requests too).
        // One finding per client id and subject (the value), the hosts that asked listed.
        struct Asked: Hashable { let client: String, sub: String }
        var hosts: [Asked: [String: Int]] = [:]
        let client = try c.facts.mergeRequests { g, tally -> Asked? in
            guard g.flow == jwtId, g.sub != 0 else { return nil }
            let key = Asked(client: try c.names.name(g.clientId) ?? "", sub: try c.names.name(g.sub) ?? "")
            hosts[key, default: [:]][try c.names.name(g.host) ?? "an unnamed host", default: 0] += tally.group.count
            return key
        }
        var asked: [(Asked, String)] = []
        for key in client.keys {
            if let subjects = c.app(forClientId: key.client)?.subjects, !subjects.isEmpty {
                if subjects.contains(key.sub) { continue }
                asked.append((key, "the policy allows only \(subjects.joined(separator: ", "))"))
            } else if history, !seenBefore.contains(Seen(app: key.client, user: key.sub)), appsWithHistory.contains(key.client) {
                asked.append((key, "first time this client id asks for this subject"))
            }
        }
        let askedGroups = client.filter { key, _ in asked.contains { $0.0 == key } }
        let clientEvidence = c.facts.requestEvidence(for: askedGroups)
        findings += asked.compactMap { key, why in
            guard let g = askedGroups[key]?.group else { return nil }
            let appName = c.app(forClientId: key.client)?.name ?? (key.client.isEmpty ? nil : key.client)
            let from = hosts[key] ?? [:]
            return Finding(rule: id, severity: defaultSeverity, firstSeen: g.first, lastSeen: g.last, app: appName, user: key.sub,
                           host: from.count == 1 ? from.keys.first : nil,
                           message: "\(Finding.counted(from, noun: "hosts", none: "a client")) requested JWT bearer tokens for \(key.sub) with \(appName ?? "an unknown client id") (\(g.count)×): \(why)",
                           count: g.count, evidence: clientEvidence[key] ?? [], identity: ["client", key.client, key.sub])
        }
        return findings
    }

    var examples: [RuleExample] {
        let policy = #"{"apps":[{"name":"Acme ERP Sync","clientIds":["3MVG9example"],"flows":["jwt_bearer"],"subjects":["erp-integration@acme.example"]}]}"#
        return [
            .fires("policy subject list excludes the user", policy: policy,
                   [.login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "ceo@acme.example", flow: .jwtBearer)]),
            .fires("client asks for a subject outside the policy", policy: policy,
                   [.token("2026-11-21T06:00:00Z", sub: "ceo@acme.example")]),
            .fires("two hosts ask for the same wrong subject: one finding", policy: policy, findings: 1,
                   [.token("2026-11-21T06:00:00Z", host: "etl-01", sub: "ceo@acme.example"),
                    .token("2026-11-21T06:10:00Z", host: "etl-02", sub: "ceo@acme.example")]),
            .fires("no policy: a subject never seen before for this app", windowStart: "2026-11-20T00:00:00Z",
                   [.login("2026-11-10T06:00:00Z", app: "Acme ERP Sync", user: "erp-integration@acme.example", flow: .jwtBearer),
                    .login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "ceo@acme.example", flow: .jwtBearer)]),
            .quiet("the declared subject", policy: policy,
                   [.login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "erp-integration@acme.example", flow: .jwtBearer),
                    .token("2026-11-21T05:59:59Z", sub: "erp-integration@acme.example")]),
            .quiet("no policy: the usual subject", windowStart: "2026-11-20T00:00:00Z",
                   [.login("2026-11-10T06:00:00Z", app: "Acme ERP Sync", user: "erp-integration@acme.example", flow: .jwtBearer),
                    .login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "erp-integration@acme.example", flow: .jwtBearer)]),
            .quiet("no policy, no history: nothing to compare with",
                   [.login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "ceo@acme.example", flow: .jwtBearer)]),
            .quiet("not JWT bearer: a person using the web flow", policy: policy,
                   [.login("2026-11-21T06:00:00Z", app: "Acme ERP Sync", user: "ceo@acme.example", flow: .webServer)]),
        ]
    }
}
