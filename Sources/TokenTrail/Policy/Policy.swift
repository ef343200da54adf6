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
        /// Its connected-app ids (`0H4…`), where exports carry them.
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
        policy.clockSkewToleranceSeconds = try d.int(root["clockSkewToleranceSeconds"], "clockSkewToleranceSeconds") ?? 30
        policy.maxAssertionLifetimeSeconds = try d.int(root["maxAssertionLifetimeSeconds"], "maxAssertionLifetimeSeconds") ?? 180
        policy.matchWindowSeconds = try d.int(root["matchWindowSeconds"], "matchWindowSeconds") ?? 120
        policy.trustedCidrs = try d.cidrs(root["trustedCidrs"], "trustedCidrs")
        policy.integrationMaxUsers = try d.int(root["integrationMaxUsers"], "integrationMaxUsers") ?? 3
        policy.integrationMaxNetworks = try d.int(root["integrationMaxNetworks"], "integrationMaxNetworks") ?? 4
        policy.episodeGapDays = try d.int(root["episodeGapDays"], "episodeGapDays") ?? 7
        guard (1...365).contains(policy.episodeGapDays) else {
            throw PolicyError(path: path, "episodeGapDays: \(policy.episodeGapDays) is out of range (1 to 365 days)")
        }
        for (index, item) in (try d.array(root["apps"], "apps") ?? []).enumerated() {
            let at = "apps[\(index)]"
            guard let o = item.object else { throw PolicyError(path: path, "\(at): expected an object") }
            try d.allow(o, ["name", "clientIds", "flows", "subjects", "audience", "sourceCidrs", "runAsUser", "integration", "appIds"], at: at)
            guard let name = try d.string(o["name"], "\(at).name") else { throw PolicyError(path: path, "\(at): \"name\" is required") }
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
                rule.factor = try d.int(o["factor"], "rules.\(id).factor")
                rule.severity = try d.string(o["severity"], "rules.\(id).severity")
                rule.threshold = try d.int(o["threshold"], "rules.\(id).threshold")
                rule.windowSeconds = try d.int(o["windowSeconds"], "rules.\(id).windowSeconds")
                policy.rules[id] = rule
            }
        }
        return policy
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
