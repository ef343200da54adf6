/// The optional policy file: declared intent per connected app (DESIGN.md). Unknown keys are
/// errors that name the key, so a typo never silently disables a check.
public struct Policy: Sendable {
    public struct App: Sendable {
        public var name: String
        public var clientIds: [String] = []
        public var flows: [Flow] = []
        public var subjects: [String] = []
        public var audience: String?
        public var sourceCidrs: [String] = []
        public var runAsUser: String?
        /// Declared an integration whatever its flow (a vendor app on refresh tokens).
        public var integration = false
        /// Its app ids (a connected app's `0H4…`, an External Client App's whatever its
        /// prefix), where exports carry them.
        public var appIds: [String] = []
        /// An integration by declaration: `integration: true` or any `sourceCidrs`.
        public var declaredIntegration: Bool { integration || !sourceCidrs.isEmpty }
    }

    public struct RuleSettings: Sendable {
        public var enabled = true
        public var severity: String?
        public var threshold: Int?
        public var windowSeconds: Int?
        public var factor: Int?
    }

    public var version = 1
    public var timezone: String?
    public var clockSkewToleranceSeconds = 30
    public var maxAssertionLifetimeSeconds = 180
    public var matchWindowSeconds = 120
    /// The org's own egress: addresses that are never "another network" for a session.
    public var trustedCidrs: [String] = []
    /// A refresh-token app is an integration when its history has at most this many users
    /// from at most this many /24 networks (DESIGN.md, Integration apps).
    public var integrationMaxUsers = 3
    public var integrationMaxNetworks = 4
    /// A finding's activity with no gap longer than this is one episode (DESIGN.md, History).
    public var episodeGapDays = 7
    public var apps: [App] = []
    public var rules: [String: RuleSettings] = [:]

    public init() {}

    /// True when the policy names this app and declares JWT bearer as its only flow.
    public func declaresJWTOnly(app name: String) -> Bool {
        guard let app = apps.first(where: { $0.name == name }) else { return false }
        return app.flows == [.jwtBearer]
    }

    public static func load(path: String) throws -> Policy {
        let (bytes, complete) = try SmallFile.read(path, limit: 4 << 20)
        guard complete else { throw PolicyError(path: path, "policy file larger than 4 MiB") }
        let value: JSONValue
        do {
            value = try bytes.withUnsafeBytes { try JSONParser.parse($0) }
        } catch let error as JSONError {
            throw PolicyError(path: path, "not valid JSON: \(error)")
        }
        // A key given twice would silently take its last value: a reviewer reading the file
        // sees the harmless one.
        if let (key, line) = DuplicateKeys.first(in: bytes) {
            throw PolicyError(path: path, "line \(line): key '\(key)' is given twice in the same object (remove one)")
        }
        return try decode(value, path: path)
    }

