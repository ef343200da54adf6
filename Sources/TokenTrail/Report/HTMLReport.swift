import Foundation

/// The static report: a few self-contained pages (inline CSS and SVG, no script, strict CSP,
/// works from file:// with no network), written from the database for a period:
/// - `index.html`: what was covered, what needs attention, what changed, the overview panels;
/// - `findings.html`: every finding with its evidence and the rule's "why / what to check";
/// - `app-….html`: one per connected app; `host-….html`: one per client host;
/// - `quality.html`: rejects and the chain of custody.
/// Panels come from `dashboards/` (built in, plus `--dashboards DIR`); pages aggregate and
/// cap their rows, so a million logins make a report of a few hundred kilobytes.
public enum HTMLReport {
    public struct Options {
        public var since: Int64
        public var until: Int64
        public var databasePath: String
        public var dashboards: String?
        public var policy: Policy?
        /// Fingerprints first raised by the run that writes the report (marked "new").
        public var newFindings: Set<String> = []
        /// Incident ids first made by that run.
        public var newIncidents: Set<String> = []
        /// What the analysis could not judge (`Caveats`), from the scan that writes the report;
        /// nil: the report works out what it can (history, columns; not whether the scan had a policy).
        public var caveats: [String]?

        public init(since: Int64, until: Int64, databasePath: String, dashboards: String? = nil, policy: Policy? = nil) {
            self.since = since
            self.until = until
            self.databasePath = databasePath
            self.dashboards = dashboards
            self.policy = policy
        }
    }

    public struct Written {
        public var index: String
        public var pages: [String]
        /// Panels that failed (a user panel with bad SQL): shown on their page and returned here.
        public var warnings: [String]
    }

    /// Apps and hosts get a page each, the busiest first, up to this many.
    static let maxEntityPages = 40
    /// Incidents get a page each, the most severe first, up to this many (the rest are listed).
    static let maxIncidentPages = 200

