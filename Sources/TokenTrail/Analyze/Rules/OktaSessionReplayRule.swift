struct OktaSessionReplayRule: Rule {
    let id = "okta-session-replay"
    let title = "Okta session used from a second network without a new sign-in"
    let defaultSeverity = Severity.high
    let cause = Cause.misuse
    let remedy = "Clear the user's Okta sessions, reset their factors, and check the device the session was signed in from."
    let verdict: String? = "{who}'s Okta session replayed from another network"
    let rationale = """
        An Okta session (authenticationContext.externalSessionId) or device token (debugContext.debugData.dtHash) \
        belongs to the browser that signed in. The same session used from another network with no new \
        user.session.start is a stolen session cookie replayed; since 2025 Okta stamps every session of one sign-in with \
        its rootSessionId, so a session derived from a sign-in (an app's SSO session) is judged against where that \
        sign-in happened, not against its own first use: the 2023 support-system HAR files carried exactly such \
        tokens, and a replayed HAR carries the victim's own user agent, so the agent is evidence, not a condition. A \
        session that moves with its browser to a network its user has used before (home, a phone) is not one. End the \
        user's sessions, reset their factors, and see what the session reached.
        """
    let knobs: [String] = []

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        // A session lives hours: its start may be up to a day before the window.
        let events = try c.facts.oktaEvents(from: c.windowStart - 86_400_000, to: c.windowEnd)
        struct Origin { var ip: String, agent: String }
        var origins: [String: [Origin]] = [:]   // session or device token → where it was signed in
        struct Key: Hashable { let actor: String, token: String }
        struct Replay { var first = Int64.max, last = Int64.min, uses = 0, ips: [String: Int] = [:], agents: Set<String> = [], origin = "", evidence: [String] = [] }
        var replays: [Key: Replay] = [:]
        func note(_ key: Key, _ e: OktaEvent, ip: String, agent: String, origin: Origin?) {
            var r = replays[key] ?? Replay()
            r.first = min(r.first, e.time); r.last = max(r.last, e.time); r.uses += 1
            r.ips[ip, default: 0] += 1; r.agents.insert(agent)
            r.origin = origin.map { "\($0.ip) (\($0.agent))" } ?? ""
            if r.evidence.count < Finding.maxEvidence { r.evidence.append(e.evidence) }
            replays[key] = r
        }
        // Uses by the signed-in browser's own agent from another network: a replay unless the
        // user had used that network before (judged after the pass, for these few).
        var sameAgent: [(key: Key, event: OktaEvent, ip: String, agent: String, origin: Origin?)] = []
        var terminations: [String: [OktaEvent]] = [:]
        for e in events where e.terminated { if let actor = e.actor { terminations[actor, default: []].append(e) } }
        for e in events {
            // Okta's own verdicts on a use (Identity Threat Protection) are not another use.
            guard let ip = e.ip, let agent = e.agent, !OktaEvent.isThreatProtectionVerdict(e.eventType) else { continue }
            // A token Okta mints server-side for the sign-in (an OAuth grant) is no use of its browser.
            let rootUse = e.eventType.hasPrefix("app.oauth2.") ? nil : e.rootSession.map { "sign-in " + $0 }
            for token in [e.session.map { "session " + $0 }, e.dtHash.map { "device " + $0 }, rootUse].compactMap({ $0 }) {
                if e.eventType == "user.session.start" && e.succeeded || origins[token] == nil {
                    origins[token, default: []].append(Origin(ip: ip, agent: agent))
                    continue
                }
                let known = origins[token] ?? []
                let network = CIDR.network(of: ip)
                guard e.time >= c.windowStart, !known.contains(where: { CIDR.network(of: $0.ip) == network }) else { continue }
                let key = Key(actor: e.actor ?? "?", token: token)
                // A sign-in's other sessions are judged by the user's own networks too (an app
                // server acting for the user has been seen before; a thief's network has not).
                if token.hasPrefix("sign-in ") || known.contains(where: { $0.agent == agent }) {
                    sameAgent.append((key, e, ip, agent, known.first))
                } else {
                    note(key, e, ip: ip, agent: agent, origin: known.first)
                }
            }
        }
        if !sameAgent.isEmpty {
            let usedBefore = try c.facts.oktaNetworks(of: Set(sameAgent.map(\.key.actor)), from: c.windowStart - 30 * 86_400_000, to: c.windowEnd)
            for use in sameAgent where (usedBefore[use.key.actor]?[CIDR.network(of: use.ip)]).map({ $0 >= use.event.time }) ?? true {
                note(use.key, use.event, ip: use.ip, agent: use.agent, origin: use.origin)
            }
        }
        // One finding per user: a session and its device token replayed together are one theft.
        var byActor: [String: [(Key, Replay)]] = [:]
        for (key, r) in replays { byActor[key.actor, default: []].append((key, r)) }
        let words = ["session": "session", "device": "device token", "sign-in": "sign-in (rootSessionId)"]
        return byActor.map { actor, list in
            // A session and its device token name the same events: count each event once.
            var events = Set(list.flatMap(\.1.evidence))
            let uses = max(events.count, list.map(\.1.uses).max() ?? 0)
            var ips: [String: Int] = [:]
            for (_, r) in list { ips.merge(r.ips, uniquingKeysWith: +) }
            let agents = Set(list.flatMap(\.1.agents)).sorted().joined(separator: "; ")
            let first = list.map(\.1.first).min() ?? 0
            let kinds = Set(list.map { String($0.0.token.split(separator: " ")[0]) }).sorted().map { words[$0] ?? $0 }
            var message = "\(actor)'s Okta \(kinds.joined(separator: " and ")) signed in from "
                + "\(list.first?.1.origin ?? "?") was used \(uses)× from \(Finding.counted(ips, noun: "addresses", none: "?")) with \(agents), "
                + "with no new sign-in: a replayed session"
            // What Okta did about it: Identity Threat Protection may have ended this session (or
            // its sign-in) itself, during the replay or within a day after it.
            let tokens = Set(list.map(\.0.token)), last = list.map(\.1.last).max() ?? first
            if let ended = terminations[actor]?.first(where: { t in
                t.time >= first && t.time <= last + 86_400_000
                    && (t.session.map { tokens.contains("session " + $0) } == true || t.rootSession.map { tokens.contains("sign-in " + $0) } == true)
            }) {
                message += "; Okta itself terminated the user's session at \(UTCTime.iso(ended.time)) (\(ended.eventType))"
                events.insert(ended.evidence)
            } else {
                message += "; no session termination by Okta is in the log"
            }
            return Finding(rule: id, severity: defaultSeverity, firstSeen: first, lastSeen: list.map(\.1.last).max() ?? 0,
                           user: actor, sourceIp: ips.count == 1 ? ips.keys.first : nil,
                           message: message, count: uses, evidence: events.sorted(), identity: [actor])
        }
    }

    var examples: [RuleExample] {
        let start = ExampleEvent.okta("2026-11-23T09:00:00Z", user: "ops@acme.example", ip: "198.51.100.40", session: "102Xq7Rb9sTnWk2L", dtHash: "4a1c9e0f")
        return [
            .fires("the session from a Tor exit with a script's agent", findings: 1,
                   [start, .okta("2026-11-23T09:40:00Z", event: "policy.evaluate_sign_on", user: "ops@acme.example", ip: "185.220.101.33",
                                 agent: "python-requests/2.32.4", session: "102Xq7Rb9sTnWk2L", dtHash: "4a1c9e0f")]),
            .fires("a session and its device token replayed together: one finding", findings: 1,
                   [start, .okta("2026-11-23T09:40:00Z", event: "policy.evaluate_sign_on", user: "ops@acme.example", ip: "185.220.101.33",
                                 agent: "python-requests/2.32.4", session: "102Xq7Rb9sTnWk2L", dtHash: "4a1c9e0f"),
                    .okta("2026-11-23T09:41:00Z", event: "user.authentication.sso", user: "ops@acme.example", ip: "185.220.101.34",
                          agent: "python-requests/2.32.4", session: "102Xq7Rb9sTnWk2L", dtHash: "4a1c9e0f")]),
            .fires("the session replayed with the victim's own user agent (a HAR file) from a network the user never used", findings: 1,
                   [start, .okta("2026-11-23T09:40:00Z", event: "user.authentication.sso", user: "ops@acme.example", ip: "185.220.101.33", session: "102Xq7Rb9sTnWk2L")]),
            .fires("an app session derived from the sign-in (rootSessionId), first used from another network", findings: 1,
                   [.okta("2026-11-23T09:00:00Z", user: "ops@acme.example", ip: "198.51.100.40", session: "102Xq7Rb9sTnWk2L", rootSession: "102RootSignIn01"),
                    .okta("2026-11-23T09:40:00Z", event: "user.authentication.sso", user: "ops@acme.example", ip: "185.220.101.33",
                          agent: "python-requests/2.32.4", session: "102DerivedAppSn1", rootSession: "102RootSignIn01"),
                    .okta("2026-11-23T09:41:00Z", event: "policy.continuous_access.action", user: "ops@acme.example", ip: "185.220.101.33",
                          agent: "python-requests/2.32.4", session: "102DerivedAppSn1", rootSession: "102RootSignIn01", action: "TERMINATE_SESSION")]),
            .quiet("an app session derived from the sign-in, used from the sign-in's own network",
                   [.okta("2026-11-23T09:00:00Z", user: "ops@acme.example", ip: "198.51.100.40", session: "102Xq7Rb9sTnWk2L", rootSession: "102RootSignIn01"),
                    .okta("2026-11-23T09:40:00Z", event: "user.authentication.sso", user: "ops@acme.example", ip: "198.51.100.41",
                          session: "102DerivedAppSn1", rootSession: "102RootSignIn01")]),
            .quiet("the same browser on a network its user has used before (a laptop going home)",
                   [.okta("2026-11-20T19:00:00Z", user: "ops@acme.example", ip: "172.58.9.1", session: "102OtherDaySession"),
                    start, .okta("2026-11-23T19:40:00Z", event: "user.authentication.sso", user: "ops@acme.example", ip: "172.58.9.7", session: "102Xq7Rb9sTnWk2L")]),
            .quiet("the same session from another address of the same network",
                   [start, .okta("2026-11-23T09:40:00Z", event: "user.authentication.sso", user: "ops@acme.example", ip: "198.51.100.41",
                                 agent: "python-requests/2.32.4", session: "102Xq7Rb9sTnWk2L")]),
            .quiet("a new sign-in from the new place",
                   [start, .okta("2026-11-23T10:00:00Z", user: "ops@acme.example", ip: "203.0.113.5", agent: "Firefox/133", session: "102Xq7Rb9sTnWk2L"),
                    .okta("2026-11-23T10:01:00Z", event: "user.authentication.sso", user: "ops@acme.example", ip: "203.0.113.5", agent: "Firefox/133", session: "102Xq7Rb9sTnWk2L")]),
            .quiet("events without a session", [.okta("2026-11-23T09:00:00Z", event: "system.api_token.create", ip: "185.220.101.33", agent: "curl/8")]),
        ]
    }
}
