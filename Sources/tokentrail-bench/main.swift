import Foundation

// Benchmark: generates a deterministic Login History export and the integrations' token-request
// log with a real org's diversity (LoginHistory.swift), then times TokenTrail against anchors
// on the same files, as separate processes, alternating, three times each: `sqlite3 .import`
// for Login History and a short Python stdlib script (`json` + `sqlite3`) for the token log.
// It prints the medians, their ratios and each process's peak RSS (wait4's rusage).
//
//   swift build -c release && .build/release/tokentrail-bench --rows 1000000 --token-requests 1000000

struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

let base62 = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

func salesforceId(_ prefix: String, _ n: Int, into out: inout [UInt8]) {
    out.append(contentsOf: Array(prefix.utf8))
    out.append(contentsOf: Array("5g00000".utf8))
    var digits = [UInt8](repeating: 0, count: 8)
    var v = n
    for i in stride(from: 7, through: 0, by: -1) { digits[i] = base62[v % 62]; v /= 62 }
    out.append(contentsOf: digits)
}

func two(_ v: Int, into out: inout [UInt8]) {
    out.append(UInt8(48 + v / 10)); out.append(UInt8(48 + v % 10))
}

struct Measurement { let seconds: Double; let peakRSSMB: Double; let status: Int32 }

/// Runs a command, returns its wall time, peak RSS and exit status.
/// `stderr`: a file for the child's stderr (default: discarded).
func measure(_ argv: [String], stdin: String? = nil, stderr: String? = nil) throws -> Measurement {
    var pid: pid_t = 0
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    var inputPath: String?
    if let stdin {
        let path = NSTemporaryDirectory() + "tokentrail-bench-\(getpid()).sql"
        try stdin.write(toFile: path, atomically: true, encoding: .utf8)
        posix_spawn_file_actions_addopen(&actions, 0, path, O_RDONLY, 0)
        inputPath = path
    }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, stderr ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)   // the status lines, not the figures
    let cArgs = argv.map { strdup($0) } + [nil]
    defer { cArgs.forEach { free($0) } }
    let began = Date()
    let rc = posix_spawnp(&pid, argv[0], &actions, nil, cArgs, environ)
    guard rc == 0 else { throw NSError(domain: "bench", code: Int(rc), userInfo: [NSLocalizedDescriptionKey: "cannot run \(argv[0])"]) }
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
    let seconds = Date().timeIntervalSince(began)
    if let inputPath { try? FileManager.default.removeItem(atPath: inputPath) }
    return Measurement(seconds: seconds, peakRSSMB: Double(usage.ru_maxrss) / 1024, status: (status >> 8) & 0xff)
}

/// A command's stdout.
func runOutput(_ argv: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = argv
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}


// MARK: main

var rows = 1_000_000
var work = "bench-work"
var tokenRequests: Int?
var apiRows = 0
var runs = 3
var oktaEvents: Int?
var generateOnly = false
var args = CommandLine.arguments.dropFirst()
while let arg = args.popFirst() {
    switch arg {
    case "--rows": rows = Int(args.popFirst() ?? "") ?? rows
    case "--work": work = args.popFirst() ?? work
    case "--token-requests": tokenRequests = Int(args.popFirst() ?? "")
    case "--api-rows": apiRows = Int(args.popFirst() ?? "") ?? 0
    case "--runs": runs = max(1, Int(args.popFirst() ?? "") ?? runs)
    case "--okta-events": oktaEvents = Int(args.popFirst() ?? "")
    case "--generate-only": generateOnly = true
    default:
        print("usage: tokentrail-bench [--rows N] [--token-requests N (default: as many as rows)] [--okta-events N (default: a fifth of rows)] [--api-rows N] [--runs K] [--work DIR] [--generate-only]")
        exit(64)
    }
}
let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("tokentrail").path
guard FileManager.default.isExecutableFile(atPath: binary) else {
    print("tokentrail binary not found next to the benchmark (\(binary)); run swift build -c release first")
    exit(2)
}
try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
let csv = "\(work)/LoginHistory_\(rows).csv"
let tokenLog = "\(work)/token-requests_\(rows).jsonl"
let db = "\(work)/bench.sqlite"
let scratch = "\(work)/scratch.sqlite"
let anchorDB = "\(work)/import.sqlite"
let pythonScript = "\(work)/anchor.py"
try pythonAnchor.write(toFile: pythonScript, atomically: true, encoding: .utf8)
let oktaLog = "\(work)/okta-system-log_\(rows).jsonl"
let pythonOktaScript = "\(work)/anchor_okta.py"
try pythonOktaAnchor.write(toFile: pythonOktaScript, atomically: true, encoding: .utf8)

