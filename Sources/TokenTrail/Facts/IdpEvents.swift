/// Okta System Log events for a period with names resolved, for the session and token rules.
public struct OktaEvent: Sendable {
    public var time: Int64
    public var eventType: String
    public var actor: String?
    public var ip: String?
    public var agent: String?
    public var session: String?      // fingerprint of externalSessionId
    public var dtHash: String?
    public var apiToken: String?
    public var client: String?
    /// Lineage: the sign-in (fingerprint of `rootSessionId`) and the API token (`rootApiTokenId`) the event descends from.
    public var rootSession: String?
    public var rootApiToken: String?
    /// Okta's Identity Threat Protection ended the session with this event.
    public var terminated = false
    public var succeeded: Bool
    public var evidence: String
}

extension OktaEvent {
    /// Identity Threat Protection's events: what Okta concluded about a session or user, not
    /// something the user or an attacker did (FORMATS.md §7).
    static func isThreatProtectionVerdict(_ eventType: String) -> Bool {
        ["user.session.context.changed", "policy.continuous_access.", "policy.auth.reevaluate.", "user.risk.", "security.threat."]
            .contains { eventType == $0 || ($0.hasSuffix(".") && eventType.hasPrefix($0)) }
    }
}

extension Facts {
    public func oktaEvents(from: Int64, to: Int64) throws -> [OktaEvent] {
        let success = try names.id(Outcome.success.rawValue)
        return try db.rows("""
            SELECT e.time, (SELECT value FROM strings WHERE id = e.event_type), (SELECT value FROM strings WHERE id = e.actor_name),
                   (SELECT value FROM strings WHERE id = e.client_ip), (SELECT value FROM strings WHERE id = e.user_agent),
                   e.session_fingerprint, e.dt_hash, e.api_token_id, (SELECT value FROM strings WHERE id = e.client_id), e.outcome,
                   \(Schema.evidence("s", "e.line")), e.root_session_fingerprint, e.root_api_token_id, e.terminated_session
            FROM idp_events e JOIN sources s ON s.id = e.source_id WHERE e.time BETWEEN ? AND ? ORDER BY e.time, e.key
            """, [.integer(from), .integer(to)]).map { r in
            OktaEvent(time: r[0].int ?? 0, eventType: r[1].string ?? "", actor: r[2].string, ip: r[3].string, agent: r[4].string,
                      session: r[5].string, dtHash: r[6].string, apiToken: r[7].string, client: r[8].string,
                      rootSession: r[11].string, rootApiToken: r[12].string, terminated: r[13].int == 1,
                      succeeded: r[9].int == success, evidence: r[10].string ?? "")
        }
    }

    /// The networks (`CIDR.network`) each of `actors` used in [from, to], with the first time
    /// each was seen: what a user's sessions may move to without being a replay.
    public func oktaNetworks(of actors: Set<String>, from: Int64, to: Int64) throws -> [String: [String: Int64]] {
        let ids = try actors.map { try names.id($0) }.filter { $0 != 0 }
        guard !ids.isEmpty else { return [:] }
        var out: [String: [String: Int64]] = [:]
        for row in try db.rows("""
            SELECT (SELECT value FROM strings WHERE id = actor_name), (SELECT value FROM strings WHERE id = client_ip), min(time)
            FROM idp_events WHERE time BETWEEN ? AND ? AND actor_name IN (\(ids.map(String.init).joined(separator: ","))) AND client_ip IS NOT NULL
            GROUP BY actor_name, client_ip
            """, [.integer(from), .integer(to)]) {
            guard let actor = row[0].string, let ip = row[1].string, let first = row[2].int else { continue }
            let network = CIDR.network(of: ip)
            out[actor, default: [:]][network] = min(out[actor]?[network] ?? .max, first)
        }
        return out
    }
}
