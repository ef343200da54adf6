import Foundation

/// The benchmark's Login History export (API shape, 20 columns) and the integrations' own
/// token-request log, generated together so that a client request and the server's login of
/// it agree on time, user and app.
///
/// Diversity is what a real org's export has, not what is easiest to read: 5,000 people and 60
/// integration users of 24 connected apps (some names quoted, with commas and doubled quotes),
/// browsers and client agents in many versions, logins from many networks, a status mix with
/// an embedded newline, My Domain and sandbox login URLs. That gives tens of thousands of
/// distinct login contexts (type, status, URL, TLS, browser, platform, API fields, …).
struct LoginHistoryGenerator {
    static let header = "Id,UserId,LoginTime,LoginType,LoginSubType,SourceIp,LoginUrl,AuthenticationServiceId,LoginGeoId,TlsProtocol,CipherSuite,Browser,Platform,Status,Application,ClientVersion,ApiType,ApiVersion,CountryIso,AuthMethodReference\n"

    static let integrationApps = ["Acme ERP Sync", "Acme Reporting", "\"Acme \"\"Ops\"\" Console, EU\"", "Drift", "\"Gainsight, CS\"",
                                  "Klue Battlecards", "Zapier", "DocuSign eSignature", "Slack for Salesforce", "Tableau CRM Connector",
                                  "Marketo Sync", "HubSpot Integration", "\"Outreach, Inc.\"", "Conga Composer", "Mulesoft Anypoint",
                                  "Informatica Cloud", "Fivetran", "Stitch Data", "Segment", "Jira Cloud Sync", "ServiceNow Bridge",
                                  "Workato", "\"Boomi \"\"AtomSphere\"\"\"", "Snowflake Loader"]
    static let peopleApps = ["Browser", "Salesforce for iOS", "Salesforce for Android", "Salesforce CLI", "Workbench",
                             "Dataloader Partner", "Salesforce Inbox", "Outlook Integration", "Salesforce for Outlook", "Chatter Desktop"]
    /// Integration clients' agents, quoted the way an export quotes them (commas inside).
    static let clientAgents: [String] = {
        var agents: [String] = []
        for v in ["2.28.2", "2.31.0", "2.32.3"] { agents.append("python-requests/\(v)") }
        for v in ["11.0.21", "17.0.9", "21.0.2"] { agents.append("Java/\(v)") }
        for v in ["1.21", "1.22"] { agents.append("Go-http-client/\(v == "1.21" ? "1.1" : "2.0")") }
        for v in ["2.7.0", "3.3.2"] { agents.append("node-fetch/\(v)") }
        agents.append("\"Apache-HttpClient/4.5.14 (Java/17.0.9)\"")
        agents.append("\"simple-salesforce/1.12.6, python-requests/2.32.3\"")
        agents.append("\"okhttp/4.12.0\"")
        agents.append("Unknown")
        return agents
    }()
    static let browsers: [(browser: String, platform: String, tls: Int)] = {
        var out: [(String, String, Int)] = []
        for v in 118...131 { out.append(("Chrome \(v)", v % 3 == 0 ? "Mac OSX" : "Windows 10", 1)) }
        for v in 128...133 { out.append(("Firefox \(v)", v % 2 == 0 ? "Linux" : "Windows 10", 1)) }
        for v in 16...18 { out.append(("Safari \(v)", "Mac OSX", 0)) }
        for v in 125...131 { out.append(("Edge \(v)", "Windows 11", 1)) }
        for v in ["248.1", "250.2", "252.0"] { out.append(("Salesforce Mobile \(v)", "iPhone", 0)) }
        for v in ["248.1", "252.0"] { out.append(("Salesforce Mobile \(v)", "Android 14", 0)) }
        out.append(("\"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.86 Safari/537.36\"", "Windows 10", 1))
        out.append(("\"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15\"", "Mac OSX", 0))
        out.append(("Unknown", "Unknown", 1))
        return out
    }()
    static let humanTypes = [("Application", "UI Username-Password", 30), ("SAML Sfdc Initiated SSO", "", 22), ("SAML Idp Initiated SSO", "", 8),
                             ("Remote Access 2.0", "OAuth Refresh Token", 14), ("Remote Access 2.0", "OAuth Web Server", 6),
                             ("Remote Access 2.0", "OAuth User-Agent", 4), ("Remote Access 2.0", "OAuth Username-Password", 3),
                             ("Other Apex API", "", 4), ("Partner Product", "", 3), ("Application", "UI Password Reset", 1),
                             ("Remote Access 2.0", "OAuth Hybrid Refresh Token", 2), ("Chatter Communities External User", "", 3)]
    static let humanFailures = ["Invalid Password", "Failed: Computer activation required", "Failed: API security token required",
                                "Password Lockout", "Restricted IP", "Restricted Time", "Invalid - User Inactive",
                                "Failed: Password Expired", "User is frozen", "Failed: Not approved for access"]
    static let serverFailures = ["Failed: Not approved for access", "\"Failed: Invalid Timestamp\n(assertion expired on arrival)\"",
                                 "Failed: IP Address Not Allowed", "Failed: Invalid Audience", "Invalid - User Inactive"]
    static let loginUrls = ["login.salesforce.com", "acme.my.salesforce.com", "acme.lightning.force.com", "acme--uat.sandbox.my.salesforce.com"]
    static let countries = ["US", "US", "US", "GB", "DE", "FR", "JP", "IN", "CA", "AU", "BR", "NL", "SG", "IE", "ES", "MX"]
    static let ciphers = [("TLS 1.2", "ECDHE-RSA-AES256-GCM-SHA384"), ("TLS 1.3", "TLS_AES_256_GCM_SHA384"), ("TLS 1.3", "TLS_AES_128_GCM_SHA256"),
                          ("TLS 1.2", "ECDHE-RSA-AES128-GCM-SHA256")]

