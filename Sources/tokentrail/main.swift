import Foundation
import TokenTrail

// Argument parsing and exit codes only; everything else lives in the TokenTrail library.
// Exit codes (DESIGN.md): 0 ran; 1 findings at or above --fail-on; 2 bad input, config or
// I/O; 64 usage error.

/// Messages can quote log content: control characters (terminal escapes) are neutralized.
func printError(_ message: String) {
    FileHandle.standardError.write(Data(("tokentrail: " + TerminalSummary.sanitize(message) + "\n").utf8))
}

func fail(_ message: String, code: Int32) -> Never {
    printError(message)
    exit(code)
}

/// A mistake in the command line: exit 64 with the command's usage.
struct UsageError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// A time option (`--since 7d`, `--until 2026-11-21T00:00:00Z`), nil when not given.
func time(_ parsed: ParsedArguments, _ option: String) throws -> Int64? {
    guard let text = parsed.values[option] else { return nil }
    do { return try TimeArgument.parse(text) } catch { throw UsageError("\(option): \(error)") }
}

/// Runs a command body: a usage error exits 64 with usage text, any other error 2.
/// The body exits itself with 0 or 1; returning means success.
func command(_ body: () throws -> Void) -> Never {
    do {
        try body()
        exit(0)
    } catch let error as UsageError {
        usageError(error.message)
    } catch {
        fail("\(error)", code: 2)
    }
}

/// `scan`'s arguments as the pipeline's request (usage errors exit here).
func scanRequest(_ parsed: ParsedArguments) -> ScanPipeline.Request {
    guard !parsed.positional.isEmpty else { usageError("scan needs at least one INPUT file or directory") }
    let analyze = !parsed.flags.contains("--no-analysis")
    let webhookOptions = [parsed.values["--webhook"].map(Webhook.Source.argument), parsed.values["--webhook-url-file"].map(Webhook.Source.file)]
        .compactMap { $0 }
    if webhookOptions.count > 1 { usageError("give the webhook once: --webhook URL or --webhook-url-file FILE") }
    if !analyze, parsed.values["--findings"] != nil || parsed.values["--incidents"] != nil || parsed.values["--fail-on"] != nil || !webhookOptions.isEmpty {
        usageError("--no-analysis produces no findings: drop --findings / --incidents / --fail-on / --webhook")
    }
    if parsed.values["--findings"] == "-" && parsed.values["--incidents"] == "-" {
        usageError("only one of --findings and --incidents can go to stdout ('-'): write the other to a file")
    }
    let environmentHook = ProcessInfo.processInfo.environment[Webhook.environmentVariable].flatMap { $0.isEmpty ? nil : Webhook.Source.environment($0) }
    let webhookSource = webhookOptions.first ?? (analyze ? environmentHook : nil)
    if parsed.values["--alert-on"] != nil && webhookSource == nil { usageError("--alert-on needs --webhook URL (or --webhook-url-file, TOKENTRAIL_WEBHOOK_URL)") }
    let alertOn = severity(parsed.values["--alert-on"] ?? "high", option: "--alert-on")
    let webhook: URL?
    do { webhook = try webhookSource.map(Webhook.target) } catch {
        if case .file? = webhookSource { fail("\(error)", code: 2) }
        usageError("\(error)")
    }
    var ingest = ScanRequest(inputs: parsed.positional)
    ingest.databasePath = parsed.values["--db"] ?? "tokentrail.sqlite"
    ingest.timezone = parsed.values["--timezone"]
    ingest.policyPath = parsed.values["--policy"]
    ingest.arguments = Array(CommandLine.arguments.dropFirst())
    ingest.onWaitForDatabase = { printError($0) }
    let findingsTarget = parsed.values["--findings"]
    var request = ScanPipeline.Request(ingest: ingest)
    request.analyze = analyze
    request.findingsFile = findingsTarget == "-" ? nil : findingsTarget
    let incidentsTarget = parsed.values["--incidents"]
    request.incidentsFile = incidentsTarget == "-" ? nil : incidentsTarget
    request.reportDirectory = parsed.values["--report"]
    request.dashboards = parsed.values["--dashboards"]
    request.webhook = webhook
    request.alertOn = alertOn
    // Indicator files are read before anything is stored: a bad one stops the scan (exit 2).
    if let files = parsed.lists["--iocs"] {
        if parsed.flags.contains("--no-analysis") { usageError("--iocs is swept by the analysis: drop --no-analysis") }
        do {
            let read = try files.map { try IOCFile.read($0) }
            request.indicators = read.flatMap(\.indicators)
            // What cannot be swept is said, not dropped.
            let skipped = read.flatMap(\.problems)
            for problem in skipped.prefix(20) { printError("note: IOC entry skipped: \(TerminalSummary.sanitize(problem.description))") }
            if skipped.count > 20 { printError("note: … and \(skipped.count - 20) more IOC entries skipped (tokentrail hunt FILE lists them all)") }
        } catch { fail("\(error)", code: 2) }
    }
    if let url = parsed.values["--report-url"] {
        guard url.lowercased().hasPrefix("https://") || url.lowercased().hasPrefix("http://") else { usageError("--report-url must be an http:// or https:// URL") }
        request.reportURL = url
    }
    request.summary = !parsed.flags.contains("--quiet")
    return request
}

