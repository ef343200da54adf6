import Foundation

/// Success or failure of a login, token request or IdP event, and why it failed.
public enum Outcome: String, Sendable {
    case success, failure, unknown
}

/// Failure causes shared by every source, so a Login History status, an ELF LOGIN_STATUS,
/// a token endpoint `error_description` and an Okta `errorCode` for the same cause agree.
/// Matched case-insensitively on substrings, first match wins (specific before general).
public enum FailureClass: String, CaseIterable, Sendable {
    case expiredAssertion = "expired_assertion"
    case audienceInvalid = "audience_invalid"
    case notApproved = "not_approved"
    case invalidAssertion = "invalid_assertion"
    case unknownClient = "unknown_client"
    case invalidClientSecret = "invalid_client_secret"
    case noRunAsUser = "no_run_as_user"
    case flowDisabled = "flow_disabled"
    case ipRestricted = "ip_restricted"
    case timeRestricted = "time_restricted"
    case invalidCredentials = "invalid_credentials"
    case invalidUser = "invalid_user"
    case userFrozen = "user_frozen"
    case userInactive = "user_inactive"
    case lockedOut = "locked_out"
    case rateLimited = "rate_limited"
    case invalidSession = "invalid_session"
    case invalidToken = "invalid_token"
    case invalidScope = "invalid_scope"
    /// 2025–26 (FORMATS.md §7): a connected app nobody installed (blocked since Sept 2025), an
    /// External Client App not installed; a DPoP proof refused; a session API Access Control
    /// keeps off the API; an Okta refresh token used twice; an Okta access policy that denied.
    case appNotInstalled = "app_not_installed"
    case dpopRejected = "dpop_rejected"
    case apiAccessControl = "api_access_control"
    case tokenReuse = "token_reuse"
    case policyDenied = "policy_denied"
    case other

    static let patterns: [(String, FailureClass)] = [
        // The 2025–26 refusals first: their texts also hold `invalid_client` or `invalid_session`.
        ("app must be installed into org", .appNotInstalled), ("client app is not installed", .appNotInstalled),
        ("oauth_approval_error_generic", .appNotInstalled),
        ("invalid_dpop_proof", .dpopRejected), ("use_dpop_nonce", .dpopRejected),
        ("not valid for use with the api", .apiAccessControl),
        ("detect_reuse", .tokenReuse), ("token reuse", .tokenReuse),
        ("no_matching_policy", .policyDenied),
        ("expired authorization code", .expiredAssertion), ("invalid timestamp", .expiredAssertion),
        ("invalid_timestamp", .expiredAssertion), ("assertion expired", .expiredAssertion),
        ("audience", .audienceInvalid),
        ("hasn't approved", .notApproved), ("has not approved", .notApproved), ("not approved", .notApproved),
        ("invalid_app_access", .notApproved), ("not admin approved", .notApproved),
        ("signature invalid", .invalidAssertion), ("invalid_dsig", .invalidAssertion), ("invalid assertion", .invalidAssertion),
        ("client identifier invalid", .unknownClient), ("invalid_client_id", .unknownClient),
        ("consumer deleted", .unknownClient), ("consumer_deleted", .unknownClient), ("no_consumer", .unknownClient),
        ("missing consumer key", .unknownClient),
        ("invalid client credentials", .invalidClientSecret), ("invalid_client_credentials", .invalidClientSecret),
        ("invalid_client", .invalidClientSecret),
        ("no client credentials user", .noRunAsUser),
        ("flow disabled", .flowDisabled), ("flow not enabled", .flowDisabled), ("api_disabled", .flowDisabled),
        ("api access disabled", .flowDisabled), ("unsupported_grant_type", .flowDisabled),
        ("ip address not allowed", .ipRestricted), ("restricted ip", .ipRestricted), ("restricted_domain", .ipRestricted),
        ("invalid_ip", .ipRestricted), ("ip restricted", .ipRestricted),
        ("restricted time", .timeRestricted), ("restricted_time", .timeRestricted), ("login hours", .timeRestricted),
        ("e0000005", .invalidSession), ("invalid session", .invalidSession),
        ("e0000011", .invalidToken), ("invalid token provided", .invalidToken), ("oauth_invalid_token", .invalidToken),
        ("invalid_credentials", .invalidCredentials), ("verification_error", .invalidCredentials),
        ("locked_out", .lockedOut),
        ("invalid password", .invalidCredentials), ("invalid_password", .invalidCredentials),
        ("invalid user credentials", .invalidCredentials), ("authentication failure", .invalidCredentials),
        ("sso_pwd_invalid", .invalidCredentials), ("e0000004", .invalidCredentials), ("無効なパスワード", .invalidCredentials),
        ("invalid_username", .invalidUser), ("invalid username", .invalidUser),
        ("frozen", .userFrozen), ("凍結", .userFrozen),
        ("inactive", .userInactive), ("無効なユーザ", .userInactive),
        ("lockout", .lockedOut), ("locked out", .lockedOut),
        ("rate exceeded", .rateLimited), ("rate_exceeded", .rateLimited), ("rate_limit", .rateLimited),
        ("exceed_get_at_lmt", .rateLimited), ("e0000047", .rateLimited),
        ("no_matching_scope", .invalidScope), ("invalid_scope", .invalidScope),
    ]

    public static func classify(_ text: String) -> FailureClass {
        let lowered = text.lowercased()
        for (pattern, failure) in patterns where lowered.contains(pattern) { return failure }
        return .other
    }
}

/// Login History / ELF status text → outcome.
public enum LoginStatus {
    static let successValues: Set<String> = ["success", "login_no_error", "成功", "succeeded"]

    public static func outcome(_ status: String) -> (Outcome, FailureClass?) {
        let trimmed = status.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return (.unknown, nil) }
        if successValues.contains(trimmed.lowercased()) { return (.success, nil) }
        return (.failure, FailureClass.classify(trimmed))
    }
}
