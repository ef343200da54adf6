import Foundation

// Benchmark: generates a deterministic, realistic Login History export (API shape, 20
// columns: quoted user agents with commas and quotes, embedded newlines, ~4% failures),
// then times, as separate processes: ingest (`tokentrail scan FILE --no-analysis`), analysis
// of everything ingested (`tokentrail scan EMPTY-DIR --since … --until …`), and
// `sqlite3 .import` of the same file as the anchor. Peak RSS comes from wait4's rusage.
//
//   swift build -c release && .build/release/tokentrail-bench --rows 1000000

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

/// Writes `rows` Login History rows and, when `tokenPath` is given, one client token-request
/// line (TokenTrail's JSON-lines schema) for each server-to-server login, as the integration's
/// own log would hold it; `serverToServer` is their share of the logins in millionths. Returns the Login History file's size and the number of requests.
func generate(rows: Int, path: String, tokenPath: String? = nil, serverToServer: Int = 0) throws -> (bytes: Int, requests: Int) {
    let apps = ["Acme ERP Sync", "Acme Reporting", "Salesforce for iOS", "Browser", "Dataloader Partner",
                "\"Acme \"\"Ops\"\" Console, EU\"", "Workbench", "Salesforce CLI"]
    let agents = ["\"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0\"",
                  "\"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Safari/18\"",
                  "Unknown", "Chrome 131", "\"python-requests/2.32, \"\"urllib3\"\"\""]
    let types = [("Remote Access 2.0", ""), ("Remote Access 2.0", "OAuth Client Credentials"),
                 ("Remote Access 2.0", "OAuth Refresh Token"), ("Application", "UI Username-Password"),
                 ("SAML Sfdc Initiated SSO", ""), ("Remote Access 2.0", "OAuth Username-Password")]
    let failures = ["Invalid Password", "Failed: Not approved for access", "\"Failed: Invalid Timestamp\n(assertion expired on arrival)\"",
                    "Failed: IP Address Not Allowed", "User is frozen"]
    guard let handle = FileHandle(forWritingAtPath: path) ?? {
        FileManager.default.createFile(atPath: path, contents: nil)
        return FileHandle(forWritingAtPath: path)
    }() else { throw NSError(domain: "bench", code: 1, userInfo: [NSLocalizedDescriptionKey: "cannot write \(path)"]) }
    defer { try? handle.close() }
    try handle.truncate(atOffset: 0)
    var tokens: FileHandle?
    if let tokenPath {
        FileManager.default.createFile(atPath: tokenPath, contents: nil)
        tokens = FileHandle(forWritingAtPath: tokenPath)
    }
    defer { try? tokens?.close() }
    var tokenOut: [UInt8] = []
    var requests = 0
    var rng = SplitMix64(state: 20261122)
    var out: [UInt8] = []
    out.reserveCapacity(1 << 22)
    out.append(contentsOf: Array("Id,UserId,LoginTime,LoginType,LoginSubType,SourceIp,LoginUrl,AuthenticationServiceId,LoginGeoId,TlsProtocol,CipherSuite,Browser,Platform,Status,Application,ClientVersion,ApiType,ApiVersion,CountryIso,AuthMethodReference\n".utf8))
    var size = 0
    let start = 1_793_491_200  // 2026-11-01T00:00:00Z
    for n in 0..<rows {
        let t = start + n * 2 + rng.below(2)   // ~2 s apart, ascending like a real export
        let days = t / 86400, secs = t % 86400
        // civil date from days since epoch
        let z = days + 719468, era = z / 146097, doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9, y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        salesforceId("0Ya", n, into: &out); out.append(44)
        let user = rng.below(3000)
        salesforceId("005", user, into: &out); out.append(44)
        out.append(contentsOf: Array(String(y).utf8)); out.append(45); two(m, into: &out); out.append(45); two(d, into: &out)
        out.append(84); two(secs / 3600, into: &out); out.append(58); two(secs / 60 % 60, into: &out); out.append(58)
        two(secs % 60, into: &out); out.append(46)
        let ms = rng.below(1000)
        out.append(UInt8(48 + ms / 100)); out.append(UInt8(48 + ms / 10 % 10)); out.append(UInt8(48 + ms % 10))
        out.append(contentsOf: Array("+0000,".utf8))
        // With client logs, `serverToServer` of the logins are JWT bearer (3 in 4) or client
        // credentials logins that the integration's log records too; the rest are the usual mix.
        let failed = rng.below(100) < 4
        let s2s = tokens != nil && rng.below(1_000_000) < serverToServer
        let (type, subtype) = s2s ? types[rng.below(4) == 0 ? 1 : 0] : types[rng.below(types.count)]
        if s2s {
            // The client sends its request ~0.3 s before the server records the login; the
            // response's Date header is the server's clock at second precision.
            let sentMs = Int64(t) * 1000 + Int64(ms) - 300
            var userId: [UInt8] = []
            salesforceId("005", user, into: &userId)
            let jwt = subtype.isEmpty
            let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][days % 7]
            let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][m - 1]
            var date: [UInt8] = Array("\(weekday), ".utf8)
            two(d, into: &date); date += Array(" \(month) \(y) ".utf8)
            two(secs / 3600, into: &date); date.append(58); two(secs / 60 % 60, into: &date); date.append(58); two(secs % 60, into: &date)
            let grant = jwt ? "urn:ietf:params:oauth:grant-type:jwt-bearer" : "client_credentials"
            let claims = jwt ? ",\"claims\":{\"iss\":\"3MVG9bench\",\"sub\":\"user\(user)@bench.example\","
                + "\"aud\":\"https://login.salesforce.com\",\"iat\":\(sentMs / 1000),\"exp\":\(sentMs / 1000 + 180)}" : ""
            let line = "{\"ts\":\(sentMs),\"host\":\"bench-\(user % 8)\",\"integration\":\"bench-sync\",\"provider\":\"salesforce\","
                + "\"token_url\":\"https://login.salesforce.com/services/oauth2/token\",\"grant_type\":\"\(grant)\","
                + "\"client_id\":\"3MVG9bench\(jwt ? "" : "CC")\"\(claims),"
                + (failed ? "\"http_status\":400,\"error\":\"invalid_grant\",\"error_description\":\"authentication failure\"," : "\"http_status\":200,")
                + "\"server_date\":\"\(String(decoding: date, as: UTF8.self)) GMT\","
                + "\"duration_ms\":\(120 + rng.below(200)),\"id\":\"https://login.salesforce.com/id/00D5g000004BenchAAA/\(String(decoding: userId, as: UTF8.self))\"}\n"
            tokenOut.append(contentsOf: Array(line.utf8))
            requests += 1
            if tokenOut.count > 1 << 22 { try tokens?.write(contentsOf: tokenOut); tokenOut.removeAll(keepingCapacity: true) }
        }
        out.append(contentsOf: Array(type.utf8)); out.append(44)
        out.append(contentsOf: Array(subtype.utf8)); out.append(44)
        out.append(contentsOf: Array("198.51.\(rng.below(40)).\(rng.below(250))".utf8)); out.append(44)
        out.append(contentsOf: Array("login.salesforce.com,,".utf8))
        salesforceId("04F", rng.below(50000), into: &out)
        out.append(contentsOf: Array(",TLS 1.2,ECDHE-RSA-AES256-GCM-SHA384,".utf8))
        out.append(contentsOf: Array(agents[rng.below(agents.count)].utf8))
        out.append(contentsOf: Array(",Unknown,".utf8))
        if failed { out.append(contentsOf: Array(failures[rng.below(failures.count)].utf8)) } else { out.append(contentsOf: Array("Success".utf8)) }
        out.append(44)
        out.append(contentsOf: Array(apps[rng.below(apps.count)].utf8))
        out.append(contentsOf: Array(",N/A,N/A,N/A,US,\n".utf8))
        if out.count > (1 << 22) - 1024 {
            try handle.write(contentsOf: out)
            size += out.count
            out.removeAll(keepingCapacity: true)
        }
    }
    try handle.write(contentsOf: out)
    try tokens?.write(contentsOf: tokenOut)
    return (size + out.count, requests)
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
var withTokenLogs = false
var tokenRequests: Int?
var apiRows = 0
var args = CommandLine.arguments.dropFirst()
while let arg = args.popFirst() {
    switch arg {
    case "--rows": rows = Int(args.popFirst() ?? "") ?? rows
    case "--work": work = args.popFirst() ?? work
    case "--with-token-logs": withTokenLogs = true
    case "--token-requests": tokenRequests = Int(args.popFirst() ?? ""); withTokenLogs = true
    case "--api-rows": apiRows = Int(args.popFirst() ?? "") ?? 0
    default:
        print("usage: tokentrail-bench [--rows N] [--work DIR] [--with-token-logs | --token-requests N] [--api-rows N]")
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
let db = "\(work)/bench.sqlite"
let anchorDB = "\(work)/import.sqlite"
for path in [db, db + "-wal", db + "-shm", anchorDB] { try? FileManager.default.removeItem(atPath: path) }

let generated = Date()
let tokenLog = withTokenLogs ? "\(work)/token-requests_\(rows).jsonl" : nil
// By default a third of the logins are server-to-server; `--token-requests N` sets N of them.
let share = min(1_000_000, (tokenRequests ?? rows / 3) * 1_000_000 / max(rows, 1))
let (bytes, requests) = try generate(rows: rows, path: csv, tokenPath: tokenLog, serverToServer: share)
print(String(format: "generated %d rows, %.1f MB in %.1f s: %@", rows, Double(bytes) / 1e6, Date().timeIntervalSince(generated), csv))
if let tokenLog { print("generated \(requests) client token requests: \(tokenLog)") }

let scan = try measure([binary, "scan", csv] + (tokenLog.map { [$0] } ?? []) + ["--db", db, "--quiet", "--no-analysis"])
guard scan.status == 0 else { print("tokentrail scan exited \(scan.status)"); exit(1) }
let empty = "\(work)/empty"
try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
let analyzeAll = [binary, "scan", empty, "--db", db, "--quiet", "--since", "2026-11-01T00:00:00Z", "--until", "2036-01-01T00:00:00Z"]
var analysis = try measure(analyzeAll)
guard analysis.status == 0 else { print("tokentrail analysis exited \(analysis.status)"); exit(1) }
if apiRows > 0 {
    // The API-activity rules (issue 10) against the analysis before them, in one invocation:
    // the anchor is the database without API activity analysed without those rules; the
    // measured run adds `apiRows` rows of API activity and runs every rule. Alternated, three times; the medians are compared.
    let newRules = ["client-fingerprint-drift", "session-export-volume", "bulk-first-use", "query-job-deleted", "session-ip-divergence",
                    "app-id-collision", "integration-ip-blocked", "okta-session-replay", "okta-token-new-ip"]
    let anchorPolicy = "\(work)/without-api-rules.json"
    try ("{\"rules\": {" + newRules.map { "\"\($0)\": {\"enabled\": false}" }.joined(separator: ", ") + "}}").write(toFile: anchorPolicy, atomically: true, encoding: .utf8)
    let before = "\(work)/before-api.sqlite"
    try? FileManager.default.removeItem(atPath: before)
    try FileManager.default.copyItem(atPath: db, toPath: before)
    let activity = "\(work)/activity"
    try? FileManager.default.removeItem(atPath: activity)
    try FileManager.default.createDirectory(atPath: activity, withIntermediateDirectories: true)
    let began = Date()
    let written = try generateActivity(rows: apiRows, dir: activity, startSeconds: 1_793_491_200, spanSeconds: rows * 2)
    print(String(format: "generated %d API-activity rows (+ their ELF Login rows) in %.1f s: %@", written, Date().timeIntervalSince(began), activity))
    let ingestActivity = try measure([binary, "scan", activity, "--db", db, "--quiet", "--no-analysis"])
    guard ingestActivity.status == 0 else { print("tokentrail scan of the API activity exited \(ingestActivity.status)"); exit(1) }
    var anchors: [Measurement] = [], measured: [Measurement] = []
    for _ in 0..<3 {
        var run = analyzeAll
        run[4] = before
        anchors.append(try measure(run + ["--policy", anchorPolicy]))
        measured.append(try measure(analyzeAll))
    }
    guard (anchors + measured).allSatisfy({ $0.status == 0 }) else { print("an analysis run failed"); exit(1) }
    func median(_ runs: [Measurement]) -> Double { runs.map(\.seconds).sorted()[runs.count / 2] }
    let a = median(anchors), m = median(measured)
    print(String(format: "API activity ingest: %6.2f s  peak RSS %6.1f MB", ingestActivity.seconds, ingestActivity.peakRSSMB))
    func runs(_ list: [Measurement]) -> String { list.map { String(format: "%.2f s", $0.seconds) }.joined(separator: ", ") }
    print(String(format: "analysis without API activity and its rules (anchor): %@  peak RSS %6.1f MB", runs(anchors), anchors.map(\.peakRSSMB).max() ?? 0))
    print(String(format: "analysis with %d API rows and every rule           : %@  peak RSS %6.1f MB", written, runs(measured),
                 measured.map(\.peakRSSMB).max() ?? 0))
    print(String(format: "ratio of the medians: %.2f (target ≤ 1.30), peak RSS target < 200 MB: %@", m / max(a, 0.001),
                 (measured.map(\.peakRSSMB).max() ?? 0) < 200 ? "met" : "missed"))
    analysis = measured[1]
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
    let bytes = pages.reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: reportDir + "/" + $1)[.size] as? Int) ?? 0) }
    print(String(format: "report of the whole span: %.2f s, %d pages (%d incident pages), %.2f MB (target < 2 MB with 50 incidents)  peak RSS %6.1f MB",
                 report.seconds, pages.count, pages.filter { $0.hasPrefix("incident-") }.count, Double(bytes) / 1e6, report.peakRSSMB))
}
// After analysis the database holds findings and pairs: the read commands must stay quick on it.
let suggest = try measure([binary, "policy", "suggest", "--db", db])
guard suggest.status == 0 else { print("tokentrail policy suggest exited \(suggest.status)"); exit(1) }
let anchor = try measure(["sqlite3", anchorDB], stdin: ".mode csv\n.import \(csv) login_history\n")
guard anchor.status == 0 else { print("sqlite3 .import exited \(anchor.status)"); exit(1) }

let records = Double(rows + requests)
print(String(format: "tokentrail ingest  : %6.2f s  %9.0f records/s  peak RSS %6.1f MB", scan.seconds, records / scan.seconds, scan.peakRSSMB))
print(String(format: "tokentrail analyze : %6.2f s  %9.0f records/s  peak RSS %6.1f MB", analysis.seconds, records / analysis.seconds, analysis.peakRSSMB))
print(String(format: "policy suggest     : %6.2f s  (target < 10 s)                 peak RSS %6.1f MB", suggest.seconds, suggest.peakRSSMB))
print(String(format: "sqlite3 .import    : %6.2f s  %9.0f rows/s  peak RSS %6.1f MB", anchor.seconds, Double(rows) / anchor.seconds, anchor.peakRSSMB))
if tokenLog == nil {
print(String(format: "ratio ingest/import: %.2f (target ≤ 0.50), ingest target ≥ 400000 rows/s: %@", scan.seconds / anchor.seconds,
             Double(rows) / scan.seconds >= 400_000 ? "met" : "missed"))
}
