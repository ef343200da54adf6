import Foundation

/// `2026-11-01T00:00:02.123Z` for epoch milliseconds (ELF's TIMESTAMP_DERIVED).
func isoTime(_ ms: Int) -> String {
    let t = ms / 1000, days = t / 86400, secs = t % 86400
    let (y, m, d) = civil(days: days)
    func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
    let frac = ms % 1000
    return "\(y)-\(two(m))-\(two(d))T\(two(secs / 3600)):\(two(secs / 60 % 60)):\(two(secs % 60)).\(frac < 100 ? "0" : "")\(frac < 10 ? "0" : "")\(frac)Z"
}

/// Year, month, day of a day count since 1970-01-01 (Howard Hinnant's civil_from_days).
func civil(days: Int) -> (Int, Int, Int) {
    let z = days + 719468, era = z / 146097, doe = z - era * 146097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9
    return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
}

/// Buffered line writer for one generated file.
final class LineFile {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private(set) var size = 0
    init(_ path: String, header: String?) throws {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw NSError(domain: "bench", code: 1, userInfo: [NSLocalizedDescriptionKey: "cannot write \(path)"])
        }
        self.handle = handle
        if let header { write(header) }
    }
    func write(_ line: String) {
        write(bytes: Array(line.utf8) + [10])
    }
    /// Bytes as they are (the caller ends the line).
    func write(bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        size += bytes.count
        if buffer.count > 1 << 22 { try? handle.write(contentsOf: buffer); buffer.removeAll(keepingCapacity: true) }
    }
    func close() throws { try handle.write(contentsOf: buffer); try handle.close() }
}

