/// Canonical records (DESIGN.md). Categorical values are interned `Symbol`s (0 = absent);
/// values unique per row (keys, ids) stay Strings. `key` is the keyed hash of the row's
/// natural identity; with `time` it is the primary key that makes re-ingesting a no-op.

/// A server-side login: Login History (any shape) or an ELF `Login` event.
public struct LoginRecord: Sendable {
    public var time: Int64 = 0
    public var precisionMs: Int32 = 1000
    public var key: Int64 = 0
    public var source: Int64 = 0
    public var line = 0
    public var origin: Symbol = 0          // login_history | elf
    public var org: Symbol = 0
    public var userId: Symbol = 0
    public var username: Symbol = 0
    public var app: Symbol = 0
    public var loginType: Symbol = 0
    public var subtype: Symbol = 0
    public var flow: Symbol = 0
    public var flowBasis: Symbol = 0
    public var status: Symbol = 0
    public var outcome: Symbol = 0
    public var failureClass: Symbol = 0
    public var sourceIp: Symbol = 0
    public var loginUrl: Symbol = 0
    public var country: Symbol = 0
    public var tls: Symbol = 0
    public var cipher: Symbol = 0
    public var browser: Symbol = 0
    public var platform: Symbol = 0
    public var apiType: Symbol = 0
    public var apiVersion: Symbol = 0
    public var clientVersion: Symbol = 0
    public var authMethod: Symbol = 0
    public var uri: Symbol = 0
    /// The `login_contexts` row for all the low-cardinality values above (set by the store).
    public var context: Int64 = 0
    public var historyId: String?
    public var loginKey: String?
    public var requestId: String?
    public init() {}
}

/// One token request as the integration's own log recorded it.
public struct TokenRequestRecord: Sendable {
    public var time: Int64 = 0
    public var precisionMs: Int32 = 1
    public var key: Int64 = 0
    public var source: Int64 = 0
    public var line = 0
    public var host: Symbol = 0
    public var integration: Symbol = 0
    public var provider: Symbol = 0
    public var tokenUrl: Symbol = 0
    public var grantType: Symbol = 0
    public var flow: Symbol = 0
    public var clientId: Symbol = 0
    public var iss: Symbol = 0
    public var sub: Symbol = 0
    public var aud: Symbol = 0
    public var iat: Int64?
    public var nbf: Int64?
    public var exp: Int64?
    public var jti: String?
    public var httpStatus: Int64?
    public var outcome: Symbol = 0
    public var failureClass: Symbol = 0
    public var error: Symbol = 0
    public var errorDescription: Symbol = 0
    public var errorCode: Symbol = 0
    public var errorSummary: Symbol = 0
    public var errorId: String?
    public var authScheme: Symbol = 0
    public var serverDate: Int64?
    public var issuedAt: Int64?
    public var instanceUrl: Symbol = 0
    public var orgId: Symbol = 0
    public var userId: Symbol = 0
    public var tokenFingerprint: String?
    public var assertionFingerprint: String?
    public var secretFingerprint: String?
    public var durationMs: Int64?
    public var sourceIp: Symbol = 0
    public var extra: String?
    public init() {}
}

/// ELF activity after login: API, RestApi, ApiTotalUsage, Logout, LoginAs.
public struct ApiActivityRecord: Sendable {
    public var time: Int64 = 0
    public var precisionMs: Int32 = 1
    public var key: Int64 = 0
    public var source: Int64 = 0
    public var line = 0
    public var eventType: Symbol = 0
    public var org: Symbol = 0
    public var userId: Symbol = 0
    public var username: Symbol = 0
    public var app: Symbol = 0
    public var appId: Symbol = 0
    public var method: Symbol = 0
    public var resource: Symbol = 0
    public var entity: Symbol = 0
    public var status: Symbol = 0
    public var rows: Int64?
    public var clientIp: Symbol = 0
    public var delegatedUser: Symbol = 0
    public var delegatedUserId: Symbol = 0
    public var sessionType: Symbol = 0
    public var loginKey: String?
    public var sessionKey: String?
    public var requestId: String?
    /// RestApi `USER_AGENT` (a client code such as 5001), API/ApiTotalUsage `CLIENT_NAME`, ApiTotalUsage `API_FAMILY`.
    public var userAgent: Symbol = 0
    public var clientName: Symbol = 0
    public var apiFamily: Symbol = 0
    /// API `QUERY`: only a fingerprint of the SOQL text is kept (it can name personal data); its entity goes to `entity`.
    public var queryFingerprint: String?
    /// Bulk API jobs: one row per job state change (BulkApi2) or batch (BulkApi).
    public var jobId: String?
    public var batchId: String?
    public var jobState: Symbol = 0
    public var operation: Symbol = 0
    public var recordsFailed: Int64?
    public init() {}
}

/// An identity-provider event (Okta System Log).
public struct IdpEventRecord: Sendable {
    public var time: Int64 = 0
    public var precisionMs: Int32 = 1
    public var key: Int64 = 0
    public var source: Int64 = 0
    public var line = 0
    public var provider: Symbol = 0
    public var uuid: String?
    public var eventType: Symbol = 0
    public var severity: Symbol = 0
    public var actorId: Symbol = 0
    public var actorType: Symbol = 0
    public var actorName: Symbol = 0
    public var clientIp: Symbol = 0
    public var userAgent: Symbol = 0
    public var outcome: Symbol = 0
    public var outcomeReason: Symbol = 0
    public var failureClass: Symbol = 0
    public var grantType: Symbol = 0
    public var flow: Symbol = 0
    public var requestUri: Symbol = 0
    public var transactionId: String?
    public var displayMessage: Symbol = 0
    /// Session and token fields (session replay): the Okta session id is kept as a
    /// fingerprint only (it identifies a live session); `dtHash` is already a hash.
    public var sessionFingerprint: String?
    public var dtHash: String?
    public var apiTokenId: String?
    /// Okta lineage: the sign-in every session descends from (as a fingerprint, like the
    /// session), and the API token that caused the event however far down.
    public var rootSessionFingerprint: String?
    public var rootApiTokenId: String?
    /// Okta itself ended the session (Identity Threat Protection's TERMINATE_SESSION).
    public var terminatedSession: Int64?
    /// A digest of what was stored of the event: one id (`uuid`) with another body is a conflict.
    public var bodyHash: Int64 = 0
    public var clientId: Symbol = 0
    /// `securityContext`: the address's network (AS number and organisation, ISP) and whether it is a proxy.
    public var asNumber: Symbol = 0
    public var asOrg: Symbol = 0
    public var isp: Symbol = 0
    public var isProxy: Int64?
    /// `target[]` as JSON text (id, type, displayName of each), scrubbed.
    public var targets: Symbol = 0
    public init() {}
}