let generated = Date()
let (bytes, requests) = try generate(rows: rows, path: csv, tokenPath: tokenLog, requests: tokenRequests ?? rows)
let tokenBytes = (try? FileManager.default.attributesOfItem(atPath: tokenLog)[.size] as? Int) ?? 0
print(String(format: "generated %d Login History rows (%.1f MB) and %d token-request lines (%.1f MB, %.0f B/line) in %.1f s in %@",
             rows, Double(bytes) / 1e6, requests, Double(tokenBytes) / 1e6, Double(tokenBytes) / Double(max(requests, 1)),
             Date().timeIntervalSince(generated), work))

let oktaCount = try generateOkta(events: oktaEvents ?? rows / 5, path: oktaLog, startSeconds: 1_793_491_200)
let oktaBytes = (try? FileManager.default.attributesOfItem(atPath: oktaLog)[.size] as? Int) ?? 0
print(String(format: "generated %d Okta System Log events (%.1f MB, %.0f B/line)", oktaCount, Double(oktaBytes) / 1e6, Double(oktaBytes) / Double(max(oktaCount, 1))))
if generateOnly {
    // The API activity too, when asked for: the files a hunt or export benchmark reads.
    if apiRows > 0 {
        let activity = "\(work)/activity"
        try? FileManager.default.removeItem(atPath: activity)
        try FileManager.default.createDirectory(atPath: activity, withIntermediateDirectories: true)
        let written = try generateActivity(rows: apiRows, dir: activity, startSeconds: 1_793_491_200, spanSeconds: rows * 2)
        print("generated \(written) API-activity rows (+ their ELF Login rows) in \(activity)")
    }
    exit(0)
}
var peaks: [(String, Double)] = []
func fresh(_ anchor: Bool) { removeDatabase(anchor ? anchorDB : scratch) }
let importLogins = ["sqlite3", anchorDB]
let importScript = ".mode csv\n.import \(csv) login_history\n"

// 1. Login History: ingest alone, then ingest with its analysis, against `.import`.
let ingest = try Comparison.run(times: runs, prepare: fresh, measured: [binary, "scan", csv, "--db", scratch, "--no-analysis"],
                                anchor: importLogins, anchorStdin: importScript)
print(ingest.line("Login History ingest     ", anchorName: "sqlite3 .import", target: 0.5))
let contexts = (try? runOutput(["sqlite3", scratch, "SELECT count(*) FROM login_contexts"]))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
print("  distinct login contexts: \(contexts)")
let wholeLogins = try Comparison.run(times: runs, prepare: fresh, measured: [binary, "scan", csv, "--db", scratch],
                                     anchor: importLogins, anchorStdin: importScript)
print(wholeLogins.line("Login History whole scan ", anchorName: "sqlite3 .import", target: 1.0))

// 2. The token log against the Python script.
let tokenIngest = try Comparison.run(times: runs, prepare: fresh, measured: [binary, "scan", tokenLog, "--db", scratch, "--no-analysis"],
                                     anchor: ["python3", pythonScript, tokenLog, anchorDB])
print(tokenIngest.line("token log ingest         ", anchorName: "python json+sqlite3", target: 0.33))
print(String(format: "  %.0f MB/s, %.0f lines/s", Double(tokenBytes) / 1e6 / tokenIngest.measuredMedian, Double(requests) / tokenIngest.measuredMedian))

// The summary's own cost (issue 30): each ingest above, printing its summary, alternated with
// the same ingest under --quiet; the difference of the medians and of the peaks.
for (label, file) in [("Login History", csv), ("token log", tokenLog)] {
    let summary = try Comparison.run(times: runs, prepare: fresh, measured: [binary, "scan", file, "--db", scratch, "--no-analysis"],
                                     anchor: [binary, "scan", file, "--db", anchorDB, "--no-analysis", "--quiet"])
    let seconds = summary.measuredMedian - summary.anchorMedian, megabytes = summary.measuredRSS - summary.anchorRSS
    print(String(format: "summary of the %@ scan: %+.2f s, %+.0f MB over --quiet (%.2f s vs %.2f s; bound ≤ 1 s and ≤ 20 MB: %@)", label, seconds, megabytes,
                 summary.measuredMedian, summary.anchorMedian, seconds <= 1 && megabytes <= 20 ? "met" : "missed"))
}

