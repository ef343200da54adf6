struct OktaInvalidSessionRule: Rule {
    let id = "okta-invalid-session"
    let title = "Okta API calls rejected: invalid session or token"
    let defaultSeverity = Severity.medium
    let cause = Cause.breakage
    let remedy = "Send Okta API tokens as `Authorization: SSWS <token>`; replace a revoked or expired token."
    let rationale = """
        Okta answers E0000005 "Invalid session" when a request carries no usable credentials, usually an \
        Authorization header with the wrong scheme (Bearer instead of SSWS) or none at all, and E0000011 "Invalid \
        token provided" when the API token is wrong, revoked or expired. The likely cause is given from the scheme the \
        client sent.
        """
    let knobs: [String] = []

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        let codes = try c.facts.symbols(["E0000005", "E0000011"])
        guard !codes.isEmpty else { return [] }
        struct Key: Hashable { let host: String?, integration: String?, code: String, scheme: String? }
        let groups = try c.facts.mergeRequests { g, _ -> Key? in
            guard codes.contains(g.errorCode) else { return nil }
            return Key(host: try c.hostGroup(g.host), integration: try c.names.name(g.integration), code: try c.names.name(g.errorCode) ?? "",
                       scheme: try c.names.name(g.authScheme))
        }
        let evidence = c.facts.requestEvidence(for: groups)
        return groups.map { key, m in
            let cause: String
            if key.code == "E0000011" {
                cause = "the API token is wrong, revoked or expired"
            } else if let scheme = key.scheme, scheme.uppercased() != "SSWS" {
                cause = "the client sent '\(scheme)' where Okta API tokens need 'Authorization: SSWS <token>'"
            } else if key.scheme == nil {
                cause = "no Authorization scheme was logged: the header is probably missing"
            } else {
                cause = "the SSWS header was sent but not accepted: check for a malformed or empty token"
            }
            return Finding(rule: id, severity: defaultSeverity, firstSeen: m.group.first, lastSeen: m.group.last,
                           app: key.integration, host: key.host,
                           message: "\(m.group.count) Okta call(s) from \(key.host ?? "a client") failed with \(key.code): \(cause)",
                           count: m.group.count, evidence: evidence[key] ?? [],
                           identity: [key.host ?? "", key.integration ?? "", key.code, key.scheme ?? ""])
        }
    }

    var examples: [RuleExample] {
        [.fires("Bearer instead of SSWS", [.token("2026-11-21T06:00:00Z", host: "sync-01", grant: .other, sub: nil, aud: nil, status: 403,
                                                  provider: "okta", errorCode: "E0000005", authScheme: "Bearer", integration: "okta-user-sync")]),
         .fires("revoked token", [.token("2026-11-21T06:00:00Z", host: "sync-01", grant: .other, sub: nil, aud: nil, status: 401,
                                         provider: "okta", errorCode: "E0000011", authScheme: "SSWS", integration: "okta-user-sync")]),
         .fires("the same header mistake, many calls: one finding", findings: 1,
                [.token("2026-11-21T06:00:00Z", host: "sync-01", grant: .other, sub: nil, aud: nil, status: 403,
                        provider: "okta", errorCode: "E0000005", authScheme: "Bearer", integration: "okta-user-sync"),
                 .token("2026-11-21T06:05:00Z", host: "sync-01", grant: .other, sub: nil, aud: nil, status: 403,
                        provider: "okta", errorCode: "E0000005", authScheme: "Bearer", integration: "okta-user-sync")]),
         .quiet("a successful SSWS call", [.token("2026-11-21T06:00:00Z", host: "sync-01", grant: .other, sub: nil, aud: nil,
                                                  provider: "okta", authScheme: "SSWS", integration: "okta-user-sync")])]
    }
}
