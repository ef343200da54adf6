/// What pairing client token requests with server logins found (`Correlator`), kept for the
/// rules of the window.
public struct Correlation {
    /// The columns of a `matches` row, in the order the correlator adds them.
    static let matchColumns = ["login_time", "login_key", "request_time", "request_key", "offset_ms"]
    /// Client ids (and the apps they map to) whose requests were matched: "apps we have client
    /// logs for", with the period their client logs cover.
    public var appsWithClientLogs: [String: (first: Int64, last: Int64)] = [:]
    /// The same for the users (lowercased username, or `id:` + 15-character id) those requests
    /// logged in as: integration rules fall back to the user where an export names no app.
    public var usersWithClientLogs: [String: (first: Int64, last: Int64)] = [:]
    /// Successful requests in the window with no login, while a server export covers their time.
    var unmatchedRequests: [UnmatchedRequests: (group: Group, evidence: [EvidenceRef])] = [:]
    /// Per host and hour: the server login time minus the request time of matched pairs (a
    /// second clock estimate, beside the response Date header).
    var pairOffsets: [HostHour: OffsetHistogram] = [:]

    public struct UnmatchedRequests: Hashable, Sendable {
        public let host: Int64, clientId: Int64, subject: Int64, provider: Int64
    }
}

extension AnalysisContext {
    /// Client↔server pairs for the window, computed once per analysis and stored in `matches`.
    public func correlation() throws -> Correlation {
        if let cached = correlationCache { return cached }
        let result = try Timings.measure("  correlation") { try Correlator.run(self) }
        correlationCache = result
        return result
    }
}
