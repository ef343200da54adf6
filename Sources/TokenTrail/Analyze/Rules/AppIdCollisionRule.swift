struct AppIdCollisionRule: Rule {
    let id = "app-id-collision"
    let title = "One app name, more than one connected-app id"
    let defaultSeverity = Severity.high
    let cause = Cause.misuse
    let remedy = "Block the connected app id the policy does not declare (Connected Apps OAuth Usage → Block) and find who authorized it."
    let verdict: String? = "A second app id wears the name {who}"
    let rationale = """
        A connected app's name is chosen by whoever creates it; its id (0H4…) is not. One name seen with two ids, or \
        a declared app (apps[].appIds) calling with an id it does not declare, is a rogue app wearing a trusted name: \
        in 2025 users were talked into authorizing a modified Data Loader. Compare the ids in Setup → Connected Apps \
        OAuth Usage, and revoke the one that is not yours.
        """
    let knobs = ["apps[].appIds"]

    func evaluate(_ c: AnalysisContext) throws -> [Finding] {
        struct Use { var id: String, calls: Int64, first: Int64, last: Int64, inWindow: Int64 }
        var byApp: [String: [Use]] = [:]
        for (pair, use) in try c.facts.apiFacts().appIds {
            guard let app = try c.names.name(pair.app), let appId = try c.names.name(pair.appId) else { continue }
            byApp[app, default: []].append(Use(id: appId, calls: use.calls, first: use.first, last: use.last, inWindow: use.inWindow))
        }
        var findings: [Finding] = []
        for (app, uses) in byApp.sorted(by: { $0.key < $1.key }) {
            let declared = Set(c.app(named: app)?.appIds ?? [])
            // The suspects: ids the policy does not declare, else every id but the oldest.
            let ordered = uses.sorted { ($0.first, $0.id) < ($1.first, $1.id) }
            let suspects = declared.isEmpty ? Array(ordered.dropFirst()) : ordered.filter { !declared.contains($0.id) }
            let active = suspects.filter { $0.inWindow > 0 }
            guard !active.isEmpty else { continue }
            let evidence = try active.flatMap { use in
                try c.facts.evidence("""
                    SELECT \(Schema.evidence("s", "a.line")) FROM api_activity a JOIN sources s ON s.id = a.source_id
                    WHERE a.time BETWEEN ? AND ? AND a.app = (SELECT id FROM strings WHERE value = ?) AND a.app_id = (SELECT id FROM strings WHERE value = ?)
                    ORDER BY a.time
                    """, c.window + [.text(app), .text(use.id)])
            }
            let listed = ordered.map { "\($0.id) since \(UTCTime.iso($0.first)) (\($0.calls) call(s))" }.joined(separator: ", ")
            let why = declared.isEmpty ? "one name, \(uses.count) ids: \(listed)"
                                       : "ids the policy does not declare: \(active.map(\.id).joined(separator: ", ")) (declared: \(declared.sorted().joined(separator: ", ")))"
            findings.append(Finding(rule: id, severity: defaultSeverity, firstSeen: active.map(\.first).min() ?? 0, lastSeen: active.map(\.last).max() ?? 0,
                                    app: app, message: "\(app) is called with more than one connected-app id, \(why): a rogue app wearing a trusted name?",
                                    count: Int(active.map(\.inWindow).reduce(0, +)), evidence: evidence, identity: [app]))
        }
        return findings
    }

    var examples: [RuleExample] {
        let trusted = ExampleEvent.api("2026-11-10T02:00:00Z", type: "ApiTotalUsage", app: "Data Loader", appId: "0H45g0000DLdrAppCQE")
        return [
            .fires("a second id under a trusted name", windowStart: "2026-11-20T00:00:00Z", findings: 1,
                   [trusted, .api("2026-11-21T02:00:00Z", type: "ApiTotalUsage", app: "Data Loader", appId: "0H45g0000DLdrAppCQE"),
                    .api("2026-11-21T03:00:00Z", type: "ApiTotalUsage", user: "bob@acme.example", app: "Data Loader", appId: "0H45g0000Rogu1AAA")]),
            .fires("an id the policy does not declare", policy: #"{"apps":[{"name":"My Ticket Portal","appIds":["0H45g0000TktAppCQE"]}]}"#,
                   [.api("2026-11-21T03:00:00Z", type: "ApiTotalUsage", app: "My Ticket Portal", appId: "0H45g0000Rogu2AAA")]),
            .quiet("one name, one id", [trusted, .api("2026-11-21T02:00:00Z", type: "ApiTotalUsage", app: "Data Loader", appId: "0H45g0000DLdrAppCQE")]),
            .quiet("the declared id", policy: #"{"apps":[{"name":"Data Loader","appIds":["0H45g0000DLdrAppCQE"]}]}"#,
                   [.api("2026-11-21T02:00:00Z", type: "ApiTotalUsage", app: "Data Loader", appId: "0H45g0000DLdrAppCQE")]),
        ]
    }
}