/// Event Monitoring API activity of `rows` rows in `dir`, over the Login History's span: one
/// ELF Login row per session (its LOGIN_KEY, BROWSER_TYPE, address) and the session's RestApi
/// (~70%), ApiTotalUsage (~25%) and BulkApi2 (~5%) rows under that key. Sessions belong to 40
/// integration users of 12 connected apps and to 2,000 people; agents, entities and record
/// counts vary as a real org's do, a few sessions make calls from a second address, and some
/// Bulk query jobs are deleted after they complete. Returns the rows written.
func generateActivity(rows: Int, dir: String, startSeconds: Int, spanSeconds: Int) throws -> Int {
    var rng = SplitMix64(state: 20261201)
    let org = "00D5g000004Bench"
    let apps = (0..<12).map { ("Vendor App \($0)", "0H45g0000VApp\($0 < 10 ? "0" : "")\($0)") }
    let vendorAgents = (0..<12).map { "Vendor-Connector-\($0)/\(1 + $0 % 4).\($0 % 7) (+https://vendor\($0).example/bot)" }
    let peopleAgents = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
                        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
                        "SalesforceMobileSDK/12.1.0 iOS/18.1 (iPhone) Salesforce1/252.010", "DataLoaderBulkUI/62.0", "sfdx-cli/2.64.8"]
    let entities = ["Account", "Contact", "Lead", "Opportunity", "Case", "Task", "Event", "User", "Campaign", "Product2",
                    "Pricebook2", "Quote", "Contract", "Order", "Asset", "Solution", "Idea", "ContentDocument", "Attachment", "Note"]
    let resources = ["/query", "/sobjects", "/composite", "/limits", "/search"]
    let login = try LineFile(dir + "/ELF_Login.csv", header: "EVENT_TYPE,TIMESTAMP_DERIVED,REQUEST_ID,ORGANIZATION_ID,USER_ID,USER_NAME,LOGIN_TYPE,LOGIN_SUB_TYPE,LOGIN_STATUS,SOURCE_IP,CLIENT_IP,TLS_PROTOCOL,URI,LOGIN_KEY,SESSION_KEY,BROWSER_TYPE")
    let rest = try LineFile(dir + "/ELF_RestApi.csv", header: "EVENT_TYPE,TIMESTAMP_DERIVED,REQUEST_ID,ORGANIZATION_ID,USER_ID,URI,METHOD,ENTITY_NAME,STATUS_CODE,ROWS_PROCESSED,USER_AGENT,CONNECTED_APP_ID,LOGIN_KEY,SESSION_KEY,CLIENT_IP")
    let usage = try LineFile(dir + "/ELF_ApiTotalUsage.csv", header: "EVENT_TYPE,TIMESTAMP_DERIVED,REQUEST_ID,ORGANIZATION_ID,USER_ID,API_FAMILY,API_RESOURCE,CLIENT_NAME,HTTP_METHOD,CLIENT_IP,CONNECTED_APP_ID,ENTITY_NAME,STATUS_CODE,CONNECTED_APP_NAME,USER_NAME")
    let bulk = try LineFile(dir + "/ELF_BulkApi2.csv", header: "EVENT_TYPE,TIMESTAMP_DERIVED,REQUEST_ID,ORGANIZATION_ID,USER_ID,CLIENT_IP,URI,SESSION_KEY,LOGIN_KEY,JOB_ID,JOB_STATUS,OPERATION_TYPE,ENTITY_TYPE,NUMBER_RECORDS_PROCESSED,NUMBER_RECORDS_FAILED")
    var written = 0, session = 0, request = 0
    let perSession = 20, sessions = max(1, rows / perSession)
    func key(_ n: Int, _ salt: UInt64) -> String {
        var s = SplitMix64(state: UInt64(n) &* 0x9E37 &+ salt), out = ""
        for _ in 0..<16 { out.append(Character(UnicodeScalar(base62[s.below(62)]))) }
        return out
    }
    while written < rows {
        let n = session
        session += 1
        let at = (startSeconds + n * spanSeconds / sessions) * 1000 + rng.below(1000)
        let integration = rng.below(100) < 60
        let user = integration ? rng.below(40) : 40 + rng.below(2000)
        let app = integration ? user % apps.count : -1
        let userId = "0055g0000U\(String(100000 + user).suffix(5))"
        let username = integration ? "integration\(user)@bench.example" : "person\(user)@bench.example"
        let ip = integration ? "198.18.\(user % 40).\(10 + user % 4)" : "100.\(64 + rng.below(60)).\(rng.below(250)).\(2 + rng.below(250))"
        let agent = integration ? vendorAgents[app] : peopleAgents[rng.below(peopleAgents.count)]
        let loginKey = key(n, 1), sessionKey = key(n, 2)
        login.write("Login,\(isoTime(at)),4ZtL\(n),\(org),\(userId),\(username),i,\(integration ? "OauthRefreshToken" : "OauthUserAgent"),LOGIN_NO_ERROR,\(ip),\(ip),TLSv1.3,/services/oauth2/token,\(loginKey),\(sessionKey),\"\(agent)\"")
        // A few sessions' tokens are used from a second address (the divergence rule's work).
        let other = rng.below(1000) == 0 ? "203.0.113.\(rng.below(250))" : nil
        var t = at
        for k in 0..<perSession where written < rows {
            t += 500 + rng.below(20_000)
            request += 1
            let from = (k > perSession / 2 ? other : nil) ?? ip
            let entity = entities[rng.below(entities.count)]
            let roll = rng.below(100)
            if roll < 70 {
                let resource = resources[rng.below(resources.count)]
                rest.write("RestApi,\(isoTime(t)),4ZtR\(request),\(org),\(userId),/services/data/v62.0\(resource),GET,\(entity),200,\(rng.below(integration ? 500 : 40)),\"\(agent)\",\(app >= 0 ? apps[app].1 : ""),\(loginKey),\(sessionKey),\(from)")
            } else if roll < 95 {
                usage.write("ApiTotalUsage,\(isoTime(t)),4ZtU\(request),\(org),\(userId),REST,/query,,GET,\(from),\(app >= 0 ? String(apps[app].1.prefix(15)) : ""),\(entity),200,\(app >= 0 ? apps[app].0 : ""),\(username)")
            } else {
                let job = "7505g0000J\(String(1_000_000 + request).suffix(6))"
                let deleted = rng.below(1000) == 0
                for (offset, state) in [(0, "created"), (2_000, "inProgress"), (60_000, "JobComplete")] + (deleted ? [(70_000, "deleted")] : []) where written < rows {
                    let records = state == "JobComplete" ? String(rng.below(integration ? 20_000 : 3_000)) : ""
                    bulk.write("BulkApi2,\(isoTime(t + offset)),4ZtB\(request)\(state.prefix(2)),\(org),\(userId),\(from),/services/data/v62.0/jobs/query,\(sessionKey),\(loginKey),\(job),\(state),query,\(entity),\(records),\(records.isEmpty ? "" : "0")")
                    written += 1
                }
                continue
            }
            written += 1
        }
    }
    for file in [login, rest, usage, bulk] { try file.close() }
    return written
}
