/// One detection. Each rule is one type in its own file under Rules/, carrying its metadata
/// and the examples that must fire and must not fire; `RuleExamplesTests` runs them all and
/// `tokentrail rules` prints the catalog from the same metadata.
public protocol Rule: Sendable {
    var id: String { get }
    var title: String { get }
    var defaultSeverity: Severity { get }
    /// Why this matters and what to check, in plain language.
    var rationale: String { get }
    /// Policy keys the rule reads (`apps[].subjects`, `rules.<id>.threshold`, …).
    var knobs: [String] { get }
    var examples: [RuleExample] { get }
    func evaluate(_ context: AnalysisContext) throws -> [Finding]
}

/// The registry: every rule, in catalog order. A test fails when a rule file exists that is
/// not listed here, or when two rules share an id.
public enum RuleCatalog {
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
    ]

    public static func rule(id: String) -> (any Rule)? { all.first { $0.id == id } }
}
