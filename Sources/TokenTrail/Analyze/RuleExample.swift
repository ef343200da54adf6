/// A rule's example: a handful of events (and optionally a policy) that must make the rule
/// fire, or must not. Examples are loaded into a fresh database through the real store, so
/// they exercise the same path as a scan.
public struct RuleExample: Sendable {
    public let name: String
    public let fires: Bool
    public let events: [ExampleEvent]
    public let policy: String?
    /// Events before this time are history; the analysis window starts here.
    public let windowStart: String?
    /// How many findings it must raise, and how many users the first covers, when the example
    /// pins the rule's grain (one finding per cause, however many users).
    public var findings: Int?
    public var users: Int?
    /// An indicator list (text shape) the analysis sweeps for, as `scan --iocs` gives one.
    public var iocs: String?

    public static func fires(_ name: String, policy: String? = nil, windowStart: String? = nil, iocs: String? = nil, findings: Int? = nil,
                             users: Int? = nil, _ events: [ExampleEvent]) -> RuleExample {
        RuleExample(name: name, fires: true, events: events, policy: policy, windowStart: windowStart, findings: findings, users: users, iocs: iocs)
    }

    public static func quiet(_ name: String, policy: String? = nil, windowStart: String? = nil, iocs: String? = nil, _ events: [ExampleEvent]) -> RuleExample {
        RuleExample(name: name, fires: false, events: events, policy: policy, windowStart: windowStart, iocs: iocs)
    }
}

/// Compact descriptions of canonical records for examples.
public enum ExampleEvent: Sendable {
    /// A server-side login (Login History shape unless `elf`).
    case login(_ time: String, app: String?, user: String, flow: Flow, status: String = "Success",
               ip: String = "198.51.100.23", userId: String? = nil, tls: String = "TLS 1.2", elf: Bool = false,
               loginKey: String? = nil, browser: String = "Unknown")
    /// A client token request (`userId`: the user its response's `id` URL names).
    case token(_ time: String, host: String = "etl-01", clientId: String = "3MVG9example", grant: Flow = .jwtBearer,
               sub: String? = "erp-integration@acme.example", aud: String? = "https://login.salesforce.com",
               iatOffset: Int64? = 0, lifetime: Int64? = 180, status: Int64 = 200, error: String? = nil,
               description: String? = nil, serverDate: String? = nil, provider: String = "salesforce",
               errorCode: String? = nil, authScheme: String? = nil, integration: String = "acme-erp-sync",
               userId: String? = nil)
    /// An Event Monitoring LoginAs event: `admin` logged in as `user`.
    case loginAs(_ time: String, admin: String, user: String)
    /// A server-export row that could not be read (stored as a reject of the server file).
    case reject(_ time: String, text: String)
    /// An Event Monitoring API-activity row: `type` RestApi, API, ApiTotalUsage, BulkApi2 or BulkApi.
    case api(_ time: String, type: String = "RestApi", user: String = "erp@acme.example", loginKey: String? = nil,
             ip: String = "198.51.100.23", app: String? = nil, appId: String? = nil, uri: String = "/services/data/v62.0/query",
             entity: String? = nil, rows: Int64? = nil, agent: String? = nil, client: String? = nil,
             job: String? = nil, state: String? = nil, operation: String? = nil)
    /// An Okta System Log event.
    case okta(_ time: String, event: String = "user.session.start", user: String = "ops@acme.example", ip: String = "198.51.100.40",
              agent: String = "Mozilla/5.0 (Macintosh) Safari/18", session: String? = nil, dtHash: String? = nil,
              token: String? = nil, client: String? = nil, result: String = "SUCCESS",
              rootSession: String? = nil, rootToken: String? = nil, action: String? = nil)
}
