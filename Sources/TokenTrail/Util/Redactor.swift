import Foundation

/// Keeps secrets out of everything TokenTrail stores or prints. Token logs are written by
/// integrations and may carry assertions, tokens or Authorization values; only their
/// fingerprints survive.
public enum Redactor {
    /// What may be stored or printed of a URL that carries a secret (a webhook): its scheme
    /// and host, never the path, query or user info.
    public static func urlOrigin(_ url: String) -> String {
        guard let parsed = URL(string: url), let host = parsed.host, let scheme = parsed.scheme else { return "[webhook URL]" }
        return "\(scheme)://\(host)/…"
    }

    /// JSON keys whose values are secrets wherever they appear.
    public static func isSecretKey(_ key: String) -> Bool {
        if key.utf8.allSatisfy({ $0 < 0x80 }) { return isSecretKey(ascii: key.utf8) }
        let k = key.lowercased()
        if k == "token_url" || k == "token_type" || k == "token_endpoint" || k == "tokenurl" { return false }
        if secretKeys.contains(where: { $0.elementsEqual(k.utf8) }) { return true }
        return k.hasSuffix("_token") || k.hasSuffix("token") || k.contains("secret") || k.contains("password")
            || k.hasSuffix("_key") && !k.hasSuffix("login_key") && !k.hasSuffix("session_key") && !k.hasSuffix("consumer_key")
    }

    static let secretKeys: [[UInt8]] = ["assertion", "client_assertion", "authorization", "auth_header", "signature", "cookie", "sig",
                                        "code", "code_verifier", "api_key", "apikey", "token", "ssws", "bearer", "sid", "session_id",
                                        "sessionid", "jsessionid", "oauth_token", "private_key", "key"].map { Array($0.utf8) }
    private static let notSecret: [[UInt8]] = ["token_url", "token_type", "token_endpoint", "tokenurl"].map { Array($0.utf8) }
    private static func byLength(_ words: [[UInt8]]) -> [[[UInt8]]] {
        var out = [[[UInt8]]](repeating: [], count: 32)
        for word in words { out[word.count].append(word) }
        return out
    }
    private static let secretByLength = byLength(secretKeys), notSecretByLength = byLength(notSecret)