func runScan(_ parsed: ParsedArguments) -> Never {
    let configured = scanRequest(parsed)
    let findingsTarget = parsed.values["--findings"], failOn = parsed.values["--fail-on"].map { severity($0, option: "--fail-on") }
    let machineStdout = findingsTarget == "-" || parsed.values["--incidents"] == "-"
    // Progress only on a terminal; cron and pipes get nothing decorative.
    let progress = configured.summary && ProgressLine.isTerminal ? ProgressLine() : nil
    // With NDJSON on stdout, everything for people goes to stderr.
    let humanOutput: (String) -> Void = machineStdout
        ? { FileHandle.standardError.write(Data($0.utf8)) } : { print($0, terminator: "") }
    command {
        var request = configured
        if let progress { request.ingest.progress = { progress.update($0) } }
        request.since = try time(parsed, "--since")
        request.until = try time(parsed, "--until")
        let outcome: ScanPipeline.Outcome
        do {
            outcome = try ScanPipeline.run(request) { file in
                progress?.finish()
                if case .failed(let message) = file.status { printError(message) }
            }
        } catch ScanError.unknownTimeZone(let zone) { throw UsageError("--timezone '\(zone)' is not an IANA time zone name (e.g. America/Los_Angeles, Asia/Tokyo, UTC)") }
        progress?.finish()
        for note in outcome.notes { printError(note) }
        if findingsTarget == "-" { print(FindingsOutput.ndjson(outcome.findings, incidents: outcome.incidents), terminator: "") }
        if parsed.values["--incidents"] == "-" { print(IncidentsOutput.ndjson(outcome.incidents), terminator: "") }
        for warning in outcome.report?.warnings ?? [] { printError(warning) }
        if let summary = outcome.summary {
            humanOutput(TerminalSummary.render(summary, databasePath: request.ingest.databasePath, reportPath: nil))
            if request.analyze && outcome.scan.diskFull == nil {
                humanOutput(FindingsOutput.text(outcome.findings, new: outcome.new, caveats: outcome.caveats))
                humanOutput(IncidentsOutput.text(outcome.incidents, new: outcome.newIncidents))
            }
            if let index = outcome.report?.index { humanOutput("\nReport: \(index)\n") }
            if outcome.webhookPosted > 0 { humanOutput("Webhook: posted \(outcome.webhookPosted) finding(s) to \(request.webhook?.host ?? "?")\n") }
        }
        for problem in outcome.problems { printError(problem) }
        exit(outcome.exitStatus(failOn: failOn))
    }
}

func severity(_ text: String, option: String) -> Severity {
    guard let severity = Severity(rawValue: text) else { usageError("\(option) must be one of info, low, medium, high, critical") }
    return severity
}

