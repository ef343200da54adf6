import Foundation

/// One indicator of compromise from an advisory, normalized for matching: addresses in one
/// spelling (`IPText`), networks as CIDRs, names lowercased (Salesforce usernames, user
/// agents, app names and domains compare case-insensitively), app ids in their 18-character
/// form. `origin` is where it was read (`file:line`, or `file#n` in a JSON document).
public struct Indicator: Hashable, Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case address, network
        case userAgent = "user_agent"
        /// A user agent pattern (STIX `LIKE`): `%` any run of characters, `_` one.
        case userAgentPattern = "user_agent_pattern"
        case user, app
        case appId = "app_id"
        case consumerKey = "consumer_key"
        case domain
        /// Read only: a URL is swept for as its domain when it names no more than a host (the
        /// database keeps URLs' hosts, not their paths); one with a path is refused, so a link
        /// into the org's own instance or a paste site does not make every record a hit.
        case url
    }

    public var kind: Kind
    /// The normalized value matched against the database.
    public var value: String
    /// The value as the file wrote it (defanged forms included), for people.
    public var original: String
    public var origin: String
    public var comment: String?

    public init(kind: Kind, value: String, original: String, origin: String, comment: String? = nil) {
        (self.kind, self.value, self.original, self.origin, self.comment) = (kind, value, original, origin, comment)
    }

    /// Identity for de-duplication: one indicator listed by several files is swept once.
    public var key: String { kind.rawValue + "\u{1}" + value }

    /// Undoes the defanging advisories write so a value cannot be clicked: `3.239.45[.]43`,
    /// `(.)`, `[dot]`, `[:]`, `[@]`, `hxxp://`.
    public static func refang(_ text: String) -> String {
        var s = text.trimmingCharacters(in: .whitespaces)
        for (from, to) in [("[.]", "."), ("(.)", "."), ("{.}", "."), ("[dot]", "."), ("(dot)", "."), ("[:]", ":"), ("[://]", "://"),
                           ("[@]", "@"), ("(@)", "@"), ("[at]", "@")] {
            s = s.replacingOccurrences(of: from, with: to, options: .caseInsensitive)
        }
        if s.lowercased().hasPrefix("hxxp") { s = "http" + s.dropFirst(4) }
        if s.lowercased().hasPrefix("fxp") { s = "ftp" + s.dropFirst(3) }
        return s
    }

    /// The indicator a value of a known kind makes, or a reason it is not usable.
    public static func make(_ kind: Kind, _ raw: String, origin: String, comment: String? = nil) -> Result<Indicator, IOCProblem> {
        let text = refang(raw)
        guard !text.isEmpty else { return .failure(IOCProblem(origin: origin, message: "empty value")) }
        let fail = { (why: String) in Result<Indicator, IOCProblem>.failure(IOCProblem(origin: origin, message: "\(why): '\(raw.prefix(120))'")) }
        // 'unknown', 'N/A': the words exports write where they have no value would match every such record.
        if Placeholder.isBlank(text) { return fail("a placeholder, not an indicator (it would match every record without a value)") }
        switch kind {
        case .address, .network:
            if text.contains("/") {
                let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
                guard parts.count == 2, CIDR(text) != nil else { return fail("not an address or network") }
                return .success(Indicator(kind: .network, value: IPText.canonical(parts[0]) + "/" + parts[1], original: raw, origin: origin, comment: comment))
            }
            guard IPText.isAddress(text) else { return fail("not an address") }
            return .success(Indicator(kind: .address, value: IPText.canonical(text), original: raw, origin: origin, comment: comment))
        case .appId:
            guard text.count == 15 || text.count == 18, text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                return fail("not a 15- or 18-character id")
            }
            let id = SalesforceId.canonical(text)
            return .success(Indicator(kind: .appId, value: id, original: raw, origin: origin, comment: comment))
        case .url:
            var rest = text.lowercased()
            if let scheme = rest.range(of: "://") { rest = String(rest[scheme.upperBound...]) }
            let path = rest.drop { $0 != "/" && $0 != "?" && $0 != "#" }
            guard path.isEmpty || path == "/" else {
                return fail("a URL with a path: the database keeps the hosts of URLs, not their paths (give the domain to sweep for it)")
            }
            return make(.domain, text, origin: origin, comment: comment).map { var i = $0; i.original = raw; return i }
        case .domain:
            let host = domain(of: text)
            guard let host, host.contains("."), !host.contains(" ") else { return fail("not a domain") }
            return .success(Indicator(kind: .domain, value: host, original: raw, origin: origin, comment: comment))
        case .userAgent, .userAgentPattern, .user, .app, .consumerKey:
            let value = kind == .consumerKey ? text : text.lowercased()
            return .success(Indicator(kind: kind, value: value, original: raw, origin: origin, comment: comment))
        }
    }

    /// The host of a URL (`https://evil.example/x` → `evil.example`) or the domain as written.
    static func domain(of text: String) -> String? {
        var s = text.lowercased()
        if let scheme = s.range(of: "://") { s = String(s[scheme.upperBound...]) }
        if let at = s.firstIndex(of: "@") { s = String(s[s.index(after: at)...]) }
        s = String(s.prefix { $0 != "/" && $0 != "?" && $0 != "#" })
        if let colon = s.lastIndex(of: ":"), s.filter({ $0 == ":" }).count == 1 { s = String(s[..<colon]) }
        while s.hasSuffix(".") { s.removeLast() }
        return s.isEmpty ? nil : s
    }

    /// The kind of a bare value in a plain-text list (no type given): an address or network,
    /// an e-mail address (a username), a URL or domain, a consumer key, an app id, or a user
    /// agent (a product token `name/version`). Nil when it is none of them.
    public static func infer(_ raw: String) -> Kind? {
        let text = refang(raw)
        if text.isEmpty || text.count > 1024 { return nil }
        if IPText.isAddress(text) || (text.contains("/") && CIDR(text) != nil) { return .address }
        if text.contains("://") { return .url }
        if text.contains("@"), !text.contains(" "), text.contains(".") { return .user }
        if text.hasPrefix("3MVG9"), !text.contains(" ") { return .consumerKey }
        if (text.count == 15 || text.count == 18), text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }),
           text.contains(where: \.isNumber) { return .appId }
        if text.range(of: #"^[A-Za-z0-9][A-Za-z0-9._-]*/[0-9][^\s]*( .*)?$"#, options: .regularExpression) != nil { return .userAgent }
        if text.range(of: #"^([a-zA-Z0-9-]+\.)+[a-zA-Z]{2,}$"#, options: .regularExpression) != nil { return .domain }
        return nil
    }
}

/// A line or entry of an IOC file that could not be used: where, and why.
public struct IOCProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public var origin: String
    public var message: String
    public var description: String { "\(origin): \(message)" }
}
