import Foundation
import TokenTrail

// Argument parsing and exit codes only; everything else lives in the TokenTrail library.
// Exit codes (DESIGN.md): 0 ran; 1 findings at or above --fail-on; 2 bad input, config or
// I/O; 64 usage error.

let usage = """
usage:
  tokentrail scan INPUT... [--db FILE] [--report DIR] [--dashboards DIR] [--timezone TZ]
                           [--policy FILE] [--findings FILE|-] [--since T] [--until T]
                           [--fail-on SEVERITY] [--webhook URL | --webhook-url-file FILE]
                           [--alert-on SEVERITY]
                           [--no-analysis] [--quiet]
  tokentrail report [--db FILE] --out DIR [--since T] [--until T] [--dashboards DIR] [--policy FILE]
  tokentrail timeline [--db FILE] [--user U] [--app A] [--ip IP] [--host H] [--from T] [--to T]
                      [--format text|json|csv] [--limit N]
  tokentrail diff [--db FILE] [--since T] [--until T] [--format text|json]
  tokentrail rules [--format text|json|markdown]
  tokentrail policy suggest [--db FILE]
  tokentrail policy check FILE
  tokentrail --help | --version

scan      read Login History, Event Monitoring, client token logs and Okta logs (files or
          directories, .gz too), store them in the SQLite database (default tokentrail.sqlite)
          and print a summary; --report DIR also writes the HTML report (DIR/index.html).
          Then runs the detection rules over the time span of the files read (or --since/--until:
          ISO 8601 or a duration back from now such as 7d) and lists the findings.
--timezone  IANA zone of Setup-download times, which carry none (e.g. America/Los_Angeles)
--findings  write the findings as NDJSON to FILE, or to stdout with '-' (the summary then goes to stderr)
--fail-on   exit 1 when a finding is at or above SEVERITY (info, low, medium, high, critical)
--no-analysis  store only (e.g. back-loading history); analyze later with: scan DIR --since T --until T
--dashboards   a directory of extra report panels (.sql files, see dashboards/README.md)
--webhook      POST the run's new findings at or above --alert-on (default high) as one JSON document
--webhook-url-file  read the webhook URL from FILE's first line instead (or set TOKENTRAIL_WEBHOOK_URL):
               a URL on the command line is visible to every user of the machine

report    write the HTML report for a period (default: the last 7 days of data) from the database.
timeline  one chronological list of client requests, server logins, API activity, Okta events
          and findings, filtered (default: the last 7 days of data).
diff      what is new in a period (default: the last 7 days of data) against the one before it.

"""

/// Messages can quote log content: control characters (terminal escapes) are neutralized.
func printError(_ message: String) {
    FileHandle.standardError.write(Data(("tokentrail: " + TerminalSummary.sanitize(message) + "\n").utf8))
}

func fail(_ message: String, code: Int32) -> Never {
    printError(message)
    exit(code)
}