    var rng: SplitMix64
    init(seed: UInt64) { rng = SplitMix64(state: seed) }

    /// One weighted choice among `(…, weight)` items.
    mutating func weighted<T>(_ items: [T], weight: (T) -> Int) -> T {
        let total = items.reduce(0) { $0 + weight($1) }
        var pick = rng.below(total)
        for item in items { pick -= weight(item); if pick < 0 { return item } }
        return items[items.count - 1]
    }
}

/// The integration's token-request log line for one request: ~880 bytes, as a real client
/// library's structured log writes it (ISO or epoch times, claims or the raw assertion, the
/// response's Date header and identity URL, trace ids and job metadata the reader does not know).
struct TokenLineWriter {
    static let consumerKeys = (0..<24).map { n -> String in
        var s = SplitMix64(state: UInt64(n) &+ 77), key = "3MVG9"
        for _ in 0..<80 { key.append(Character(UnicodeScalar(base62[s.below(62)]))) }
        return key
    }
    static let failures = [("invalid_grant", "expired access/refresh token"), ("invalid_grant", "audience is invalid"),
                           ("invalid_grant", "user hasn't approved this consumer"), ("invalid_client", "invalid client credentials"),
                           ("invalid_grant", "invalid assertion"), ("invalid_grant", "authentication failure")]
    static let oktaFailures = [("E0000005", "Invalid session"), ("E0000011", "Invalid token provided"), ("E0000047", "API call exceeded rate limit due to too many requests.")]
    static let libraries = ["simple-salesforce/1.12.6", "jsforce/3.6.2", "force-rest-api/0.0.45", "salesforce-bulk/2.2.0", "sfdx-core/8.6.1"]

    var rng: SplitMix64
    init(seed: UInt64) { rng = SplitMix64(state: seed) }

    static let podAlphabet = Array("bcdfghjklmnpqrstvwxz2456789".utf8)
    static func podName(worker: Int, rollout: Int, replica: Int) -> String {
        var r = SplitMix64(state: UInt64(worker &* 1_000_003 &+ rollout))
        let hash = String(decoding: (0..<9).map { _ in podAlphabet[r.below(podAlphabet.count)] }, as: UTF8.self)
        var p = SplitMix64(state: UInt64(worker &* 1_000_003 &+ rollout) &* 31 &+ UInt64(replica))
        let suffix = String(decoding: (0..<5).map { _ in podAlphabet[p.below(podAlphabet.count)] }, as: UTF8.self)
        return "etl-\(worker)-\(hash)-\(suffix)"
    }

