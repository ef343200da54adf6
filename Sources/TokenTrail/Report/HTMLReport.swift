import Foundation

/// The first report page: coverage per file, logins by app × flow × outcome, client token
/// requests, rejects. Self-contained (inline CSS, no scripts, strict CSP).
public enum HTMLReport {
    public static func write(_ s: RunSummary, databasePath: String, to directory: String) throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = (directory as NSString).appendingPathComponent("index.html")
        let html = render(s, databasePath: databasePath)
        guard FileManager.default.createFile(atPath: path, contents: Data(html.utf8)) else {
            throw InputError(path: path, "cannot write the report")
        }
        return path
    }

    static let style = """
    body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1200px;padding:0 1rem;color:#1d2430}
    h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.1rem;margin-top:2rem;border-bottom:1px solid #dde2ea;padding-bottom:.3rem}
    .muted{color:#5b6678}.cards{display:flex;gap:1rem;flex-wrap:wrap;margin:1rem 0}
    .card{border:1px solid #dde2ea;border-radius:8px;padding:.6rem 1rem;min-width:9rem}.card b{display:block;font-size:1.4rem}
    table{border-collapse:collapse;width:100%;margin:.5rem 0;font-size:13px}th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #eef1f5;vertical-align:top;overflow-wrap:anywhere}
    th{background:#f5f7fa;white-space:nowrap;overflow-wrap:normal}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap;overflow-wrap:normal}
    .bad{color:#a3261b;font-weight:600}td.code{font-family:ui-monospace,monospace;white-space:nowrap;font-size:12px}.basis-inferred{color:#8a5a00}
    .finding{border:1px solid #dde2ea;border-left:6px solid #8a94a6;border-radius:6px;padding:.5rem .8rem;margin:.6rem 0}.finding .msg{margin:.3rem 0;font-weight:600}.sev{text-transform:uppercase;font-size:12px;font-weight:700}.sev-critical{border-left-color:#7a0010}.sev-high{border-left-color:#c62828}.sev-medium{border-left-color:#ef8a00}.sev-low{border-left-color:#2e7d32}.sev-info{border-left-color:#607d8b}.evidence{font-family:ui-monospace,monospace;font-size:12px}
    @media print{details{display:block}body{margin:0;max-width:none}h2{break-after:avoid}}
    """

    static func findingsSection(_ s: RunSummary) -> String {
        let e = HTML.escape
        guard !s.findings.isEmpty else { return "<h2>Findings</h2><p class=\"muted\">No finding in this window.</p>" }
        var counts: [String] = []
        for severity in Severity.allCases.reversed() {
            let n = s.findings.filter { $0.severity == severity }.count
            if n > 0 { counts.append("\(n) \(severity.rawValue)") }
        }
        var out = "<h2>Findings</h2><p>\(e(counts.joined(separator: " · ")))</p>"
        // The page stays small whatever the data: at most `limit` cards per rule.
        let limit = 50
        var shown: [String: Int] = [:]
        for f in s.findings {
            shown[f.rule, default: 0] += 1
            guard shown[f.rule]! <= limit else { continue }
            let rule = RuleCatalog.rule(id: f.rule)
            out += "<div class=\"finding sev-\(f.severity.rawValue)\"><div><span class=\"sev\">\(e(f.severity.rawValue))</span> "
            out += "<code>\(e(f.rule))</code>\(s.newFindings.contains(f.fingerprint) ? " <b>new</b>" : "")</div>"
            out += "<p class=\"msg\">\(e(f.message))</p>"
            out += "<p class=\"muted\">\(e(RunSummary.isoTime(f.firstSeen))) … \(e(RunSummary.isoTime(f.lastSeen))) · \(f.count) record(s)</p>"
            if let rule { out += "<details><summary>Why this matters, what to check</summary><p>\(e(rule.rationale))</p></details>" }
            out += "<details><summary>Evidence (\(f.evidence.count) shown)</summary><p class=\"evidence\">"
            out += f.evidence.map(e).joined(separator: "<br>") + "</p></details></div>"
        }
        for (rule, count) in shown.sorted(by: { $0.key < $1.key }) where count > limit {
            out += "<p class=\"muted\">… and \(count - limit) more <code>\(e(rule))</code> findings: see the <code>findings</code> table or <code>--findings</code>.</p>"
        }
        return out
    }

    public static func render(_ s: RunSummary, databasePath: String) -> String {
        let e = HTML.escape
        let stored = s.files.reduce(0) { $0 + $1.stats.stored }
        let rejects = s.files.reduce(0) { $0 + $1.stats.rejects }
        let failed = s.files.filter { if case .failed = $0.status { return true }; return false }.count
        let skipped = s.files.filter { if case .skipped = $0.status { return true }; return false }.count
        var body = """
        <h1>TokenTrail report</h1>
        <p class="muted">Database <code>\(e(databasePath))</code> · time span covered \(e(RunSummary.isoTime(s.firstTime))) … \(e(RunSummary.isoTime(s.lastTime))) (UTC)</p>
        <div class="cards">
        <div class="card"><b>\(s.files.count - skipped)</b>files read\(skipped > 0 ? " (\(skipped) skipped)" : "")</div>
        <div class="card"><b>\(stored)</b>rows stored</div>
        <div class="card"><b class="\(rejects > 0 ? "bad" : "")">\(rejects)</b>rows rejected</div>
        <div class="card"><b class="\(failed > 0 ? "bad" : "")">\(failed)</b>files failed</div>
        </div>
        """
        body += findingsSection(s)
        body += "<h2>Files</h2>"
        body += HTML.table(["file", "format", "rows", "stored", "duplicates", "rejects", "status", "SHA-256"],
                           s.files.map { f in
                               [f.path, f.format, String(f.stats.rowsRead), String(f.stats.stored), String(f.stats.duplicates),
                                String(f.stats.rejects), RunSummary.statusText(f.status), String(f.sha256.prefix(16))]
                           }, numeric: [2, 3, 4, 5], code: [7])
        body += "<h2>Server-side logins by app × flow × outcome</h2>"
        body += "<p class=\"muted\">Flow basis says how sure the flow is: <b>subtype</b> recorded by Salesforce, <b>login_type</b> not a token-endpoint login, <b>client_log</b> confirmed by the client's grant_type, <b>policy</b> app declared JWT-only, <b>inferred</b> empty subtype (JWT bearer, or an org that does not record the flow).</p>"
        body += s.logins.isEmpty ? "<p class=\"muted\">No logins in this span.</p>"
            : HTML.table(["origin", "app", "flow", "basis", "outcome", "logins"], s.logins.map { $0.cells + [String($0.count)] }, numeric: [5])
        if !s.integrationUsers.isEmpty {
            body += "<h2>Who server-to-server apps log in as</h2>"
            body += "<p class=\"muted\">JWT bearer and client credentials logins by app and user: an app meant for one Run As user should show one user here.</p>"
            body += HTML.table(["app", "user", "flow", "outcome", "logins"], s.integrationUsers.map { $0.cells + [String($0.count)] }, numeric: [4])
        }
        if !s.tokenRequests.isEmpty {
            body += "<h2>Client token requests</h2>"
            body += HTML.table(["provider", "integration", "host", "flow", "outcome", "requests"],
                               s.tokenRequests.map { $0.cells + [String($0.count)] }, numeric: [5])
        }
        if !s.idpEvents.isEmpty {
            body += "<h2>Okta events</h2>"
            body += HTML.table(["event type", "outcome", "events"], s.idpEvents.map { $0.cells + [String($0.count)] }, numeric: [2])
        }
        if !s.apiActivity.isEmpty {
            body += "<h2>Event Monitoring activity</h2>"
            body += HTML.table(["event type", "events"], s.apiActivity.map { $0.cells + [String($0.count)] }, numeric: [1])
        }
        body += "<h2>Data quality: rejected rows</h2>"
        if s.rejectReasons.isEmpty {
            body += "<p class=\"muted\">No row was rejected.</p>"
        } else {
            body += HTML.table(["reason", "rows"], s.rejectReasons.map { $0.cells + [String($0.count)] }, numeric: [1])
            body += HTML.table(["evidence", "reason", "excerpt (secrets redacted)"], s.rejectSamples)
        }
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="\(HTML.contentSecurityPolicy)">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>TokenTrail report</title><style>\(style)</style></head>
        <body>\(body)
        <p class="muted">Generated by TokenTrail \(Scanner.version). All times UTC.</p></body></html>

        """
    }
}