/// `--since`/`--until` of report, timeline and diff: given, or the last 7 days of data.
func period(_ parsed: ParsedArguments, db: Database) throws -> (since: Int64, until: Int64) {
    // timeline names them --from/--to (DESIGN.md); --since/--until are accepted everywhere.
    let since = try time(parsed, parsed.values["--from"] != nil ? "--from" : "--since")
    let until = try time(parsed, parsed.values["--to"] != nil ? "--to" : "--until")
    if let since, let until, since > until { throw UsageError("the period starts after it ends (--since/--from is later than --until/--to)") }
    guard let period = try Period.resolve(db: db, since: since, until: until) else { throw UsageError("the database holds no records yet: run tokentrail scan first") }
    return period
}

/// Opens an existing database (these commands never create one).
func existingDatabase(_ parsed: ParsedArguments) throws -> (Database, String) {
    let path = parsed.values["--db"] ?? "tokentrail.sqlite"
    guard FileManager.default.fileExists(atPath: path) else { fail("\(path): no such database (run tokentrail scan first)", code: 2) }
    let db = try Database.reader(path: path)
    try Schema.check(db)
    return (db, path)
}

func runReport(_ parsed: ParsedArguments) -> Never {
    guard parsed.positional.isEmpty else { usageError("report takes no positional arguments") }
    guard let out = parsed.values["--out"] else { usageError("report needs --out DIR") }
    command {
        let (db, path) = try existingDatabase(parsed)
        let (since, until) = try period(parsed, db: db)
        if let empty = try Period.emptiness(db: db, since: since, until: until) { printError("note: " + empty) }
        let policy = try parsed.values["--policy"].map { try RuleCatalog.loadPolicy(path: $0) }
        let written = try HTMLReport.write(db: db, options: HTMLReport.Options(since: since, until: until, databasePath: path,
                                                                               dashboards: parsed.values["--dashboards"], policy: policy), to: out)
        for warning in written.warnings { printError(warning) }
        print("Report: \(written.index) (\(written.pages.count) pages, \(UTCTime.iso(since)) … \(UTCTime.iso(until)))")
    }
}

func runTimeline(_ parsed: ParsedArguments) -> Never {
    guard parsed.positional.isEmpty else { usageError("timeline takes no positional arguments") }
    let format = parsed.values["--format"] ?? "text"
    guard ["text", "json", "csv"].contains(format) else { usageError("--format must be text, json or csv") }
    let limit = parsed.values["--limit"].map { Int($0) ?? -1 } ?? 5000
    guard limit > 0 else { usageError("--limit must be a positive number") }
    let incident = parsed.values["--incident"]
    if incident != nil, ["--user", "--app", "--ip", "--host"].contains(where: { parsed.values[$0] != nil }) {
        usageError("--incident selects the incident's own records: drop --user / --app / --ip / --host")
    }
    command {
        let (db, _) = try existingDatabase(parsed)
        var filter: Timeline.Filter
        if let incident {
            guard let scoped = try Timeline.forIncident(incident, db: db) else {
                fail("\(incident): no such incident in the database (scan --incidents - lists them, or the report's overview)", code: 2)
            }
            filter = scoped
        } else {
            let (since, until) = try period(parsed, db: db)
            if let empty = try Period.emptiness(db: db, since: since, until: until) { printError("note: " + empty) }
            filter = Timeline.Filter(since: since, until: until)
            filter.user = parsed.values["--user"]
            filter.app = parsed.values["--app"]
            filter.ip = parsed.values["--ip"]
            filter.host = parsed.values["--host"]
        }
        filter.limit = limit
        let timeline = try Timeline.build(db: db, filter: filter)
        print(format == "json" ? timeline.ndjson : format == "csv" ? timeline.csv : timeline.text, terminator: "")
        if timeline.truncated { printError("only the first \(limit) events are shown: narrow the filters or raise --limit") }
    }
}