func usageError(_ message: String) -> Never {
    FileHandle.standardError.write(Data(("tokentrail: " + message + "\n\n" + usage).utf8))
    exit(64)
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

/// Splits `args` into positionals and `--name value` options; flags take no value.
func parse(_ args: ArraySlice<String>, options: Set<String>, flags: Set<String>) -> (positional: [String], values: [String: String], flags: Set<String>) {
    var positional: [String] = []
    var values: [String: String] = [:]
    var seen: Set<String> = []
    var i = args.startIndex
    while i < args.endIndex {
        var arg = args[i]
        var inline: String?
        if arg.hasPrefix("--"), let eq = arg.firstIndex(of: "=") {
            inline = String(arg[arg.index(after: eq)...])
            arg = String(arg[..<eq])
        }
        if options.contains(arg) {
            if let inline { values[arg] = inline } else {
                guard i + 1 < args.endIndex else { usageError("\(arg) needs a value") }
                i += 1
                values[arg] = args[i]
            }
        } else if flags.contains(arg) {
            seen.insert(arg)
        } else if arg == "--" {
            positional.append(contentsOf: args[(i + 1)...])
            break
        } else if arg.hasPrefix("-") && arg != "-" {
            usageError("unknown option \(arg)")
        } else {
            positional.append(arg)
        }
        i += 1
    }
    return (positional, values, seen)
}

func runScan(_ args: ArraySlice<String>) -> Never {
    let parsed = parse(args, options: ["--db", "--report", "--dashboards", "--timezone", "--policy", "--findings", "--since", "--until",
                                       "--fail-on", "--webhook", "--webhook-url-file", "--alert-on"],
                       flags: ["--quiet", "--help", "--no-analysis"])
    if parsed.flags.contains("--help") { print(usage, terminator: ""); exit(0) }
    guard !parsed.positional.isEmpty else { usageError("scan needs at least one INPUT file or directory") }
    let analyze = !parsed.flags.contains("--no-analysis")
    let webhookOptions = [parsed.values["--webhook"].map(Webhook.Source.argument), parsed.values["--webhook-url-file"].map(Webhook.Source.file)]
        .compactMap { $0 }
    if webhookOptions.count > 1 { usageError("give the webhook once: --webhook URL or --webhook-url-file FILE") }
    if !analyze, parsed.values["--findings"] != nil || parsed.values["--fail-on"] != nil || !webhookOptions.isEmpty {
        usageError("--no-analysis produces no findings: drop --findings / --fail-on / --webhook")
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
    var request = ScanRequest(inputs: parsed.positional)
    request.databasePath = parsed.values["--db"] ?? "tokentrail.sqlite"
    request.timezone = parsed.values["--timezone"]
    request.policyPath = parsed.values["--policy"]
    request.arguments = Array(CommandLine.arguments.dropFirst())
    request.onWaitForDatabase = { printError($0) }
    let quiet = parsed.flags.contains("--quiet")
    // Progress only on a terminal; cron and pipes get nothing decorative.
    let progress = !quiet && ProgressLine.isTerminal ? ProgressLine() : nil
    if let progress { request.progress = { progress.update($0) } }
    let failOn = parsed.values["--fail-on"].map { severity($0, option: "--fail-on") }
    let findingsTarget = parsed.values["--findings"]
    // With NDJSON on stdout, everything for people goes to stderr.
    let humanOutput: (String) -> Void = findingsTarget == "-"
        ? { FileHandle.standardError.write(Data($0.utf8)) } : { print($0, terminator: "") }
    command {
        let since = try parsed.values["--since"].map { try TimeArgument.parse($0) }
        let until = try parsed.values["--until"].map { try TimeArgument.parse($0) }
        let result = try Scanner.scan(request) { file in
            progress?.finish()
            if case .failed(let message) = file.status { printError(message) }
        }
        progress?.finish()
        if let diskFull = result.diskFull {
            if !quiet { humanOutput(TerminalSummary.render(try RunSummary.load(db: try Database.reader(path: request.databasePath), result: result),
                                                           databasePath: request.databasePath, reportPath: nil)) }
            fail("\(diskFull)", code: 2)
        }
        let db = try Database(path: request.databasePath)
        db.onWait = request.onWaitForDatabase
        var analysis = Analyzer.Result(findings: [], new: [])
        var analyzed = false   // the report's period is the analysis window
        if analyze, let start = since ?? result.span?.0, let end = until ?? result.span?.1 {
            analysis = try Analyzer.run(db: db, policy: result.policy, windowStart: start, windowEnd: end, runId: result.runId)
            analyzed = true
        }
        if let findingsTarget {
            let ndjson = FindingsOutput.ndjson(analysis.findings)
            if findingsTarget == "-" {
                print(ndjson, terminator: "")
            } else if !FileManager.default.createFile(atPath: findingsTarget, contents: Data(ndjson.utf8)) {
                fail("\(findingsTarget): cannot write the findings", code: 2)
            }
        }
        let reportDirectory = parsed.values["--report"]
        var reportPath: String?
        if let reportDirectory, let start = since ?? result.span?.0, let end = until ?? result.span?.1 {
            var options = HTMLReport.Options(since: start, until: end, databasePath: request.databasePath,
                                             dashboards: parsed.values["--dashboards"], policy: result.policy)
            options.newFindings = analysis.new
            options.rollupsAreFresh = analyzed
            let written = try HTMLReport.write(db: db, options: options, to: reportDirectory)
            for warning in written.warnings { printError(warning) }
            reportPath = written.index
        }
        if !quiet {
            var summary = try RunSummary.load(db: db, result: result)
            summary.findings = analysis.findings
            summary.newFindings = analysis.new
            humanOutput(TerminalSummary.render(summary, databasePath: request.databasePath, reportPath: nil))
            if analyze { humanOutput(FindingsOutput.text(analysis.findings, new: analysis.new)) }
            if let reportPath { humanOutput("\nReport: \(reportPath)\n") }
        }
        var deliveryFailed: String?
        if let webhook {
            let outcome = try Webhook.deliver(db: db, url: webhook, findings: analysis.findings, minimum: alertOn, runId: result.runId)
            if !quiet, outcome.posted > 0 { humanOutput("Webhook: posted \(outcome.posted) finding(s) to \(webhook.host ?? "?")\n") }
            deliveryFailed = outcome.failure
        }
        db.truncateWAL()   // the volume gets the WAL's space back; a copy of the file alone is complete
        if !result.failed.isEmpty {
            fail("\(result.failed.count) file(s) could not be ingested (see above); the other files were stored", code: 2)
        }
        if let deliveryFailed { fail("webhook delivery failed: \(deliveryFailed) (the database is complete; the findings will be posted next run)", code: 2) }
        if let failOn, analysis.findings.contains(where: { $0.severity >= failOn }) { exit(1) }
    }
}

func severity(_ text: String, option: String) -> Severity {
    guard let severity = Severity(rawValue: text) else { usageError("\(option) must be one of info, low, medium, high, critical") }
    return severity
}

/// `--since`/`--until` of report, timeline and diff: given, or the last 7 days of data.
func period(_ parsed: (positional: [String], values: [String: String], flags: Set<String>), db: Database) throws -> (since: Int64, until: Int64) {
    // timeline names them --from/--to (DESIGN.md); --since/--until are accepted everywhere.
    let since = try (parsed.values["--from"] ?? parsed.values["--since"]).map { try TimeArgument.parse($0) }
    let until = try (parsed.values["--to"] ?? parsed.values["--until"]).map { try TimeArgument.parse($0) }
    if let since, let until, since > until { throw UsageError("the period starts after it ends (--since/--from is later than --until/--to)") }
    guard let period = try Period.resolve(db: db, since: since, until: until) else { throw UsageError("the database holds no records yet: run tokentrail scan first") }
    return period
}

/// Opens an existing database (these commands never create one).
func existingDatabase(_ parsed: (positional: [String], values: [String: String], flags: Set<String>)) throws -> (Database, String) {
    let path = parsed.values["--db"] ?? "tokentrail.sqlite"
    guard FileManager.default.fileExists(atPath: path) else { fail("\(path): no such database (run tokentrail scan first)", code: 2) }
    let db = try Database.reader(path: path)
    try Schema.check(db)
    return (db, path)
}

func runReport(_ args: ArraySlice<String>) -> Never {
    let parsed = parse(args, options: ["--db", "--out", "--since", "--until", "--dashboards", "--policy"], flags: [])
    guard parsed.positional.isEmpty else { usageError("report takes no positional arguments") }
    guard let out = parsed.values["--out"] else { usageError("report needs --out DIR") }
    command {
        let (db, path) = try existingDatabase(parsed)
        let (since, until) = try period(parsed, db: db)
        if let empty = try Period.emptiness(db: db, since: since, until: until) { printError("note: " + empty) }
        let policy = try parsed.values["--policy"].map { try Policy.load(path: $0) }
        let written = try HTMLReport.write(db: db, options: HTMLReport.Options(since: since, until: until, databasePath: path,
                                                                               dashboards: parsed.values["--dashboards"], policy: policy), to: out)
        for warning in written.warnings { printError(warning) }
        print("Report: \(written.index) (\(written.pages.count) pages, \(UTCTime.iso(since)) … \(UTCTime.iso(until)))")
    }
}

func runTimeline(_ args: ArraySlice<String>) -> Never {
    let parsed = parse(args, options: ["--db", "--from", "--to", "--since", "--until", "--user", "--app", "--ip", "--host", "--format", "--limit"],
                       flags: [])
    guard parsed.positional.isEmpty else { usageError("timeline takes no positional arguments") }
    let format = parsed.values["--format"] ?? "text"
    guard ["text", "json", "csv"].contains(format) else { usageError("--format must be text, json or csv") }
    let limit = parsed.values["--limit"].map { Int($0) ?? -1 } ?? 5000
    guard limit > 0 else { usageError("--limit must be a positive number") }
    command {
        let (db, _) = try existingDatabase(parsed)
        let (since, until) = try period(parsed, db: db)
        if let empty = try Period.emptiness(db: db, since: since, until: until) { printError("note: " + empty) }
        var filter = Timeline.Filter(since: since, until: until)
        filter.user = parsed.values["--user"]
        filter.app = parsed.values["--app"]
        filter.ip = parsed.values["--ip"]
        filter.host = parsed.values["--host"]
        filter.limit = limit
        let timeline = try Timeline.build(db: db, filter: filter)
        print(format == "json" ? timeline.ndjson : format == "csv" ? timeline.csv : timeline.text, terminator: "")
        if timeline.truncated { printError("only the first \(limit) events are shown: narrow the filters or raise --limit") }
    }
}

func runDiff(_ args: ArraySlice<String>) -> Never {
    let parsed = parse(args, options: ["--db", "--since", "--until", "--format"], flags: [])
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

func runRules(_ args: ArraySlice<String>) -> Never {
    let parsed = parse(args, options: ["--format"], flags: [])
    command { print(try FindingsOutput.catalog(format: parsed.values["--format"] ?? "text"), terminator: "") }
}

func runPolicy(_ args: ArraySlice<String>) -> Never {
    switch args.first {
    case "check":
        guard args.count == 2 else { usageError("policy check takes one FILE") }
        command {
            let policy = try Policy.load(path: args[args.startIndex + 1])
            print("\(args[args.startIndex + 1]): valid policy, \(policy.apps.count) app(s), \(policy.rules.count) rule setting(s)")
        }
    case "suggest":
        let parsed = parse(args.dropFirst(), options: ["--db"], flags: [])
        guard parsed.positional.isEmpty else { usageError("policy suggest takes only --db FILE") }
        command {
            let suggestion = try PolicySuggester.suggest(db: try existingDatabase(parsed).0)
            print(suggestion.policy.pretty())
            if !suggestion.leftOut.isEmpty {
                printError("left out as rare (under 1% of the app's logins; add them if they are meant to be):")
                for item in suggestion.leftOut { printError("  " + item) }
            }
        }
    default:
        usageError("policy takes: suggest [--db FILE] | check FILE")
    }
}

let arguments = CommandLine.arguments.dropFirst()
switch arguments.first {
case "scan": runScan(arguments.dropFirst())
case "policy": runPolicy(arguments.dropFirst())
case "rules": runRules(arguments.dropFirst())
case "report": runReport(arguments.dropFirst())
case "diff": runDiff(arguments.dropFirst())
case "timeline": runTimeline(arguments.dropFirst())
case "--version", "version": print("tokentrail \(Scanner.version)"); exit(0)
case "--help", "-h", "help": print(usage, terminator: ""); exit(0)
case nil: usageError("no command given")
case let other?: usageError("unknown command '\(other)'")
}
