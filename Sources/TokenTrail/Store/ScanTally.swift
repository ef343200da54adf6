/// What a file's records held, counted as they are handed to the store: the scan's terminal
/// summary is read from these, not from the database, so its cost does not grow with the
/// rows stored (issue 30: reading the stored rows back cost as much as the ingest and five
/// times its memory at 1M token requests). Counts are of records read from the file, the
/// duplicates of an earlier scan included; a file rolled back counts nothing.
public struct ScanTally: Sendable {
    /// What a login says of itself, not its context id: a diverse org has tens of thousands of
    /// contexts (browsers, TLS, API versions) but a few dozen of these.
    public struct LoginKey: Hashable, Sendable { public let origin: Symbol, app: Symbol, flow: Symbol, basis: Symbol, outcome: Symbol }
    /// A server-to-server login's app, user (name, else id), flow and outcome.
    public struct IntegrationUserKey: Hashable, Sendable { public let app: Symbol, user: Symbol, flow: Symbol, outcome: Symbol }
    public struct RequestKey: Hashable, Sendable { public let provider: Symbol, integration: Symbol, host: Symbol, flow: Symbol, outcome: Symbol }
    public struct EventKey: Hashable, Sendable { public let type: Symbol, outcome: Symbol }

    public var logins = Counts<LoginKey>()
    public var integrationUsers = Counts<IntegrationUserKey>()
    public var tokenRequests = Counts<RequestKey>()
    public var idpEvents = Counts<EventKey>()
    public var apiActivity = Counts<Symbol>()
    /// User id → username, as records that carry both told it (a JWT bearer request's `sub`
    /// and its identity URL's user id too): the summary names API-export rows by these.
    public private(set) var userNames: [Symbol: Symbol] = [:]
    static let namesHeld = 4_096

    public init() {}

    mutating func noteUser(id: Symbol, name: Symbol) {
        guard id != 0, name != 0, userNames[id] == nil, userNames.count < Self.namesHeld else { return }
        userNames[id] = name
    }

    mutating func merge(_ other: ScanTally) {
        logins.merge(other.logins); integrationUsers.merge(other.integrationUsers); tokenRequests.merge(other.tokenRequests)
        idpEvents.merge(other.idpEvents); apiActivity.merge(other.apiActivity)
        for (id, name) in other.userNames { noteUser(id: id, name: name) }
    }

    /// Records per distinct key, at most `limit` keys (about 1 MB): past them records are
    /// counted in `other`, so a log whose host names are unique per line cannot grow the
    /// tally with it (a key first met after the limit is counted there too, and the summary
    /// says how many records that holds).
    public struct Counts<Key: Hashable & Sendable>: Sendable {
        public private(set) var counts: [Key: Int64] = [:]
        public private(set) var other: Int64 = 0
        public static var limit: Int { 16_384 }

        public var isEmpty: Bool { counts.isEmpty && other == 0 }

        mutating func add(_ key: Key, _ n: Int64 = 1) {
            if let index = counts.index(forKey: key) { counts.values[index] += n }
            else if counts.count < Self.limit { counts[key] = n }
            else { other += n }
        }

        mutating func merge(_ more: Counts) {
            for (key, n) in more.counts { add(key, n) }
            other += more.other
        }
    }
}