    /// The pages are written into a new directory beside `target` and swapped in whole: a
    /// killed run leaves the previous report as it was, and no page of an earlier period stays.
    public static func write(db: Database, options o: Options, to target: String) throws -> Written {
        let staging = try ReportDirectory.stage(target)
        do {
            var written = try write(db: db, options: o, into: staging)
            try ReportDirectory.swap(staging, into: target)
            written.index = (target as NSString).appendingPathComponent((written.index as NSString).lastPathComponent)
            written.pages = written.pages.map { (target as NSString).appendingPathComponent(($0 as NSString).lastPathComponent) }
            return written
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
    }

    private static func write(db: Database, options o: Options, into directory: String) throws -> Written {
        let panels = try Panel.load(directory: o.dashboards)
        // The period's own rollups, in TEMP, dropped after (also when building them fails): its
        // first and last days may be partial, and the database keeps the whole days each
        // analysed week stored.
        defer { if !db.readOnly { try? DailyRollup.dropTemporary(db) } }
        try Facts(db: db, windowStart: o.since, windowEnd: o.until).dailyRollups(temporary: true)
        for panel in panels { try panel.check(db) }
        // Incidents and their timelines first: a timeline stages its records in temp tables, which query_only forbids.
        let incidents = try Timings.measure("load incidents") { try IncidentsTable.load(db, since: o.since, until: o.until) }
        // Usernames for user ids, read once for the timelines and the digest: reading them
        // from the whole database's logins takes most of a second at a million rows.
        var directoryRead: [String: String]?
        func userDirectory() throws -> [String: String] {
            if let read = directoryRead { return read }
            let read = try Facts.directory(db)
            directoryRead = read
            return read
        }
        var timelines: [String: Timeline] = [:]
        try Timings.measure("incident timelines") {
            let directory = incidents.isEmpty ? [:] : try userDirectory()
            for incident in incidents.prefix(maxIncidentPages) {
                guard var filter = try Timeline.forIncident(incident.id, db: db) else { continue }
                filter.limit = IncidentPage.timelineRows
                timelines[incident.id] = try Timeline.build(db: db, filter: filter, directory: directory)
            }
        }
        // Panels only read; beyond the read-only check of each statement, the connection refuses writes while they run.
        try db.execute("PRAGMA query_only = ON")
        defer { try? db.execute("PRAGMA query_only = OFF") }
        var warnings: [String] = []
        let window: [String: SQLValue] = ["since": .integer(o.since), "until": .integer(o.until)]
        func section(_ page: Panel.Page, _ extra: [String: SQLValue] = [:]) -> String {
            panels.filter { $0.page == page }.map { panel in
                do {
                    let result = try Timings.measure("panel \(panel.name) \(extra.values.first?.string ?? "")") {
                        try panel.run(db, window.merging(extra) { $1 })
                    }
                    return render(panel, result)
                } catch {
                    warnings.append("\(error)")
                    return "<div class=\"panel\"><h2>\(HTML.escape(panel.title))</h2><p class=\"bad\">This panel could not run: \(HTML.escape("\(error)"))</p></div>"
                }
            }.joined()
        }
        let findings = try Timings.measure("load findings") { try FindingsTable.load(db, since: o.since, until: o.until) }
        var incidentOf: [String: Incident] = [:]
        for incident in incidents { for fingerprint in incident.findings { incidentOf[fingerprint] = incident } }
        let apps = try db.rows("""
            SELECT (SELECT value FROM strings WHERE id = app), count(*) AS n, app FROM logins WHERE time BETWEEN ? AND ? AND app IS NOT NULL
            GROUP BY app ORDER BY n DESC LIMIT \(maxEntityPages)
            """, [.integer(o.since), .integer(o.until)]).compactMap(Entity.init)
        let hosts = try db.rows("""
            SELECT (SELECT value FROM strings WHERE id = host), count(*) AS n, host FROM token_requests WHERE time BETWEEN ? AND ? AND host IS NOT NULL
            GROUP BY host ORDER BY n DESC LIMIT \(maxEntityPages)
            """, [.integer(o.since), .integer(o.until)]).compactMap(Entity.init)
        let nav = navigation(apps: apps, hosts: hosts)
        var pages: [String] = []
        func page(_ file: String, _ title: String, _ body: String) throws {
            let path = (directory as NSString).appendingPathComponent(file)
            guard FileManager.default.createFile(atPath: path, contents: Data(document(title: title, nav: nav, body: body, o).utf8)) else {
                throw InputError(path: path, "cannot write the report")
            }
            pages.append(path)
        }

        try page("index.html", "Overview", try Timings.measure("overview") {
            try overview(db, o, findings, incidents: incidents, incidentOf: incidentOf, apps: apps, hosts: hosts, directory: try userDirectory())
        } + section(.overview))
        try page("findings.html", "Findings", FindingsPage.render(findings, new: o.newFindings, incidents: incidentOf))
        let byFingerprint = Dictionary(findings.map { ($0.fingerprint, $0) }) { a, _ in a }
        for incident in incidents.prefix(maxIncidentPages) {
            // Its findings, those outside the period too (an incident is told whole).
            let outside = incident.findings.filter { byFingerprint[$0] == nil }
            let extra = try FindingsTable.load(db, fingerprints: outside)
            let members = (incident.findings.compactMap { byFingerprint[$0] } + extra).sorted(by: Finding.reviewOrder)
            try page(incident.page, incident.title, IncidentPage.render(incident, findings: members, timeline: timelines[incident.id] ?? Timeline(),
                                                                        new: o.newFindings))
        }
        for entity in apps {
            let (app, logins) = (entity.name, entity.rows)
            let declared = o.policy?.apps.first { $0.name == app }
            var body = "<h1>App: \(HTML.escape(app))</h1><p class=\"muted\">\(logins) server login(s) in the period.</p>"
            body += policyBox(declared)
            body += FindingsPage.render(findings.filter { $0.app == app }, new: o.newFindings, heading: "Findings for this app", compact: true, incidents: incidentOf)
            try page(entity.page("app"), app, body + section(.app, ["app": .text(app)]))
        }
        for entity in hosts {
            let (host, requests) = (entity.name, entity.rows)
            var body = "<h1>Client host: \(HTML.escape(host))</h1><p class=\"muted\">\(requests) token request(s) in its log for the period.</p>"
            body += FindingsPage.render(findings.filter { $0.host == host }, new: o.newFindings, heading: "Findings for this host", compact: true, incidents: incidentOf)
            try page(entity.page("host"), host, body + section(.host, ["host": .text(host)]))
        }
        try page("quality.html", "Data quality", "<h1>Data quality</h1>" + section(.quality))
        return Written(index: pages[0], pages: pages, warnings: warnings)
    }

    /// An app or a client host with a page of its own: its name, its rows in the period, and
    /// its id in `strings`, one per distinct name in the database.
    struct Entity {
        let name: String
        let rows: Int64
        let id: Int64

        init?(_ row: [SQLValue]) {
            guard let name = row[0].string, let id = row[2].int else { return nil }
            (self.name, rows, self.id) = (name, row[1].int ?? 0, id)
        }

        /// The page's file name: readable, safe whatever the name holds, and unique because
        /// it ends with the name's id (a hash of the name could be made to collide by a
        /// hostile app name and take the real app's page).
        func page(_ kind: String) -> String {
            let readable = String(name.lowercased().unicodeScalars.map { ("a"..."z").contains($0) || ("0"..."9").contains($0) ? Character($0) : "-" })
                .split(separator: "-").joined(separator: "-").prefix(40)
            return "\(kind)-\(readable.isEmpty ? "x" : String(readable))-\(id).html"
        }
    }

    static func navigation(apps: [Entity], hosts: [Entity]) -> String {
        let e = HTML.escape
        var out = "<nav><a href=\"index.html\">Overview</a> <a href=\"findings.html\">Findings</a> <a href=\"quality.html\">Data quality</a>"
        if !apps.isEmpty { out += "<span>Apps:</span>" + apps.map { "<a href=\"\(e($0.page("app")))\">\(e($0.name))</a>" }.joined(separator: " ") }
        if !hosts.isEmpty { out += "<span>Hosts:</span>" + hosts.map { "<a href=\"\(e($0.page("host")))\">\(e($0.name))</a>" }.joined(separator: " ") }
        return out + "</nav>"
    }

    static func overview(_ db: Database, _ o: Options, _ findings: [Finding], incidents: [Incident], incidentOf: [String: Incident],
                         apps: [Entity], hosts: [Entity], directory: [String: String]) throws -> String {
        let e = HTML.escape
        let window: [SQLValue] = [.integer(o.since), .integer(o.until)]
        let logins = try db.scalar("SELECT count(*) FROM logins WHERE time BETWEEN ? AND ?", window).int ?? 0
        let requests = try db.scalar("SELECT count(*) FROM token_requests WHERE time BETWEEN ? AND ?", window).int ?? 0
        // The same period test as the data-quality panels, so both pages give one count.
        let rejects = try db.scalar("SELECT count(*) FROM v_rejects WHERE time_ms BETWEEN ? AND ?", window).int ?? 0
        let repaired = try db.scalar("SELECT count(DISTINCT evidence) FROM v_repairs WHERE source_last_ms >= ? AND source_first_ms <= ?", window).int ?? 0
        let urgent = findings.filter { $0.severity >= .high }, problems = findings.filter { $0.severity >= FindingsPage.problem }
        var out = "<h1>TokenTrail report</h1>"
        out += "<p class=\"muted\">Period \(e(UTCTime.iso(o.since))) … \(e(UTCTime.iso(o.until))) (UTC) · database <code>\(e(o.databasePath))</code></p>"
        // An empty period is not a quiet one: say so, and where the records are.
        if let empty = try Period.emptiness(db: db, since: o.since, until: o.until) { out += "<p class=\"bad\">Note: \(e(empty)).</p>" }
        out += "<div class=\"cards\">"
        let attention = incidents.filter { $0.severity >= FindingsPage.problem }, grave = attention.filter { $0.severity >= .high }
        // One noun per count: incidents (what the review decides about) and findings (their parts).
        let undecided = attention.filter { $0.state == .open }.count
        out += "<div class=\"card\"><b class=\"\(undecided == 0 ? "" : "bad")\">\(undecided)</b>incidents to decide</div>"
        out += "<div class=\"card\"><b class=\"\(grave.isEmpty ? "" : "bad")\">\(grave.count)</b>incidents high or critical</div>"
        out += "<div class=\"card\"><b>\(findings.count)</b>findings (\(urgent.count) high or critical, \(findings.count - problems.count) low or info)</div>"
        out += "<div class=\"card\"><b>\(logins)</b>server logins</div>"
        out += "<div class=\"card\"><b>\(requests)</b>client token requests</div>"
        out += "<div class=\"card\"><b>\(apps.count) · \(hosts.count)</b>apps · client hosts</div>"
        out += "<div class=\"card\"><b class=\"\(rejects > 0 ? "bad" : "")\">\(rejects)</b>rows rejected</div>"
        out += "<div class=\"card\"><b>\(repaired)</b>rows kept with repaired values</div></div>"
        // A scan with --iocs: which of the advisory's indicators matched, when, in which incident.
        let iocHits = findings.filter { $0.rule == "ioc-match" }
        if !iocHits.isEmpty {
            out += "<h2>Indicators</h2><p>\(iocHits.count) indicator(s) of the files given with <code>--iocs</code> matched records of this period "
                + "(<code>tokentrail hunt FILE</code> sweeps all history):</p>"
            out += HTML.table(["indicator", "records", "first", "last", "incident"], iocHits.map { f in
                [f.message, String(f.count), UTCTime.iso(f.firstSeen), UTCTime.iso(f.lastSeen), incidentOf[f.fingerprint]?.id ?? ""]
            }, numeric: [1])
        }
        out += "<h2>Needs attention</h2>"
        // Each line is one incident: the findings about one thing, told together with what its sessions read.
        // Problems in no incident (a database analysed before incidents existed) are listed on their own.
        let loose = problems.filter { incidentOf[$0.fingerprint] == nil }
        if attention.isEmpty && loose.isEmpty {
            out += "<p>No problem at medium or above in this period.\(findings.isEmpty ? "" : " <a href=\"findings.html#long-tail\">\(findings.count) low or info finding(s) →</a>")</p>"
        } else {
            // What must be decided first: open incidents (new ones marked), then those being
            // worked on, then those decided (kept visible: a decision is reviewed too).
            let listed = Array(attention.prefix(maxIncidentPages))
            let open = listed.filter { $0.state == .open }, working = listed.filter { $0.state == .acknowledged }, decided = listed.filter { $0.state.isClosed }
            let fresh = open.filter { o.newIncidents.contains($0.id) }.count
            if !open.isEmpty { out += "<h3>To decide: \(open.count) open (\(fresh) new, \(open.count - fresh) ongoing)</h3>" + IncidentPage.attention(open, new: o.newIncidents) }
            if !working.isEmpty { out += "<h3>Acknowledged: \(working.count) being worked on</h3>" + IncidentPage.attention(working, new: o.newIncidents) }
            if !decided.isEmpty {
                out += "<details><summary>Decided: \(decided.count) (false positive or resolved; alerted again only if they escalate or recur)</summary>"
                    + IncidentPage.attention(decided, new: o.newIncidents) + "</details>"
            }
            if !loose.isEmpty {
                out += "<p>Findings in no incident (run <code>tokentrail scan</code> again to group them):</p><ol class=\"attention\">"
                for f in loose.prefix(10) {
                    out += "<li><span class=\"sev sev-\(f.severity.rawValue)\">\(e(f.severity.rawValue))</span> <a href=\"findings.html#f-\(e(f.fingerprint))\">\(e(f.message))</a>"
                    out += " <span class=\"muted\">\(e(f.evidence.first ?? ""))</span></li>"
                }
                out += "</ol>"
            }
            if attention.count > maxIncidentPages { out += "<p class=\"muted\">… and \(attention.count - maxIncidentPages) more: see <code>v_incidents</code>.</p>" }
            out += "<p><a href=\"findings.html\">All \(findings.count) finding(s) with their evidence →</a></p>"
        }
        // "No problem" is never said bare: what could not be judged, and why.
        let caveats = try o.caveats ?? Caveats.of(db: db, policy: nil, windowStart: o.since, windowEnd: o.until).filter { !$0.hasPrefix("no policy") }
        if !caveats.isEmpty {
            out += "<h2>Not judged</h2><ul class=\"caveats\">" + caveats.map { "<li>\(e($0))</li>" }.joined() + "</ul>"
        }
        out += changes(try Digest.compute(db: db, since: o.since, until: o.until, directory: directory))
        return out
    }

