/// What a scan's files held, counted as their records are handed to the store: the scan's
/// terminal summary is read from these, not from the database, so its cost does not grow
/// with the rows stored (issue 30: reading the stored rows back cost as much as the ingest
/// and five times its memory at 1M token requests). Counts are of records read, the
/// duplicates of an earlier scan included; a file rolled back counts nothing (IngestStore
/// keeps each file's counts apart until it commits).
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
    /// User id → username, as server-side login records that carry both told it (the latest
    /// wins), for naming the API export's id-only rows. Only the server's own exports: a
    /// client's log names whom it asked for, which is not who the id is (Facts.UserNames).
    public private(set) var userNames: [Symbol: Symbol] = [:]
    static let namesHeld = 16_384

    public init() {}

    mutating func noteUser(id: Symbol, name: Symbol) {
        guard id != 0, name != 0, userNames.count < Self.namesHeld || userNames[id] != nil else { return }
        userNames[id] = name
    }

    /// Adds a later file's counts. Names go in id order, so which ones fit under the cap does
    /// not depend on a dictionary's order; a table past its limit is read from the database
    /// instead (RunSummary), so which keys it kept does not matter.
    mutating func merge(_ later: ScanTally) {
        logins.merge(later.logins); integrationUsers.merge(later.integrationUsers); tokenRequests.merge(later.tokenRequests)
        idpEvents.merge(later.idpEvents); apiActivity.merge(later.apiActivity)
        for (id, name) in later.userNames.sorted(by: { $0.key < $1.key }) { noteUser(id: id, name: name) }
    }

    /// Records per distinct key, at most `limit` keys (about 5 MB; a month of pods renamed at
    /// every rollout, 3,353 hosts, gives some 20,000 requests' keys). A log whose host names are
    /// unique per line cannot grow the tally with it: past the limit records are counted in
    /// `other`, and the table is `overflowed`: its summary is then grouped from the stored rows
    /// of the scan's files, so a key first met after the limit is not hidden behind it.
    public struct Counts<Key: Hashable & Sendable>: Sendable {
        public private(set) var counts: [Key: Int64] = [:]
        public private(set) var other: Int64 = 0
        public static var limit: Int { 65_536 }

        public var isEmpty: Bool { counts.isEmpty && other == 0 }
        public var overflowed: Bool { other > 0 }
        public var total: Int64 { counts.values.reduce(other, +) }

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