func runDiff(_ parsed: ParsedArguments) -> Never {
    guard parsed.positional.isEmpty else { usageError("diff takes no positional arguments") }
    let format = parsed.values["--format"] ?? "text"
    guard ["text", "json"].contains(format) else { usageError("--format must be text or json") }
    command {
        let (db, _) = try existingDatabase(parsed)
        let (since, until) = try period(parsed, db: db)
        let digest = try Digest.compute(db: db, since: since, until: until)
        print(format == "json" ? digest.json.pretty() : digest.text, terminator: format == "json" ? "\n" : "")
    }
}

func runRules(_ parsed: ParsedArguments) -> Never {
    guard parsed.positional.isEmpty else { usageError("rules takes no positional arguments") }
    guard let format = FindingsOutput.CatalogFormat(rawValue: parsed.values["--format"] ?? "text") else {
        usageError("--format must be text, json or markdown")
    }
    command { print(FindingsOutput.catalog(format: format), terminator: "") }
}

func runPolicyCheck(_ parsed: ParsedArguments) -> Never {
    guard parsed.positional.count == 1, let path = parsed.positional.first else { usageError("policy check takes one FILE") }
    command {
        let policy = try RuleCatalog.loadPolicy(path: path)
        print("\(path): valid policy, \(policy.apps.count) app(s), \(policy.rules.count) rule setting(s)")
    }
}

func runPolicySuggest(_ parsed: ParsedArguments) -> Never {
    guard parsed.positional.isEmpty else { usageError("policy suggest takes only --db FILE") }
    command {
        let suggestion = try PolicySuggester.suggest(db: try existingDatabase(parsed).0)
        print(suggestion.policy.pretty())
        if !suggestion.leftOut.isEmpty {
            printError("left out as rare (under 1% of the app's logins; add them if they are meant to be):")
            for item in suggestion.leftOut { printError("  " + item) }
        }
    }
}

func runIncidents(_ parsed: ParsedArguments) -> Never {
    guard parsed.positional.isEmpty else { usageError("incidents takes no positional arguments (incidents show ID shows one)") }
    let format = parsed.values["--format"] ?? "text"
    guard ["text", "json"].contains(format) else { usageError("--format must be text or json") }
    let state = parsed.values["--state"].map { text -> TriageState in
        guard let state = TriageState(rawValue: text) else { usageError("--state must be one of open, acknowledged, false-positive, resolved") }
        return state
    }
    command {
        let (db, _) = try existingDatabase(parsed)
        let (since, until) = try period(parsed, db: db)
        let incidents = try IncidentsTable.load(db, since: since, until: until).filter { state == nil || $0.state == state }
        print(format == "json" ? IncidentsOutput.ndjson(incidents) : IncidentReview.list(incidents), terminator: "")
    }
}

func runIncidentShow(_ parsed: ParsedArguments) -> Never {
    guard parsed.positional.count == 1, let id = parsed.positional.first else { usageError("incidents show takes one incident ID") }
    let format = parsed.values["--format"] ?? "text"
    guard ["text", "json"].contains(format) else { usageError("--format must be text or json") }
    command {
        let (db, _) = try existingDatabase(parsed)
        guard let incident = try IncidentsTable.load(db, id: id) else { fail("\(id): no such incident in the database (tokentrail incidents lists them)", code: 2) }
        let findings = try FindingsTable.load(db, fingerprints: incident.findings)
        print(format == "json" ? IncidentReview.showJSON(incident, findings: findings).serialized : IncidentReview.show(incident, findings: findings),
              terminator: format == "json" ? "\n" : "")
    }
}