    static func changes(_ d: Digest) -> String {
        let e = HTML.escape
        var out = "<h2>What changed since the previous period</h2>"
        out += "<p class=\"muted\">Compared with \(e(UTCTime.iso(d.previousSince))) … \(e(UTCTime.iso(d.since - 1))). Also: <code>tokentrail diff</code>.</p>"
        if !d.previousHasData {
            return out + "<p>The database has no records in the previous period, so there is nothing to compare with yet: scan last week's exports too, or read this section next week.</p>"
        }
        if d.added.isEmpty && d.reactivated.isEmpty && d.ruleCounts.isEmpty {
            return out + "<p>Nothing new.</p>"
        }
        if !d.added.isEmpty {
            out += HTML.table(["new", "what", "detail"], d.added.prefix(30).map { [$0.kind, $0.item, $0.detail] })
            if d.added.count > 30 { out += "<p class=\"muted\">… and \(d.added.count - 30) more (<code>tokentrail diff</code> lists all).</p>" }
        }
        if !d.reactivated.isEmpty { out += "<p>Dormant and active again: \(d.reactivated.map(e).joined(separator: ", "))</p>" }
        if !d.ruleCounts.isEmpty {
            out += HTML.table(["rule", "previous period", "this period"], d.ruleCounts.map { [$0.rule, String($0.previous), String($0.current)] }, numeric: [1, 2])
        }
        return out
    }

