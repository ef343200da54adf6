/// One detection. Each rule is one type in its own file under Rules/, carrying its metadata
/// and the examples that must fire and must not fire; `RuleExamplesTests` runs them all and
/// `tokentrail rules` prints the catalog from the same metadata.
public protocol Rule: Sendable {
    var id: String { get }
    var title: String { get }
    var defaultSeverity: Severity { get }
    /// What kind of cause its findings point to (incidents join findings of different kinds
    /// only through a shared record or session).
    var cause: Cause { get }
    /// What to do now, in one or two sentences (an incident's narrative ends with it).
    var remedy: String { get }
    /// An incident's title when this rule leads it, as a verdict ("{who}'s key or secret used
    /// from an unknown host"); `{who}` is the app, else the user or host. Nil: the rule's title.
    var verdict: String? { get }
    /// Why this matters and what to check, in plain language.
    var rationale: String { get }
    /// Policy keys the rule reads (`apps[].subjects`, `rules.<id>.threshold`, …).
    var knobs: [String] { get }
    var examples: [RuleExample] { get }
    func evaluate(_ context: AnalysisContext) throws -> [Finding]
}

extension Rule {
    public var verdict: String? { nil }
}

/// The kind of cause behind a finding. A stolen key and a slow clock on the same integration
/// are two incidents, even within the same hour: they are fixed by different people.
public enum Cause: String, Sendable {
    /// Someone else may hold a key, token or session, or an app acts beyond what it should.
    case misuse
    /// The integration is broken or misconfigured (clock, audience, approvals, failures).
    case breakage
    /// Legacy or risky configuration that is not an event.
    case hygiene
}

/// The registry: every rule, in catalog order. A test fails when a rule file exists that is
/// not listed here, or when two rules share an id.
public enum RuleCatalog {
    /// A policy file, checked also against the rules that exist (`Policy.load` cannot know them).
    public static func loadPolicy(path: String) throws -> Policy {
        let policy = try Policy.load(path: path)
        try policy.checkRuleIds(Set(all.map(\.id)), path: path)
        return policy
    }

    public static let all: [any Rule] = [
        UnexpectedSubjectRule(),
        SubjectIsClientIdRule(),
        RunAsMismatchRule(),
        JWTOnClientCredentialsAppRule(),
        ClockSkewRule(),
        ExpiredAssertionRule(),
        LongLivedAssertionRule(),
        AudienceMismatchRule(),
        ConsumerNotApprovedRule(),
        UnmatchedServerLoginRule(),
        UnmatchedClientSuccessRule(),
        UnknownAppRule(),
        FlowDriftRule(),
        NewSourceIPRule(),
        FailureBurstRule(),
        LegacyFlowRule(),
        OktaInvalidSessionRule(),
        LoginAsRule(),
        DormantAppRule(),
        CoverageGapRule(),
        BulkFirstUseRule(),
        QueryJobDeletedRule(),
        AppIdCollisionRule(),
        SessionIPDivergenceRule(),
        OktaSessionReplayRule(),
        OktaTokenNewIPRule(),
        IntegrationIPBlockedRule(),
        SessionExportVolumeRule(),
        ClientFingerprintDriftRule(),
        IOCMatchRule(),
    ]

    public static func rule(id: String) -> (any Rule)? { all.first { $0.id == id } }
}