    public static func decode(_ value: JSONValue, path: String) throws -> Policy {
        let d = Decoder(path: path)
        guard let root = value.object else { throw PolicyError(path: path, "expected a JSON object at the top level") }
        try d.allow(root, ["version", "timezone", "clockSkewToleranceSeconds", "maxAssertionLifetimeSeconds",
                           "matchWindowSeconds", "trustedCidrs", "integrationMaxUsers", "integrationMaxNetworks", "episodeGapDays", "apps", "rules"], at: "")
        var policy = Policy()
        policy.version = try d.int(root["version"], "version") ?? 1
        guard policy.version == 1 else { throw PolicyError(path: path, "version \(policy.version) is not supported (expected 1)") }
        policy.timezone = try d.string(root["timezone"], "timezone")
        if let zone = policy.timezone, LocalTimeZone(identifier: zone) == nil {
            throw PolicyError(path: path, "timezone '\(zone)' is not an IANA time zone name (e.g. Asia/Tokyo)")
        }
        // Each number within what can be right (README, Policy file): a match window of days
        // would make pairing quadratic, a threshold of 0 would fire on everything.
        policy.clockSkewToleranceSeconds = try d.int(root["clockSkewToleranceSeconds"], "clockSkewToleranceSeconds", in: Bounds.clockSkewToleranceSeconds) ?? 30
        policy.maxAssertionLifetimeSeconds = try d.int(root["maxAssertionLifetimeSeconds"], "maxAssertionLifetimeSeconds", in: Bounds.maxAssertionLifetimeSeconds) ?? 180
        policy.matchWindowSeconds = try d.int(root["matchWindowSeconds"], "matchWindowSeconds", in: Bounds.matchWindowSeconds) ?? 120
        policy.trustedCidrs = try d.cidrs(root["trustedCidrs"], "trustedCidrs")
        policy.integrationMaxUsers = try d.int(root["integrationMaxUsers"], "integrationMaxUsers", in: Bounds.integrationMaxUsers) ?? 3
        policy.integrationMaxNetworks = try d.int(root["integrationMaxNetworks"], "integrationMaxNetworks", in: Bounds.integrationMaxNetworks) ?? 4
        policy.episodeGapDays = try d.int(root["episodeGapDays"], "episodeGapDays", in: Bounds.episodeGapDays) ?? 7
        for (index, item) in (try d.array(root["apps"], "apps") ?? []).enumerated() {
            let at = "apps[\(index)]"
            guard let o = item.object else { throw PolicyError(path: path, "\(at): expected an object") }
            try d.allow(o, ["name", "clientIds", "flows", "subjects", "audience", "sourceCidrs", "runAsUser", "integration", "appIds"], at: at)
            guard let name = try d.string(o["name"], "\(at).name") else { throw PolicyError(path: path, "\(at): \"name\" is required") }
            if let other = policy.apps.first(where: { $0.name.lowercased() == name.lowercased() }) {
                throw PolicyError(path: path, "\(at).name: '\(name)' names the same app as an earlier entry ('\(other.name)'): merge the two")
            }
            var app = App(name: name)
            app.clientIds = try d.strings(o["clientIds"], "\(at).clientIds")
            app.flows = try d.strings(o["flows"], "\(at).flows").map { text in
                guard let flow = Flow(rawValue: text) else {
                    throw PolicyError(path: path, "\(at).flows: '\(text)' is not a flow (one of \(Flow.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                return flow
            }
            app.subjects = try d.strings(o["subjects"], "\(at).subjects")
            app.audience = try d.string(o["audience"], "\(at).audience")
            app.sourceCidrs = try d.cidrs(o["sourceCidrs"], "\(at).sourceCidrs")
            app.runAsUser = try d.string(o["runAsUser"], "\(at).runAsUser")
            app.integration = try d.bool(o["integration"], "\(at).integration") ?? false
            app.appIds = try d.strings(o["appIds"], "\(at).appIds").map(SalesforceId.canonical)
            policy.apps.append(app)
        }
        if let rules = root["rules"] {
            guard let members = rules.object else { throw PolicyError(path: path, "rules: expected an object keyed by rule id") }
            for (id, settings) in members {
                guard let o = settings.object else { throw PolicyError(path: path, "rules.\(id): expected an object") }
                try d.allow(o, ["enabled", "severity", "threshold", "windowSeconds", "factor"], at: "rules.\(id)")
                var rule = RuleSettings()
                rule.enabled = try d.bool(o["enabled"], "rules.\(id).enabled") ?? true
                rule.factor = try d.int(o["factor"], "rules.\(id).factor", in: Bounds.factor)
                rule.severity = try d.string(o["severity"], "rules.\(id).severity")
                if let severity = rule.severity, Severity(rawValue: severity) == nil {
                    throw PolicyError(path: path, "rules.\(id).severity: '\(severity)' is not a severity (one of \(Severity.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                rule.threshold = try d.int(o["threshold"], "rules.\(id).threshold", in: Bounds.threshold)
                rule.windowSeconds = try d.int(o["windowSeconds"], "rules.\(id).windowSeconds", in: Bounds.windowSeconds)
                policy.rules[id] = rule
            }
        }
        return policy
    }

    /// Refuses settings for rules that do not exist (an operator's typo: the override would
    /// silently do nothing). The rule ids are the analysis's, so its callers pass them.
    public func checkRuleIds(_ known: Set<String>, path: String) throws {
        for id in rules.keys.sorted() where !known.contains(id) {
            let near = known.filter { $0.hasPrefix(String(id.prefix(4))) }.sorted().prefix(3)
            throw PolicyError(path: path, "rules.\(id): no rule has this id\(near.isEmpty ? "" : " (did you mean \(near.joined(separator: ", "))?)"); `tokentrail rules` lists them")
        }
    }

    /// What each number may be. Every step of the analysis does work bounded by the records it
    /// reads times these (a pairing holds at most a match window of requests), so no setting
    /// within them can make a scan super-linear.
    public enum Bounds {
        public static let matchWindowSeconds = 1...3_600
        public static let clockSkewToleranceSeconds = 0...3_600
        public static let maxAssertionLifetimeSeconds = 1...86_400
        public static let integrationMaxUsers = 1...1_000
        public static let integrationMaxNetworks = 1...10_000
        public static let episodeGapDays = 1...365
        public static let threshold = 1...1_000_000_000_000
        public static let windowSeconds = 1...2_678_400
        public static let factor = 1...1_000_000
    }

    private struct Decoder {
        let path: String

        func allow(_ object: [String: JSONValue], _ keys: Set<String>, at: String) throws {
            for key in object.keys.sorted() where !keys.contains(key) {
                let place = at.isEmpty ? "top level" : at
                throw PolicyError(path: path, "unknown key '\(key)' at \(place) (allowed: \(keys.sorted().joined(separator: ", ")))")
            }
        }
        func string(_ value: JSONValue?, _ name: String) throws -> String? {
            guard let value else { return nil }
            guard case .string(let s) = value else { throw PolicyError(path: path, "\(name): expected a string") }
            return s
        }
        func int(_ value: JSONValue?, _ name: String) throws -> Int? {
            guard let value else { return nil }
            guard case .number(let n) = value, n == n.rounded(), n >= 0, n < 1e15 else { throw PolicyError(path: path, "\(name): expected a whole number ≥ 0") }
            return Int(n)
        }
        func int(_ value: JSONValue?, _ name: String, in bounds: ClosedRange<Int>) throws -> Int? {
            guard let n = try int(value, name) else { return nil }
            guard bounds.contains(n) else { throw PolicyError(path: path, "\(name): \(n) is out of range (\(bounds.lowerBound) to \(bounds.upperBound))") }
            return n
        }
        func bool(_ value: JSONValue?, _ name: String) throws -> Bool? {
            guard let value else { return nil }
            guard case .bool(let b) = value else { throw PolicyError(path: path, "\(name): expected true or false") }
            return b
        }
        func cidrs(_ value: JSONValue?, _ name: String) throws -> [String] {
            let list = try strings(value, name)
            for cidr in list where CIDR(cidr) == nil {
                throw PolicyError(path: path, "\(name): '\(cidr)' is not an IPv4/IPv6 CIDR like 198.51.100.0/24")
            }
            return list
        }
        func array(_ value: JSONValue?, _ name: String) throws -> [JSONValue]? {
            guard let value else { return nil }
            guard case .array(let items) = value else { throw PolicyError(path: path, "\(name): expected an array") }
            return items
        }
        func strings(_ value: JSONValue?, _ name: String) throws -> [String] {
            try (array(value, name) ?? []).enumerated().map { index, item in
                guard case .string(let s) = item else { throw PolicyError(path: path, "\(name)[\(index)]: expected a string") }
                return s
            }
        }
    }
}

public struct PolicyError: Error, CustomStringConvertible {
    public let path: String
    public let message: String
    init(path: String, _ message: String) { self.path = path; self.message = message }
    public var description: String { "\(path): \(message)" }
}