    /// `failed`: the request was refused (the server's login row, if any, failed too).
    mutating func salesforce(sentMs: Int, user: Int, app: Int, jwt: Bool, failed: Bool, tokenHost: String, into out: inout [UInt8]) {
        // Pods, not servers: each of the 12 workers is a Deployment of three replicas, renamed
        // as Kubernetes names them (`<deployment>-<pod-template hash>-<suffix>`) at every
        // rollout, four a day: a month of requests comes from thousands of hosts, which the
        // rules about a client's configuration group back into 12 workloads (HostWorkload).
        let host = Self.podName(worker: user % 12, rollout: sentMs / 21_600_000, replica: rng.below(3))
        out += Array("{\"ts\":".utf8)
        appendTime(sentMs, into: &out)
        out += Array(",\"host\":\"\(host)\",\"integration\":\"integration-\(app)\",\"provider\":\"salesforce\",\"token_url\":\"https://\(tokenHost)/services/oauth2/token\",".utf8)
        out += Array("\"grant_type\":\"\(jwt ? "urn:ietf:params:oauth:grant-type:jwt-bearer" : "client_credentials")\",\"client_id\":\"\(Self.consumerKeys[app])\",".utf8)
        let iat = sentMs / 1000
        let claims = "{\"iss\":\"\(Self.consumerKeys[app])\",\"sub\":\"integration\(user)@acme.example\",\"aud\":\"https://\(tokenHost)\",\"iat\":\(iat),\"exp\":\(iat + 180),\"jti\":\"\(hex(16))\"}"
        if jwt {
            if rng.below(5) < 2 {
                // A raw assertion, as a careless client logs it: header.payload.signature.
                out += Array("\"assertion\":\"eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.".utf8)
                base64URL(Array(claims.utf8), into: &out)
                out.append(UInt8(ascii: "."))
                for _ in 0..<342 { out.append(base62[rng.below(62)]) }
                out += Array("\",".utf8)
            } else {
                out += Array("\"claims\":\(claims),".utf8)
            }
        }
        if failed {
            let (error, description) = Self.failures[rng.below(Self.failures.count)]
            out += Array("\"http_status\":400,\"error\":\"\(error)\",\"error_description\":\"\(description)\",".utf8)
        } else {
            out += Array("\"http_status\":200,\"instance_url\":\"https://acme.my.salesforce.com\",\"id\":\"https://login.salesforce.com/id/00D5g000004BenchAAA/".utf8)
            salesforceId("005", user, into: &out)
            out += Array("\",".utf8)
            out += Array("\"issued_at\":\"\(sentMs + 280)\",".utf8)
            if rng.below(10) < 3 {
                // A fifth of all lines: the access token itself, logged by mistake.
                out += Array("\"access_token\":\"00D5g000004BenchAAA!AR8AQ".utf8)
                for _ in 0..<96 { out.append(base62[rng.below(62)]) }
                out += Array("\",\"token_type\":\"Bearer\",\"scope\":\"api refresh_token\",".utf8)
            }
        }
        serverDate(sentMs + 300, into: &out)
        appendTail(into: &out)
    }

    /// A request to Okta's token or management API (the SSWS header is fingerprinted).
    mutating func okta(sentMs: Int, n: Int, into out: inout [UInt8]) {
        out += Array("{\"time\":".utf8)
        appendTime(sentMs, into: &out)
        out += Array(",\"host\":\"idm-\(n % 4).prod.acme.internal\",\"service\":\"okta-provisioner\",\"provider\":\"okta\",".utf8)
        out += Array("\"url\":\"https://acme.okta.com/oauth2/v1/token\",\"grant_type\":\"client_credentials\",\"client_id\":\"0oa\(["1f8x2", "4kq7z", "9mm0c", "b2n5d"][n % 4])Bench697\",".utf8)
        if rng.below(3) == 0 { out += Array("\"authorization\":\"SSWS 00\(hex(20))\",".utf8) }
        if rng.below(100) < 3 {
            let (code, summary) = Self.oktaFailures[rng.below(Self.oktaFailures.count)]
            out += Array("\"http_status\":401,\"errorCode\":\"\(code)\",\"errorSummary\":\"\(summary)\",\"errorLink\":\"\(code)\",\"errorId\":\"oae\(hex(11))\",".utf8)
        } else {
            out += Array("\"http_status\":200,\"scope\":\"okta.users.read okta.groups.read\",\"expires_in\":3600,".utf8)
        }
        serverDate(sentMs + 150, into: &out)
        appendTail(into: &out)
    }