func runTriage(_ parsed: ParsedArguments) -> Never {
    guard parsed.positional.count == 1, let id = parsed.positional.first else { usageError("triage takes one incident ID") }
    guard let text = parsed.values["--state"] else { usageError("triage needs --state open|acknowledged|false-positive|resolved") }
    guard let state = TriageState(rawValue: text) else { usageError("--state must be one of open, acknowledged, false-positive, resolved") }
    let by = parsed.values["--by"] ?? ProcessInfo.processInfo.environment["USER"] ?? "?"
    command {
        let path = parsed.values["--db"] ?? "tokentrail.sqlite"
        guard FileManager.default.fileExists(atPath: path) else { fail("\(path): no such database (run tokentrail scan first)", code: 2) }
        let db = try Database(path: path)
        do {
            let entry = try TriageTable.record(db, incident: id, state: state, note: parsed.values["--note"] ?? "", by: by)
            print("\(id): \(entry.state.rawValue) (by \(TerminalSummary.sanitize(entry.by)) at \(UTCTime.iso(entry.time)))")
        } catch let unknown as TriageTable.UnknownIncident {
            fail("\(unknown)", code: 2)
        }
    }
}

/// Exit like grep: 0 no hit, 1 a hit, 2 a bad IOC file or database.
func runHunt(_ parsed: ParsedArguments) -> Never {
    guard !parsed.positional.isEmpty else { usageError("hunt needs at least one IOC file (STIX 2.1 bundle, MISP event JSON, CSV type,value or a text list)") }
    let format = parsed.values["--format"] ?? "text"
    guard ["text", "json", "ndjson"].contains(format) else { usageError("--format must be text, json or ndjson") }
    command {
        let files = try parsed.positional.map { try IOCFile.read($0) }
        let (db, _) = try existingDatabase(parsed)
        // The whole database unless told otherwise.
        let span = try db.rows("SELECT min(first_time), max(last_time) FROM sources").first
        let since = try time(parsed, "--since") ?? span?[0].int ?? 0
        let until = try time(parsed, "--until") ?? span?[1].int ?? 0
        let result = try Hunt.sweep(db: db, indicators: files.flatMap(\.indicators), since: since, until: until)
        print(format == "json" ? HuntOutput.json(result, files: files) : format == "ndjson" ? HuntOutput.ndjson(result, files: files)
              : HuntOutput.text(result, files: files), terminator: "")
        exit(result.matches.isEmpty ? 0 : 1)
    }
}

func runExport(_ parsed: ParsedArguments) -> Never {
    guard parsed.positional.isEmpty else { usageError("export takes no positional arguments") }
    guard parsed.values["--format"] == "ocsf" else { usageError("export needs --format ocsf (the one format it writes)") }
    guard let out = parsed.values["--out"] else { usageError("export needs --out DIR") }
    command {
        let (db, _) = try existingDatabase(parsed)
        let span = try db.rows("SELECT min(first_time), max(last_time) FROM sources").first
        let since = try time(parsed, "--since") ?? span?[0].int ?? 0
        let until = try time(parsed, "--until") ?? span?[1].int ?? 0
        let summary = try OCSFExport.write(db: db, to: out, since: since, until: until)
        let counts = OCSFExport.classes.map { "\($0) \(summary.counts[$0] ?? 0)" }.joined(separator: ", ")
        print("OCSF \(OCSFExport.version): \(counts) → \(out)/<class>/eventDay=YYYYMMDD/part-NNNN.ndjson")
    }
}

typealias Option = CommandSpec.Option
let database = Option("--db", "FILE", default: "tokentrail.sqlite", "the SQLite database")
let since = Option("--since", "T", "start of the period: ISO 8601, or a duration back from now such as 7d")
let until = Option("--until", "T", "end of the period (ISO 8601 or a duration back from now)")
let defaultPeriod = "the last 7 days of data"