    static func policyBox(_ app: Policy.App?) -> String {
        guard let app else { return "<p class=\"muted\">Not declared in the policy: rules compare it with its own history.</p>" }
        let e = HTML.escape
        var rows: [[String]] = []
        if !app.flows.isEmpty { rows.append(["flows", app.flows.map(\.rawValue).joined(separator: ", ")]) }
        if !app.subjects.isEmpty { rows.append(["JWT subjects", app.subjects.joined(separator: ", ")]) }
        if let runAs = app.runAsUser { rows.append(["Run As user", runAs]) }
        if !app.sourceCidrs.isEmpty { rows.append(["networks", app.sourceCidrs.joined(separator: ", ")]) }
        if !app.clientIds.isEmpty { rows.append(["client ids", app.clientIds.map { String($0.prefix(12)) + "…" }.joined(separator: ", ")]) }
        return "<h2>Declared in the policy</h2>" + (rows.isEmpty ? "<p class=\"muted\">\(e(app.name)) has no constraints.</p>" : HTML.table(["what", "declared"], rows))
    }

    static func render(_ panel: Panel, _ result: PanelResult) -> String {
        let e = HTML.escape
        var out = "<div class=\"panel\"><h2>\(e(panel.title))</h2>"
        if !panel.description.isEmpty { out += "<p class=\"muted\">\(e(panel.description))</p>" }
        guard !result.rows.isEmpty else { return out + "<p class=\"muted\">Nothing in this period.</p></div>" }
        let numeric = Set(result.columns.indices.filter { i in result.rows.allSatisfy { if case .text = $0[i] { return false }; return true } })
        let table = HTML.table(result.columns, result.rows.map { $0.map { $0.string ?? "" } }, numeric: numeric)
        switch panel.chart {
        case .table:
            out += table
        case .bars:
            out += Charts.bars(result.rows.map { ($0.first?.string ?? "?", Double($0.count > 1 ? $0[1].string ?? "0" : "0") ?? 0) }, title: panel.title)
            out += "<details><summary>Data</summary>\(table)</details>"
        case .stacked, .line:
            let series = Charts.Series(result.rows)
            out += panel.chart == .stacked ? Charts.stacked(series, title: panel.title) : Charts.line(series, title: panel.title)
            out += "<details><summary>Data</summary>\(table)</details>"
        }
        if result.truncated { out += "<p class=\"muted\">Only the first \(result.rows.count) rows are shown; the same SQL in <code>sqlite3</code> gives all.</p>" }
        return out + "</div>"
    }