// The Okta System Log against the same kind of script (no target: the issue asks only that it goes through the byte reader).
let oktaIngest = try Comparison.run(times: runs, prepare: fresh, measured: [binary, "scan", oktaLog, "--db", scratch, "--no-analysis"],
                                    anchor: ["python3", pythonOktaScript, oktaLog, anchorDB])
print(oktaIngest.line("Okta System Log ingest   ", anchorName: "python json+sqlite3", target: nil))
print(String(format: "  %.0f MB/s, %.0f events/s", Double(oktaBytes) / 1e6 / oktaIngest.measuredMedian, Double(oktaCount) / oktaIngest.measuredMedian))
peaks += [("scan --no-analysis (Okta System Log)", oktaIngest.measuredRSS)]

try importScript.write(toFile: "\(work)/import.sql", atomically: true, encoding: .utf8)
// 3. Both, ingested and analysed in one scan, against `.import` plus the script.
let both = try Comparison.run(times: runs, prepare: { removeDatabase($0 ? anchorDB : db) }, measured: [binary, "scan", csv, tokenLog, "--db", db],
                              anchor: ["sh", "-c", "sqlite3 \(anchorDB) < \(work)/import.sql && python3 \(pythonScript) \(tokenLog) \(anchorDB)"],
                              anchorStdin: nil)
print(both.line("logins + requests scan   ", anchorName: ".import + python", target: 1.5))
peaks += [("scan --no-analysis (logins)", ingest.measuredRSS), ("scan (logins)", wholeLogins.measuredRSS),
          ("scan --no-analysis (token log)", tokenIngest.measuredRSS), ("scan (logins + requests)", both.measuredRSS)]
fresh(true)

// 4. The read side on the database of both: a week's report, the whole span's, the other read commands.
let weekDir = "\(work)/report-week"
try? FileManager.default.removeItem(atPath: weekDir)
let week = try measure([binary, "report", "--db", db, "--out", weekDir])
print(String(format: "report of the last week : %.2f s (target ≤ 5 s: %@)  peak %.0f MB", week.seconds, week.seconds <= 5 ? "met" : "missed", week.peakRSSMB))
let suggest = try measure([binary, "policy", "suggest", "--db", db])
print(String(format: "policy suggest          : %.2f s  peak %.0f MB", suggest.seconds, suggest.peakRSSMB))
let timeline = try measure([binary, "timeline", "--db", db, "--user", "integration7@acme.example", "--since", "2026-11-10T00:00:00Z", "--until", "2026-11-11T00:00:00Z"])
print(String(format: "timeline of a user's day: %.2f s  peak %.0f MB", timeline.seconds, timeline.peakRSSMB))
let diff = try measure([binary, "diff", "--db", db])
print(String(format: "diff                    : %.2f s  peak %.0f MB", diff.seconds, diff.peakRSSMB))
peaks += [("report (week)", week.peakRSSMB), ("policy suggest", suggest.peakRSSMB), ("timeline", timeline.peakRSSMB), ("diff", diff.peakRSSMB)]
for m in [week, suggest, timeline, diff] where m.status > 1 { print("a read command exited \(m.status)"); exit(1) }