let commands: [CommandSpec] = [
    CommandSpec(name: "scan", positional: "INPUT...",
                summary: "read exports and logs (files or directories, .gz too) into the database, analyze their time span, print the summary and findings",
                options: [database,
                          Option("--report", "DIR", "also write the HTML report (DIR/index.html)"),
                          Option("--dashboards", "DIR", "a directory of extra report panels (.sql files, see dashboards/README.md)"),
                          Option("--timezone", "TZ", "IANA zone of Setup-download times, which carry none (e.g. America/Los_Angeles)"),
                          Option("--policy", "FILE", "the policy file (see README: Policy file)"),
                          Option("--findings", "FILE|-", "write the findings as NDJSON to FILE, or to stdout with '-' (the summary then goes to stderr)"),
                          Option("--incidents", "FILE|-", "write the incidents (related findings as one story, with what their sessions read) as NDJSON to FILE, or to stdout with '-'"),
                          Option("--since", "T", default: "the span of the files read", "start of the analysis window (ISO 8601 or e.g. 7d)"),
                          Option("--until", "T", default: "the span of the files read", "end of the analysis window"),
                          Option("--fail-on", "SEVERITY", "exit 1 when a finding is at or above SEVERITY (info, low, medium, high, critical)"),
                          Option("--webhook", "URL", "POST the run's new findings at or above --alert-on and their incidents as one JSON document (with a top-level 'text' for Slack and Teams)"),
                          Option("--webhook-url-file", "FILE", "read the webhook URL from FILE's first line (or set TOKENTRAIL_WEBHOOK_URL): a URL on the command line is visible to every user of the machine"),
                          Option("--alert-on", "SEVERITY", default: "high", "the lowest severity the webhook posts"),
                          Option("--report-url", "URL", "where the --report directory is published: the webhook text links each incident to its page there"),
                          Option("--iocs", "FILE", "an indicator file (STIX 2.1, MISP, CSV, text; give it again for more): every analysis sweeps its window for them (rule ioc-match, critical)"),
                          Option(flag: "--no-analysis", "store only (back-loading history); analyze later with: scan EMPTY-DIR --since T --until T"),
                          Option(flag: "--quiet", "print nothing on success")],
                example: "tokentrail scan samples --policy samples/policy.json --db out/tokentrail.sqlite --report out/report",
                run: runScan),
    CommandSpec(name: "report", positional: "",
                summary: "write the HTML report for a period from the database",
                options: [database, Option("--out", "DIR", "where to write it (required; DIR/index.html)"),
                          Option("--since", "T", default: defaultPeriod, since.help), Option("--until", "T", default: "the newest record", until.help),
                          Option("--dashboards", "DIR", "a directory of extra report panels"), Option("--policy", "FILE", "the policy, shown on the app pages")],
                example: "tokentrail report --db out/tokentrail.sqlite --out out/weekly --since 2026-11-14T00:00:00Z",
                run: runReport),
    CommandSpec(name: "timeline", positional: "",
                summary: "one chronological list of client requests, server logins, API activity, Okta events and findings, filtered",
                options: [database, Option("--incident", "ID", "one incident's records (its findings' evidence, its sessions' logins and API activity), an hour before it to a day after"),
                          Option("--user", "U", "a username or user id (15 or 18 characters)"), Option("--app", "A", "a connected app"),
                          Option("--ip", "IP", "a source address"), Option("--host", "H", "a client host"),
                          Option("--from", "T", default: defaultPeriod, "start (also --since)"), Option("--to", "T", default: "the newest record", "end (also --until)"),
                          since, until,
                          Option("--format", "text|json|csv", default: "text", "output format"), Option("--limit", "N", default: "5000", "the most events shown")],
                example: "tokentrail timeline --db out/tokentrail.sqlite --ip 203.0.113.77 --from 2026-11-18T00:00:00Z",
                run: runTimeline),
    CommandSpec(name: "diff", positional: "",
                summary: "what is new in a period against the one before it",
                options: [database, Option("--since", "T", default: defaultPeriod, since.help), Option("--until", "T", default: "the newest record", until.help),
                          Option("--format", "text|json", default: "text", "output format")],
                example: "tokentrail diff --db out/tokentrail.sqlite --since 2026-11-14T00:00:00Z",
                run: runDiff),
    CommandSpec(name: "incidents", positional: "",
                summary: "the period's incidents with their state and what to do (the weekly review's list)",
                options: [database, Option("--since", "T", default: defaultPeriod, since.help), Option("--until", "T", default: "the newest record", until.help),
                          Option("--state", "S", "only incidents in state S: open, acknowledged, false-positive, resolved"),
                          Option("--format", "text|json", default: "text", "output format (json: one incident per line, the --incidents NDJSON)")],
                example: "tokentrail incidents --db out/tokentrail.sqlite --state open", run: runIncidents),
    CommandSpec(name: "incidents show", positional: "ID",
                summary: "one incident whole: narrative, what to do, findings with evidence, what its sessions read, triage history",
                options: [database, Option("--format", "text|json", default: "text", "output format")],
                example: "tokentrail incidents show inc-029e44440a2a --db out/tokentrail.sqlite", run: runIncidentShow),
    CommandSpec(name: "triage", positional: "ID",
                summary: "record a decision about an incident (append-only; it survives every later scan)",
                options: [database, Option("--state", "S", "open, acknowledged, false-positive or resolved (required)"),
                          Option("--note", "TEXT", "why (shown as text everywhere)"), Option("--by", "NAME", default: "$USER", "who decided")],
                example: "tokentrail triage inc-029e44440a2a --state acknowledged --note 'rotating the certificate' --by alice", run: runTriage),
    CommandSpec(name: "hunt", positional: "IOCFILE...",
                summary: "sweep the whole database for an advisory's indicators (STIX 2.1, MISP, CSV or a defanged text list); exit 1 on a hit, like grep",
                options: [database, Option("--since", "T", default: "the first record", "start (ISO 8601 or e.g. 90d)"),
                          Option("--until", "T", default: "the last record", "end"),
                          Option("--format", "text|json|ndjson", default: "text", "output format")],
                example: "tokentrail hunt unc6395-iocs.txt gainsight-misp.json --db out/tokentrail.sqlite", run: runHunt),
    CommandSpec(name: "export", positional: "",
                summary: "the database as OCSF 1.8.0 events (Authentication, API Activity, Detection and Incident Finding) for a data lake or SIEM",
                options: [database, Option("--format", "ocsf", "the format (required; ocsf is the one written)"),
                          Option("--out", "DIR", "where the partitions go: DIR/<class>/eventDay=YYYYMMDD/part-NNNN.ndjson (required; replaced)"),
                          Option("--since", "T", default: "the first record", "start"), Option("--until", "T", default: "the last record", "end")],
                example: "tokentrail export --format ocsf --out out/ocsf --db out/tokentrail.sqlite", run: runExport),
    CommandSpec(name: "rules", positional: "",
                summary: "the detection rules, their severities and policy settings",
                options: [Option("--format", "text|json|markdown", default: "text", "output format")],
                example: "tokentrail rules --format markdown", run: runRules),
    CommandSpec(name: "policy suggest", positional: "",
                summary: "a starting policy from what the database has seen (values under 1% of an app's logins are left out and listed)",
                options: [database], example: "tokentrail policy suggest --db out/tokentrail.sqlite > policy.json", run: runPolicySuggest),
    CommandSpec(name: "policy check", positional: "FILE",
                summary: "validate a policy file", options: [], example: "tokentrail policy check samples/policy.json", run: runPolicyCheck),
]

allCommands = commands
let arguments = CommandLine.arguments.dropFirst()
switch arguments.first {
case "--version", "version": print("tokentrail \(Scanner.version)"); exit(0)
case "--help", "-h", "help": print(overviewHelp(commands), terminator: ""); exit(0)
case nil: usageError("no command given")
case let first?:
    // "policy" and "incidents" take a second word.
    let two = arguments.count > 1 ? first + " " + arguments[arguments.startIndex + 1] : first
    guard let spec = commands.first(where: { $0.name == two }) ?? commands.first(where: { $0.name == first }) else {
        if first == "policy" {
            let policyCommands = commands.filter { $0.name.hasPrefix("policy ") }
            if arguments.dropFirst().first.map({ ["--help", "-h"].contains($0) }) == true {
                print(policyCommands.map(\.help).joined(separator: "\n"), terminator: ""); exit(0)
            }
            usageError("policy takes: suggest [--db FILE] | check FILE")
        }
        usageError("unknown command '\(first)'")
    }
    activeCommand = spec
    spec.run(spec.parse(arguments.dropFirst(spec.name.split(separator: " ").count)))
}