    /// ISO 8601 (half), epoch milliseconds (a quarter) or epoch seconds with a fraction.
    private mutating func appendTime(_ ms: Int, into out: inout [UInt8]) {
        switch rng.below(4) {
        case 0, 1: out += Array("\"\(isoTime(ms))\"".utf8)
        case 2: out += Array(String(ms).utf8)
        default: out += Array(String(format: "%d.%03d", ms / 1000, ms % 1000).utf8)
        }
    }

    private func serverDate(_ ms: Int, into out: inout [UInt8]) {
        let t = ms / 1000, days = t / 86400, secs = t % 86400
        let (y, m, d) = civil(days: days)
        let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][days % 7]
        let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][m - 1]
        out += Array(String(format: "\"server_date\":\"%@, %02d %@ %d %02d:%02d:%02d GMT\",", weekday, d, month, y, secs / 3600, secs / 60 % 60, secs % 60).utf8)
    }

    /// The keys a logging library adds: durations, trace context, job metadata, environment.
    private mutating func appendTail(into out: inout [UInt8]) {
        out += Array("\"duration_ms\":\(80 + rng.below(400)),\"source_ip\":\"10.20.\(rng.below(8)).\(10 + rng.below(40))\",".utf8)
        out += Array("\"trace_id\":\"\(hex(32))\",\"library\":\"\(Self.libraries[rng.below(Self.libraries.count)])\",".utf8)
        out += Array("\"job\":{\"name\":\"sync-\(["accounts", "contacts", "opportunities", "cases", "users"][rng.below(5)])\",\"run\":\(rng.below(100_000))},\"env\":\"prod\"}\n".utf8)
    }

    private mutating func hex(_ count: Int) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var s: [UInt8] = []
        for _ in 0..<count { s.append(digits[rng.below(16)]) }
        return String(decoding: s, as: UTF8.self)
    }
}

func base64URL(_ bytes: [UInt8], into out: inout [UInt8]) {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    var i = 0
    while i < bytes.count {
        let n = min(3, bytes.count - i)
        var v = UInt32(bytes[i]) << 16
        if n > 1 { v |= UInt32(bytes[i + 1]) << 8 }
        if n > 2 { v |= UInt32(bytes[i + 2]) }
        out.append(alphabet[Int(v >> 18 & 63)]); out.append(alphabet[Int(v >> 12 & 63)])
        if n > 1 { out.append(alphabet[Int(v >> 6 & 63)]) }
        if n > 2 { out.append(alphabet[Int(v & 63)]) }
        i += 3
    }
}