let empty = "\(work)/empty"
try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
let analyzeAll = [binary, "scan", empty, "--db", db, "--quiet", "--since", "2026-11-01T00:00:00Z", "--until", "2036-01-01T00:00:00Z"]
if apiRows > 0 {
    // The API-activity rules (issue 10) against the analysis before them, in one invocation:
    // the anchor is the database without API activity analysed without those rules; the
    // measured run adds `apiRows` rows of API activity and runs every rule. Alternated; the medians are compared.
    let newRules = ["client-fingerprint-drift", "session-export-volume", "bulk-first-use", "query-job-deleted", "session-ip-divergence",
                    "app-id-collision", "integration-ip-blocked", "okta-session-replay", "okta-token-new-ip"]
    let anchorPolicy = "\(work)/without-api-rules.json"
    try ("{\"rules\": {" + newRules.map { "\"\($0)\": {\"enabled\": false}" }.joined(separator: ", ") + "}}").write(toFile: anchorPolicy, atomically: true, encoding: .utf8)
    let before = "\(work)/before-api.sqlite"
    removeDatabase(before)
    try FileManager.default.copyItem(atPath: db, toPath: before)
    let activity = "\(work)/activity"
    try? FileManager.default.removeItem(atPath: activity)
    try FileManager.default.createDirectory(atPath: activity, withIntermediateDirectories: true)
    let began = Date()
    let written = try generateActivity(rows: apiRows, dir: activity, startSeconds: 1_793_491_200, spanSeconds: rows * 2)
    print(String(format: "generated %d API-activity rows (+ their ELF Login rows) in %.1f s: %@", written, Date().timeIntervalSince(began), activity))
    let ingestActivity = try measure([binary, "scan", activity, "--db", db, "--quiet", "--no-analysis"])
    guard ingestActivity.status == 0 else { print("tokentrail scan of the API activity exited \(ingestActivity.status)"); exit(1) }
    print(String(format: "API activity ingest     : %.2f s  peak %.0f MB", ingestActivity.seconds, ingestActivity.peakRSSMB))
    var anchorRun = analyzeAll
    anchorRun[4] = before
    let api = try Comparison.run(times: runs, prepare: { _ in }, measured: analyzeAll, anchor: anchorRun + ["--policy", anchorPolicy])
    print(api.line("analysis with API activity", anchorName: "without it and its rules", target: 1.3))
    peaks += [("scan --no-analysis (API activity)", ingestActivity.peakRSSMB), ("scan (analysis with API activity)", api.measuredRSS)]
    // Incidents (issue 11): grouping and blast radius against the rest of the same analysis,
    // from its own step timings (one process: no run-to-run noise in the ratio).
    let timings = "\(work)/timings.txt"
    setenv("TOKENTRAIL_TIMINGS", "1", 1)
    let timed = try measure(analyzeAll, stderr: timings)
    unsetenv("TOKENTRAIL_TIMINGS")
    let steps = (try? String(contentsOfFile: timings, encoding: .utf8)) ?? ""
    let incidentSeconds = steps.split(separator: "\n").first { $0.hasPrefix("incidents ") }
        .flatMap { $0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first }.flatMap { Double($0) } ?? 0
    let incidentCount = (try? runOutput(["sqlite3", db, "SELECT count(*) FROM incidents"]))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
    print(String(format: "incidents (%@ of them): %.2f s of a %.2f s analysis: +%.0f%% over the rest (target ≤ 20%%)", incidentCount, incidentSeconds,
                 timed.seconds, 100 * incidentSeconds / max(timed.seconds - incidentSeconds, 0.001)))
    let reportDir = "\(work)/report"
    try? FileManager.default.removeItem(atPath: reportDir)
    let report = try measure([binary, "report", "--db", db, "--out", reportDir, "--since", "2026-11-01T00:00:00Z"])
    let pages = (try? FileManager.default.contentsOfDirectory(atPath: reportDir)) ?? []
    let size = pages.reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: reportDir + "/" + $1)[.size] as? Int) ?? 0) }
    print(String(format: "report of the whole span: %.2f s, %d pages (%d incident pages), %.2f MB  peak %.0f MB",
                 report.seconds, pages.count, pages.filter { $0.hasPrefix("incident-") }.count, Double(size) / 1e6, report.peakRSSMB))
    peaks += [("report (whole span)", report.peakRSSMB)]
}
// 5. The rest of a weekly cron's commands on the database of both, each with an anchor that
// reads what it reads with `sqlite3`, alternated.
let incidents = try Comparison.run(times: runs, prepare: { _ in }, measured: [binary, "incidents", "--db", db],
                                   anchor: ["sqlite3", db, "SELECT * FROM incidents; SELECT * FROM triage;"])
print(incidents.line("incidents                ", anchorName: "sqlite3 reading them", target: nil))
let iocs = "\(work)/iocs.txt"
try writeIndicators(to: iocs, count: 1_000)
let hunt = try Comparison.run(times: runs, prepare: { _ in }, measured: [binary, "hunt", iocs, "--db", db],
                              anchor: ["sqlite3", db], anchorStdin: huntAnchorSQL, succeeded: [0, 1])
print(hunt.line("hunt, 1,000 indicators   ", anchorName: "sqlite3 reading the columns", target: nil))
let exportDir = "\(work)/ocsf"
let export = try Comparison.run(times: runs, prepare: { _ in try? FileManager.default.removeItem(atPath: exportDir) },
                                measured: [binary, "export", "--format", "ocsf", "--db", db, "--out", exportDir],
                                anchor: ["sqlite3", db], anchorStdin: exportAnchorSQL)
print(export.line("export --format ocsf     ", anchorName: "sqlite3 reading the rows, names resolved", target: nil))
peaks += [("incidents", incidents.measuredRSS), ("hunt", hunt.measuredRSS), ("export", export.measuredRSS)]

let worst = peaks.max { $0.1 < $1.1 } ?? ("", 0)
print(String(format: "peak RSS of every command < 200 MB: %@ (highest: %@, %.0f MB)", worst.1 < 200 ? "met" : "missed", worst.0, worst.1))
