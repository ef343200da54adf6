struct LoginAsRule: Rule {
    let id = "login-as"
    let title = "Administrator logged in as another user"
    let defaultSeverity = Severity.info
    let cause = Cause.misuse
    let remedy = "Confirm with the admin that the login-as was a support request."
    let rationale = """
        Login As is a normal support tool, but everything done in that session is attributed to the impersonated \
        user. Listed so a reviewer can match it to a support ticket; the policy can disable the rule.
        """
    let knobs = ["rules.login-as.enabled"]

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        // LoginAs events are rare among millions of API events: the shared pass keeps them.
        struct Who: Hashable { let admin: Int64, username: Int64, userId: Int64 }
        var byWho: [Who: (group: Group, evidence: [String])] = [:]
        for row in try c.facts.apiFacts().loginAs {
            let who = Who(admin: row.admin, username: row.username, userId: row.userId)
            var entry = byWho[who] ?? (Group(), [])
            entry.group.add(row.time)
            if entry.evidence.count < Finding.maxEvidence { entry.evidence.append(try c.facts.evidence(source: row.source, line: row.line)) }
            byWho[who] = entry
        }
        return try byWho.map { who, entry in
            let admin = try c.names.name(who.admin)
            let user = try c.facts.displayUser(username: who.username, userId: who.userId)
            return Finding(rule: id, severity: defaultSeverity, firstSeen: entry.group.first, lastSeen: entry.group.last, user: user,
                           message: "\(admin ?? "an administrator") logged in as \(user ?? "a user") (\(entry.group.count)×)",
                           count: entry.group.count, evidence: entry.evidence, identity: [admin ?? "", user ?? ""])
        }
    }

    var examples: [RuleExample] {
        [.fires("an admin as a user", [.loginAs("2026-11-21T06:00:00Z", admin: "admin@acme.example", user: "bob@acme.example")]),
         .quiet("ordinary logins", [.login("2026-11-21T06:00:00Z", app: "Browser", user: "admin@acme.example", flow: .ui)])]
    }
}