    /// The same rule over an ASCII key's bytes, without making a string (the token-log reader
    /// asks it for every key of every line).
    static func isSecretKey<C: Collection>(ascii key: C) -> Bool where C.Element == UInt8 {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(key.count, 1)) { buffer in
            var n = 0
            for b in key { buffer[n] = b >= 0x41 && b <= 0x5A ? b | 0x20 : b; n += 1 }
            let k = UnsafeBufferPointer(rebasing: buffer[0..<n])
            if n < secretByLength.count {
                if notSecretByLength[n].contains(where: { $0.elementsEqual(k) }) { return false }
                if secretByLength[n].contains(where: { $0.elementsEqual(k) }) { return true }
            }
            func hasSuffix(_ s: StaticString) -> Bool {
                let c = s.utf8CodeUnitCount
                guard n >= c else { return false }
                for i in 0..<c where k[n - c + i] != s.utf8Start[i] { return false }
                return true
            }
            func contains(_ s: StaticString) -> Bool {
                let c = s.utf8CodeUnitCount
                guard n >= c else { return false }
                outer: for start in 0...(n - c) {
                    for i in 0..<c where k[start + i] != s.utf8Start[i] { continue outer }
                    return true
                }
                return false
            }
            return hasSuffix("_token") || hasSuffix("token") || contains("secret") || contains("password")
                || hasSuffix("_key") && !hasSuffix("login_key") && !hasSuffix("session_key") && !hasSuffix("consumer_key")
        }
    }

    /// Replaces anything that looks like a credential in free text with its fingerprint
    /// (`[redacted sha256:…]`): the value of a secret key (`client_secret=…`, `"password":"…"`,
    /// `access_token: …`), the word after `SSWS`/`Bearer`/`Basic`, URL user info
    /// (`https://user:pass@host`), JWTs (`eyJ…`), Salesforce session ids (`00D…!…`) and long
    /// opaque tokens. Everything else is kept byte for byte.
    public static func scrub(_ text: String) -> String {
        guard text.utf8.count >= 6, let out = scrubbed(Array(text.utf8)) else { return text }
        return String(decoding: out, as: UTF8.self)
    }

    /// The scrubber for every other stored string (ids, names, keys, addresses, versions):
    /// only what has a credential's shape beyond doubt (a Salesforce access or refresh token,
    /// a JWT, a `Bearer`/`SSWS`/`Basic` credential, a secret `key=value` pair, URL user info, a
    /// private-key block), never a long identifier (a consumer key, a device hash), which free
    /// text's opaque-run rule would take for one. Every string the store interns or binds
    /// passes it, whatever its field: no list of fields to keep up to date.
    public static func scrubShapes(_ text: String) -> String {
        guard text.utf8.count >= 6, let out = scrubbed(Array(text.utf8), opaqueRuns: false) else { return text }
        return String(decoding: out, as: UTF8.self)
    }

    /// The scrubbed bytes, or nil when nothing in them looks like a credential. `opaqueRuns`:
    /// a long run of letters and digits counts as a credential (free text only).
    static func scrubbed(_ input: [UInt8], opaqueRuns: Bool = true) -> [UInt8]? {
        guard input.count >= 6 else { return nil }
        // PEM private keys first, whole blocks, whatever they hold; then the other shapes.
        let keyless = withoutPrivateKeys(input)
        return scrubbedShapes(keyless ?? input, opaqueRuns: opaqueRuns) ?? keyless
    }

    private static func scrubbedShapes(_ bytes: [UInt8], opaqueRuns: Bool) -> [UInt8]? {
        // Every rule below needs a `:` or `=` (user info, key=value), a space (a scheme word) or
        // 16 bytes (a credential-like token): shorter text without those is kept as it is.
        if bytes.count < 16 && !bytes.contains(where: { $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "=") || $0 == 0x20 }) { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var changed = false
        var checkedUntil = 0   // credential tokens already judged (keeps the scan linear)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            // URL user info: "://" … "@" before the host ends.
            if b == UInt8(ascii: ":"), let end = userInfoEnd(bytes, colon: i) {
                out.append(contentsOf: "://".utf8)
                redact(bytes[(i + 3)..<end], into: &out)
                changed = true
                i = end
                continue
            }
            guard isWordByte(b), i == 0 || !isWordByte(bytes[i - 1]) else {
                out.append(b)
                i += 1
                continue
            }
            var j = i
            while j < bytes.count && isWordByte(bytes[j]) { j += 1 }
            // key=value, key: value, "key":"value" with a secret key.
            if let valueStart = secretValueStart(bytes, keyEnd: j, key: bytes[i..<j]) {
                out.append(contentsOf: bytes[i..<valueStart])
                var start = valueStart
                if let afterScheme = schemeEnd(bytes, at: start, strict: !opaqueRuns) {   // "Authorization: Bearer xyz"
                    out.append(contentsOf: bytes[start..<afterScheme])
                    start = afterScheme
                }
                let end = valueEnd(bytes, from: start)
                if end > start { redact(bytes[start..<end], into: &out); changed = true }
                i = end
                checkedUntil = max(checkedUntil, end)
                continue
            }
            if let afterScheme = schemeEnd(bytes, at: i, strict: !opaqueRuns) {   // "Bearer xyz" anywhere
                let end = valueEnd(bytes, from: afterScheme)
                out.append(contentsOf: bytes[i..<afterScheme])
                redact(bytes[afterScheme..<end], into: &out)
                changed = true
                i = end
                checkedUntil = max(checkedUntil, end)
                continue
            }
            if i >= checkedUntil {
                let tokenEnd = credentialEnd(bytes, from: i)
                checkedUntil = tokenEnd
                if looksLikeCredential(bytes[i..<tokenEnd], opaqueRuns: opaqueRuns) {
                    redact(bytes[i..<tokenEnd], into: &out)
                    changed = true
                    i = tokenEnd
                    continue
                }
            }
            out.append(contentsOf: bytes[i..<j])
            i = j
        }
        return changed ? out : nil
    }

    /// A reject excerpt: at most 200 characters, scrubbed.
    public static func excerpt(_ text: String) -> String {
        let scrubbed = scrub(text)
        if scrubbed.count <= 200 { return scrubbed }
        return String(scrubbed.prefix(200)) + "…"
    }

    // MARK: - Pieces of the scrubber

    /// Letters, digits and `_ - .`: the bytes of keys and of words.
    @inline(__always)
    static func isWordByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b == 0x2D || b == 0x2E
    }

    /// Where a value ends: at white space, quotes, separators of queries, lists and markup.
    static func valueEnd(_ bytes: [UInt8], from start: Int) -> Int {
        var j = start
        while j < bytes.count {
            switch bytes[j] {
            case 0x00...0x20, UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "&"), UInt8(ascii: ","),
                 UInt8(ascii: ";"), UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: "<"),
                 UInt8(ascii: ">"), UInt8(ascii: "#"), UInt8(ascii: "\\"): return j
            default: j += 1
            }
        }
        return j
    }

    /// The end of a candidate credential: word bytes and `+ ~ !` (Salesforce session ids have
    /// a `!`; a `/` ends it, so one long segment of a URL path does not take the whole path).
    static func credentialEnd(_ bytes: [UInt8], from start: Int) -> Int {
        var j = start
        while j < bytes.count, isWordByte(bytes[j]) || bytes[j] == UInt8(ascii: "+") || bytes[j] == UInt8(ascii: "~")
                || bytes[j] == UInt8(ascii: "!") { j += 1 }
        return j
    }

    /// After a secret key: the start of its value, past `=` or `:` (and quotes and spaces).
    static func secretValueStart(_ bytes: [UInt8], keyEnd: Int, key: ArraySlice<UInt8>) -> Int? {
        var j = keyEnd
        if j < bytes.count && bytes[j] == UInt8(ascii: "\"") { j += 1 }
        while j < bytes.count && bytes[j] == 0x20 { j += 1 }
        guard j < bytes.count, bytes[j] == UInt8(ascii: "=") || bytes[j] == UInt8(ascii: ":") else { return nil }
        if bytes[j] == UInt8(ascii: ":"), j + 2 < bytes.count, bytes[j + 1] == UInt8(ascii: "/"), bytes[j + 2] == UInt8(ascii: "/") { return nil }
        guard key.count <= 40, isSecretKey(ascii: key) else { return nil }
        let colon = bytes[j] == UInt8(ascii: ":")
        j += 1
        var spaced = false
        while j < bytes.count && bytes[j] == 0x20 { j += 1; spaced = true }
        if j < bytes.count && bytes[j] == UInt8(ascii: "\"") { return j + 1 }
        // "Invalid password: check the user" is prose; "refresh_token: 5Aep8…" is not.
        if colon && spaced && !looksOpaque(bytes[j..<valueEnd(bytes, from: j)]) { return nil }
        return j
    }

    /// A value that reads as a credential rather than a word: 8+ bytes with a digit, or 20+
    /// (`short`: 6+ with a digit, or 16+).
    static func looksOpaque(_ value: ArraySlice<UInt8>, short: Bool = false) -> Bool {
        value.count >= (short ? 16 : 20) || value.count >= (short ? 6 : 8) && value.contains(where: { $0 >= 0x30 && $0 <= 0x39 })
    }

    /// Authorization schemes. What follows must look like a credential, not prose ("JWT bearer
    /// flow", "token expired", "Basic auth"); after Bearer and SSWS a shorter value does.
    static let schemes: [(word: [UInt8], short: Bool)] = [("bearer", true), ("ssws", true), ("basic", false),
                                                          ("oauth", false), ("token", false)].map { (Array($0.0.utf8), $0.1) }
    static let strictSchemes = Array(schemes.prefix(3))

    /// At an Authorization scheme word followed by a space: where the credential begins.
    /// `strict` (not free text): only `Bearer`, `SSWS` and `Basic`, followed by ASCII (a label
    /// such as `OAuth クライアントログイン情報` is no credential).
    static func schemeEnd(_ bytes: [UInt8], at start: Int, strict: Bool = false) -> Int? {
        for (scheme, short) in strict ? strictSchemes : schemes where start + scheme.count < bytes.count && bytes[start + scheme.count] == 0x20 {
            var same = true
            for (k, c) in scheme.enumerated() where bytes[start + k] | 0x20 != c { same = false; break }
            guard same, start + scheme.count + 1 < bytes.count else { continue }
            var j = start + scheme.count
            while j < bytes.count && bytes[j] == 0x20 { j += 1 }
            let value = bytes[j..<valueEnd(bytes, from: j)]
            if strict && value.contains(where: { $0 >= 0x80 }) { return nil }
            return looksOpaque(value, short: short) ? j : nil
        }
        return nil
    }

    /// `scheme://user:password@host`: the end of the user info (the `@`), from the `:` of `://`.
    static func userInfoEnd(_ bytes: [UInt8], colon: Int) -> Int? {
        guard colon + 3 < bytes.count, bytes[colon + 1] == UInt8(ascii: "/"), bytes[colon + 2] == UInt8(ascii: "/") else { return nil }
        var j = colon + 3
        while j < bytes.count {
            switch bytes[j] {
            case UInt8(ascii: "@"): return j > colon + 3 ? j : nil
            case 0x00...0x20, UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "#"), UInt8(ascii: "\""), UInt8(ascii: "'"): return nil
            default: j += 1
            }
        }
        return nil
    }

    /// A JWT, a Salesforce session id, or a long opaque token (a run of 32 or more letters and
    /// digits with both in it; a UUID is an identifier, not a secret).
    static func looksLikeCredential(_ token: ArraySlice<UInt8>, opaqueRuns: Bool = true) -> Bool {
        guard token.count >= 16 else { return false }
        if token.starts(with: "eyJ".utf8) { return true }
        if token.starts(with: "00D".utf8), let bang = token.firstIndex(of: UInt8(ascii: "!")),
           (15...18).contains(bang - token.startIndex), token.endIndex - bang > 20 { return true }
        // A Salesforce refresh token (`5Aep861…`, 80-odd characters).
        if token.count >= 40, token.starts(with: "5Aep".utf8) { return true }
        guard opaqueRuns else { return false }
        var run = 0, digits = false, letters = false
        for b in token {
            let isDigit = b >= 0x30 && b <= 0x39
            let isLetter = (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
            if isDigit || isLetter || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") || b == UInt8(ascii: "+") {
                run += 1
                digits = digits || isDigit
                letters = letters || isLetter
                if run >= 32 && digits && letters && !isUUID(token) { return true }
            } else {
                run = 0; digits = false; letters = false
            }
        }
        return false
    }

    /// The text with every PEM private-key block (`-----BEGIN … PRIVATE KEY-----` to its END
    /// line, or to the end) redacted, in one pass (a certificate block before a key does not
    /// hide it); nil when it has none.
    static func withoutPrivateKeys(_ bytes: [UInt8]) -> [UInt8]? {
        let begin = Array("-----BEGIN ".utf8), dashes = Array("-----".utf8), end = Array("-----END ".utf8)
        var out: [UInt8] = [], i = 0, changed = false
        while let start = firstIndex(of: begin, in: bytes, from: i) {
            let headerEnd = firstIndex(of: dashes, in: bytes, from: start + begin.count) ?? bytes.count
            guard String(decoding: bytes[start..<headerEnd], as: UTF8.self).uppercased().contains("PRIVATE KEY") else {
                out.append(contentsOf: bytes[i..<headerEnd])
                i = headerEnd
                continue
            }
            let close = firstIndex(of: end, in: bytes, from: headerEnd)
            let after = close.map { c in firstIndex(of: dashes, in: bytes, from: c + end.count).map { $0 + dashes.count } ?? bytes.count } ?? bytes.count
            out.append(contentsOf: bytes[i..<start])
            redact(bytes[start..<after], into: &out)
            changed = true
            i = after
        }
        guard changed else { return nil }
        out.append(contentsOf: bytes[i...])
        return out
    }

    static func firstIndex(of needle: [UInt8], in bytes: [UInt8], from: Int) -> Int? {
        guard !needle.isEmpty, bytes.count >= needle.count, from <= bytes.count - needle.count else { return nil }
        var i = from
        while i <= bytes.count - needle.count {
            if bytes[i] == needle[0] && bytes[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    static func isUUID(_ token: ArraySlice<UInt8>) -> Bool {
        guard token.count == 36 else { return false }
        for (k, b) in token.enumerated() {
            if [8, 13, 18, 23].contains(k) { if b != UInt8(ascii: "-") { return false } }
            else if !((b >= 0x30 && b <= 0x39) || (b | 0x20 >= 0x61 && b | 0x20 <= 0x66)) { return false }
        }
        return true
    }

    static func redact(_ secret: ArraySlice<UInt8>, into out: inout [UInt8]) {
        out.append(contentsOf: "[redacted \(Fingerprint.of(Array(secret)))]".utf8)
    }
}
