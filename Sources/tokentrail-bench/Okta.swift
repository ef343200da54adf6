import Foundation

/// An Okta System Log export as `/api/v1/logs` writes it, one event per line (~1.6 KB): the
/// members Okta fills on every event (actor, client with geography and user agent, outcome,
/// transaction, debug data, authentication and security context, the request's address
/// chain, targets), people's sign-ins and MFA, the integrations' token grants, failures.
func generateOkta(events: Int, path: String, startSeconds: Int) throws -> Int {
    guard let out = OutputStream(toFileAtPath: path, append: false) else { throw BenchError("cannot write \(path)") }
    out.open()
    defer { out.close() }
    var rng = SplitMix64(state: 0x0C7A)
    var buffer: [UInt8] = []
    buffer.reserveCapacity(1 << 20)
    let kinds = [("user.session.start", "User login to Okta"), ("user.authentication.sso", "User single sign on to app"),
                 ("user.authentication.auth_via_mfa", "Authentication of user via MFA"), ("policy.evaluate_sign_on", "Evaluation of sign-on policy"),
                 ("app.oauth2.as.token.grant.access_token", "OAuth2 access token is granted"), ("app.oauth2.as.authorize.code", "OAuth2 authorization code request"),
                 ("user.session.end", "User logout from Okta")]
    let agents = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
                  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
                  "okhttp/4.12.0", "python-requests/2.32.3", "Okta Verify/9.27.0 (iOS 18.1)"]
    let cities = [("Tokyo", "Tokyo", "Japan", "100-0001", 35.69, 139.69), ("Chicago", "Illinois", "United States", "60601", 41.88, -87.63),
                  ("Paris", "Ile-de-France", "France", "75001", 48.86, 2.35)]
    var t = startSeconds
    for n in 0..<events {
        t += rng.below(3)
        let kind = n % 5 == 0 ? kinds[4] : kinds[rng.below(kinds.count)]
        let person = rng.below(5000)
        let service = kind.0.hasPrefix("app.oauth2.as.token")
        let failed = rng.below(100) < 4
        let city = cities[person % cities.count]
        let ip = service ? "203.0.113.\(person % 40 + 1)" : "198.51.\(person % 200).\(person % 250 + 1)"
        let agent = service ? agents[2 + person % 2] : agents[person % 2]
        let secs = t % 60, mins = (t / 60) % 60, hours = (t / 3600) % 24, day = 1 + (t / 86400) % 28
        var line = "{\"actor\":{\"id\":\"00u\(String(person, radix: 36))acme\",\"type\":\"\(service ? "PublicClientApp" : "User")\","
        line += "\"alternateId\":\"\(service ? "integration\(person % 60)" : "person\(person)@acme.example")\",\"displayName\":\"Person \(person)\",\"detailEntry\":null},"
        line += "\"client\":{\"userAgent\":{\"rawUserAgent\":\"\(agent)\",\"os\":\"\(service ? "Unknown" : "Windows 10")\",\"browser\":\"\(service ? "UNKNOWN" : "CHROME")\"},"
        line += "\"zone\":\"null\",\"device\":\"\(service ? "Unknown" : "Computer")\",\"id\":\(service ? "\"0oa\(person % 24)svc\"" : "null"),\"ipAddress\":\"\(ip)\","
        line += "\"geographicalContext\":{\"city\":\"\(city.0)\",\"state\":\"\(city.1)\",\"country\":\"\(city.2)\",\"postalCode\":\"\(city.3)\",\"geolocation\":{\"lat\":\(city.4),\"lon\":\(city.5)}}},"
        line += "\"device\":null,\"authenticationContext\":{\"authenticationProvider\":null,\"credentialProvider\":null,\"credentialType\":null,\"issuer\":null,\"interface\":null,"
        line += "\"authenticationStep\":0,\"rootSessionId\":\"idx\(String(n, radix: 36))\",\"externalSessionId\":\"\(service ? "unknown" : "102\(String(n &* 7919, radix: 36))")\"},"
        line += "\"displayMessage\":\"\(kind.1)\",\"eventType\":\"\(kind.0)\","
        line += "\"outcome\":{\"result\":\"\(failed ? "FAILURE" : "SUCCESS")\",\"reason\":\(failed ? "\"INVALID_CREDENTIALS\"" : "null")},"
        line += String(format: "\"published\":\"2026-11-%02d T%02d:%02d:%02d.%03dZ\",", day, hours, mins, secs, rng.below(1000)).replacingOccurrences(of: " T", with: "T")
        line += "\"securityContext\":{\"asNumber\":\(service ? 16509 : 2516),\"asOrg\":\"\(service ? "amazon.com inc." : "kddi corporation")\",\"isp\":\"\(service ? "amazon" : "kddi")\",\"domain\":\"\(service ? "amazonaws.com" : "kddi.ne.jp")\",\"isProxy\":false},"
        line += "\"severity\":\"\(failed ? "WARN" : "INFO")\",\"debugContext\":{\"debugData\":{\"requestId\":\"Z\(String(n &* 104729, radix: 36))AAAB\",\"dtHash\":\"\(String(UInt64(n) &* 0x9E3779B97F4A7C15, radix: 16))\","
        line += "\"requestUri\":\"\(service ? "/oauth2/aus1acme/v1/token" : "/idp/idx/identify")\",\"threatSuspected\":\"false\",\"url\":\"\(service ? "/oauth2/aus1acme/v1/token?" : "/idp/idx/identify?")\""
        line += service ? ",\"grantType\":\"client_credentials\",\"clientAuthType\":\"client_secret_basic\"}}," : "}},"
        line += "\"legacyEventType\":\"core.user_auth.login_success\",\"transaction\":{\"type\":\"WEB\",\"id\":\"Y\(String(n &* 31, radix: 36))W\",\"detail\":{}},"
        line += "\"uuid\":\"\(String(UInt64(n) &* 0x2545F4914F6CDD1D, radix: 16))-\(String(n, radix: 16))-11ef\",\"version\":\"0\","
        line += "\"request\":{\"ipChain\":[{\"ip\":\"\(ip)\",\"geographicalContext\":{\"city\":\"\(city.0)\",\"state\":\"\(city.1)\",\"country\":\"\(city.2)\",\"postalCode\":\"\(city.3)\",\"geolocation\":{\"lat\":\(city.4),\"lon\":\(city.5)}},\"version\":\"V4\",\"source\":null}]},"
        line += "\"target\":[{\"id\":\"0oa1salesforce\",\"type\":\"AppInstance\",\"alternateId\":\"Salesforce\",\"displayName\":\"Salesforce.com\",\"detailEntry\":null}]}\n"
        buffer.append(contentsOf: line.utf8)
        if buffer.count > 1 << 20 {
            _ = buffer.withUnsafeBufferPointer { out.write($0.baseAddress!, maxLength: $0.count) }
            buffer.removeAll(keepingCapacity: true)
        }
    }
    _ = buffer.withUnsafeBufferPointer { out.write($0.baseAddress!, maxLength: $0.count) }
    return events
}

/// The Okta log's anchor, in the token log's: `json` per line, 11 fields inserted with `sqlite3`.
let pythonOktaAnchor = """
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[2])
db.execute("CREATE TABLE IF NOT EXISTS events(published, uuid, event_type, actor, actor_type, ip, user_agent, result, reason, grant_type, request_uri)")
def rows(path):
    with open(path, "rb") as f:
        for line in f:
            o = json.loads(line)
            a, c, r = o.get("actor") or {}, o.get("client") or {}, o.get("outcome") or {}
            d = (o.get("debugContext") or {}).get("debugData") or {}
            yield (o.get("published"), o.get("uuid"), o.get("eventType"), a.get("alternateId"), a.get("type"), c.get("ipAddress"),
                   (c.get("userAgent") or {}).get("rawUserAgent"), r.get("result"), r.get("reason"), d.get("grantType"), d.get("requestUri"))
with db:
    db.executemany("INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows(sys.argv[1]))
"""