    static func document(title: String, nav: String, body: String, _ o: Options) -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="\(HTML.contentSecurityPolicy)">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(HTML.escape(title)) · TokenTrail</title><style>\(style)</style></head>
        <body>\(nav)<main>\(body)</main>
        <footer class="muted">TokenTrail \(Scanner.version) · period \(HTML.escape(UTCTime.iso(o.since))) … \(HTML.escape(UTCTime.iso(o.until))) · all times UTC</footer></body></html>

        """
    }

    static let style = """
    body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1200px;padding:0 1rem 2rem;color:#1d2430}
    nav{position:sticky;top:0;background:#fff;border-bottom:1px solid #dde2ea;padding:.5rem 0;display:flex;flex-wrap:wrap;gap:.3rem .8rem;font-size:13px;z-index:1}
    nav span{color:#5b6678;margin-left:.8rem}a{color:#1f5fa8}
    h1{font-size:1.5rem;margin:1rem 0 .2rem}h2{font-size:1.1rem;margin-top:1.8rem;border-bottom:1px solid #dde2ea;padding-bottom:.3rem}
    .muted{color:#5b6678}.cards{display:flex;gap:1rem;flex-wrap:wrap;margin:1rem 0}
    .card{border:1px solid #dde2ea;border-radius:8px;padding:.6rem 1rem;min-width:9rem}.card b{font-size:1.4rem}.card b:first-child{display:block}
    table{border-collapse:collapse;width:100%;margin:.5rem 0;font-size:13px}th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #eef1f5;vertical-align:top;overflow-wrap:anywhere}
    th{background:#f5f7fa;white-space:nowrap;overflow-wrap:normal}td.w{overflow-wrap:normal;min-width:12rem}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap;overflow-wrap:normal}
    .bad{color:#a3261b;font-weight:600}td.code{font-family:ui-monospace,monospace;white-space:nowrap;font-size:12px}
    .finding{border:1px solid #dde2ea;border-left:6px solid #8a94a6;border-radius:6px;padding:.5rem .8rem;margin:.6rem 0}.finding .msg{margin:.3rem 0;font-weight:600}
    .sev{text-transform:uppercase;font-size:12px;font-weight:700}.finding.sev-critical{border-left-color:#7a0010}.finding.sev-high{border-left-color:#c62828}.finding.sev-medium{border-left-color:#ef8a00}.finding.sev-low{border-left-color:#2e7d32}.finding.sev-info{border-left-color:#607d8b}
    .sev.sev-critical,.finding.sev-critical .sev{color:#7a0010}.sev.sev-high,.finding.sev-high .sev{color:#c62828}.sev.sev-medium,.finding.sev-medium .sev{color:#a35f00}.sev.sev-low,.finding.sev-low .sev{color:#2e7d32}.sev.sev-info,.finding.sev-info .sev{color:#455a64}
    .evidence{font-family:ui-monospace,monospace;font-size:12px}
    ol.attention li{margin:.45rem 0}.narrative{border-left:4px solid #1f5fa8;background:#f5f8fc;padding:.2rem 1rem;margin:.8rem 0}.narrative p{margin:.5rem 0}h3{font-size:1rem;margin-top:1.2rem}svg.chart{width:100%;height:auto;max-height:320px;font-size:12px;fill:#1d2430}svg .grid{stroke:#dde2ea}
    footer{margin-top:2rem;font-size:12px}
    @media print{nav{position:static}details{display:block}body{max-width:none}h2{break-after:avoid}.panel,.finding{break-inside:avoid}}
    """
}
