/// The `login_contexts` dimension read once, as the few values rules ask of a login:
/// indexed by context id, so classifying a login row is an array read.
public struct LoginContextInfo: Hashable, Sendable {
    public var origin = ""
    public var flow = ""
    public var basis = ""
    public var outcome = ""
    public var failureClass: String?
    public var tls: String?

    /// JWT bearer, client credentials, or a token-endpoint login whose flow the export did not
    /// record (`oauth_unknown`): rules about integrations treat all of them as token logins.
    public var isServerToServer: Bool {
        flow == Flow.jwtBearer.rawValue || flow == Flow.clientCredentials.rawValue || flow == Flow.oauthUnknown.rawValue
    }
    /// The flow is known exactly (not `oauth_unknown`): flow-exact rules judge only these.
    public var flowIsKnown: Bool { flow != Flow.oauthUnknown.rawValue }
    public var isOAuth: Bool { Flow(rawValue: flow).map(\.isOAuth) ?? false }
    public var isSuccess: Bool { outcome == Outcome.success.rawValue }
    public var isFailure: Bool { outcome == Outcome.failure.rawValue }
}

public struct ContextTable {
    private var byId: [LoginContextInfo?]
    /// For each context, the first context with the same info: rules group on these, so
    /// browsers, platforms and TLS ciphers do not multiply the groups.
    private var canonicalIds: [Int64] = []

    init(db: Database, names: SymbolNames) throws {
        byId = []
        let statement = try db.prepare("SELECT id, origin, flow, flow_basis, outcome, failure_class, tls FROM login_contexts")
        while try statement.step() {
            let id = Int(statement.int(at: 0))
            guard id >= 0 else { continue }
            if id >= byId.count { byId += Array(repeating: nil, count: id - byId.count + 1) }
            byId[id] = LoginContextInfo(origin: try names.name(statement.int(at: 1)) ?? "", flow: try names.name(statement.int(at: 2)) ?? "",
                                        basis: try names.name(statement.int(at: 3)) ?? "", outcome: try names.name(statement.int(at: 4)) ?? "",
                                        failureClass: try names.name(statement.int(at: 5)), tls: try names.name(statement.int(at: 6)))
        }
        var first: [LoginContextInfo: Int64] = [:]
        canonicalIds = byId.indices.map { id in
            guard let info = byId[id] else { return Int64(id) }
            if let known = first[info] { return known }
            first[info] = Int64(id)
            return Int64(id)
        }
    }

    /// The context that stands for all contexts with the same info.
    public func canonical(_ id: Int64) -> Int64 {
        id >= 0 && Int(id) < canonicalIds.count ? canonicalIds[Int(id)] : id
    }

    public subscript(id: Int64) -> LoginContextInfo {
        id >= 0 && Int(id) < byId.count ? byId[Int(id)] ?? LoginContextInfo() : LoginContextInfo()
    }

    /// For each context id, a small number that is the same for contexts of the same export
    /// (origin), so a per-login tally compares integers, not strings. An id the table lacks
    /// has the empty origin, as its info does.
    func originIndexes() -> OriginIndexes {
        var index: [String: Int32] = [:]
        func number(_ origin: String) -> Int32 {
            if let known = index[origin] { return known }
            index[origin] = Int32(index.count)
            return index[origin]!
        }
        let byId = self.byId.map { number($0?.origin ?? "") }
        return OriginIndexes(byId: byId, unknown: number(""))
    }

    /// Context ids whose info passes `test`, as a SQL list (integers this table read: safe to inline).
    public func ids(where test: (LoginContextInfo) -> Bool) -> [Int64] {
        byId.indices.filter { byId[$0].map(test) ?? false }.map(Int64.init)
    }
}

struct OriginIndexes {
    let byId: [Int32]
    let unknown: Int32
    subscript(id: Int64) -> Int32 { id >= 0 && Int(id) < byId.count ? byId[Int(id)] : unknown }
}