/// Writes `rows` Login History rows and, when `tokenPath` is given, `requests` client
/// token-request lines: one for each server-to-server login (JWT bearer or client
/// credentials, a `serverToServer` share of the logins), the rest requests the export does not
/// see (Okta, a sandbox org's logins). Returns the Login History file's size and the lines written.
func generate(rows: Int, path: String, tokenPath: String? = nil, requests: Int = 0) throws -> (bytes: Int, requests: Int) {
    typealias G = LoginHistoryGenerator
    let csv = try LineFile(path, header: String(G.header.dropLast()))
    let tokens = try tokenPath.map { try LineFile($0, header: nil) }
    var g = G(seed: 20261122)
    var writer = TokenLineWriter(seed: 20261123)
    // A third of the logins are the integrations' own, when there are that many requests.
    let serverToServer = tokens == nil ? 0 : min(requests, rows / 3)
    var written = 0, matched = 0
    var row: [UInt8] = [], line: [UInt8] = []
    let start = 1_793_491_200  // 2026-11-01T00:00:00Z
    for n in 0..<rows {
        let t = start + n * 2 + g.rng.below(2)   // ~2 s apart, ascending like a real export
        let ms = g.rng.below(1000)
        let s2s = tokens != nil && matched * rows < serverToServer * (n + 1)
        row.removeAll(keepingCapacity: true)
        salesforceId("0Ya", n, into: &row); row.append(44)
        let country: String, status: String, app: String, browser: String, platform: String, ip: String, url: String
        var type: (String, String, Int), tls = G.ciphers[g.rng.below(2)]
        var apiFields = "N/A,N/A,N/A", authMethod = ""
        let user: Int
        if s2s {
            user = g.rng.below(60)
            let appIndex = user % G.integrationApps.count
            let jwt = g.rng.below(4) != 0
            let failed = g.rng.below(100) < 3
            type = ("Remote Access 2.0", jwt ? "" : "OAuth Client Credentials", 0)
            status = failed ? G.serverFailures[g.rng.below(G.serverFailures.count)] : "Success"
            app = G.integrationApps[appIndex]
            browser = G.clientAgents[(user + g.rng.below(2)) % G.clientAgents.count]
            platform = "Unknown"
            ip = "198.18.\(user % 30).\(10 + g.rng.below(6))"
            url = user % 3 != 0 ? "acme.my.salesforce.com" : "login.salesforce.com"
            country = ["US", "IE", "DE"][user % 3]
            tls = G.ciphers[user % G.ciphers.count]
            line.removeAll(keepingCapacity: true)
            writer.salesforce(sentMs: t * 1000 + ms - 300, user: user, app: appIndex, jwt: jwt, failed: failed, tokenHost: url, into: &line)
            tokens?.write(bytes: line)
            matched += 1
            written += 1
        } else {
            user = 60 + g.rng.below(5000)
            type = g.weighted(G.humanTypes) { $0.2 }
            let failed = g.rng.below(100) < 6
            // A person who fails tends to fail the same way (a stale password, a new laptop).
            status = failed ? G.humanFailures[(user / 7 + g.rng.below(2)) % G.humanFailures.count] : "Success"
            // A person keeps a browser (two in ten updated it this month) and a country.
            let agent = G.browsers[(user % 48 + (g.rng.below(10) < 2 ? 1 : 0)) % G.browsers.count]
            browser = agent.browser
            platform = agent.platform
            tls = G.ciphers[agent.tls == 1 ? 1 + user % 2 : 0]
            country = G.countries[user % G.countries.count]
            app = type.0 == "Remote Access 2.0" ? G.peopleApps[1 + g.rng.below(G.peopleApps.count - 1)] : "Browser"
            url = G.loginUrls[failed || g.rng.below(100) < 85 ? 1 : g.rng.below(G.loginUrls.count)]
            // Office, home and phone addresses per person; one login in 20 from anywhere (travel, hotspots).
            let net = user % 40
            ip = g.rng.below(20) == 0 ? "\(81 + net).\(g.rng.below(250)).\(g.rng.below(250)).\(2 + g.rng.below(250))"
                : "100.\(64 + net).\(user / 40 % 250).\(2 + 50 * g.rng.below(4) + user % 50)"
            if type.0 == "Other Apex API" || type.0 == "Partner Product" {
                apiFields = "\(["58.0", "59.0", "60.0", "61.0", "62.0"][g.rng.below(5)]),\(["SOAP Partner", "SOAP Enterprise", "REST"][g.rng.below(3)]),\(60 + g.rng.below(3)).0"
            }
            authMethod = type.0.hasPrefix("SAML") ? "" : ["pwd", "mfa"][user % 2]
        }
        salesforceId("005", user, into: &row); row.append(44)
        row += Array(isoTime(t * 1000 + ms).dropLast().utf8); row += Array("+0000,".utf8)
        row += Array("\(type.0),\(type.1),\(ip),\(url),".utf8)
        if type.0.hasPrefix("SAML") { salesforceId("0LE", user % 3, into: &row) }
        row.append(44)
        salesforceId("04F", g.rng.below(50_000), into: &row)
        row += Array(",\(tls.0),\(tls.1),\(browser),\(platform),\(status),\(app),\(apiFields),\(country),\(authMethod)".utf8)
        row.append(10)
        csv.write(bytes: row)
        // Requests the export does not see, spread between the logins to keep the log in time order.
        while tokens != nil && written * rows < requests * (n + 1) {
            line.removeAll(keepingCapacity: true)
            let sentMs = t * 1000 + ms + 200 + g.rng.below(1500)
            if g.rng.below(3) == 0 {
                writer.okta(sentMs: sentMs, n: written, into: &line)
            } else {
                // A sandbox org's integration logins: their Login History is another export.
                let sandboxUser = g.rng.below(60)
                writer.salesforce(sentMs: sentMs, user: sandboxUser, app: sandboxUser % G.integrationApps.count, jwt: g.rng.below(4) != 0,
                                  failed: g.rng.below(100) < 3, tokenHost: "acme--uat.sandbox.my.salesforce.com", into: &line)
            }
            tokens?.write(bytes: line)
            written += 1
        }
    }
    try csv.close()
    try tokens?.close()
    return (csv.size, written)
}
