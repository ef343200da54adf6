/// Keeps secrets out of everything TokenTrail stores or prints. Token logs are written by
/// integrations and may carry assertions, tokens or Authorization values; only their
/// fingerprints survive.
public enum Redactor {
    /// JSON keys whose values are secrets wherever they appear.
    public static func isSecretKey(_ key: String) -> Bool {
        let k = key.lowercased()
        if k == "token_url" || k == "token_type" || k == "token_endpoint" { return false }
        if ["assertion", "client_assertion", "authorization", "auth_header", "signature", "cookie",
            "code", "code_verifier", "api_key", "apikey", "token", "ssws", "bearer"].contains(k) { return true }
        return k.hasSuffix("_token") || k.hasSuffix("token") || k.contains("secret") || k.contains("password")
    }

    static let tokenBytes: Set<UInt8> = Set(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~+/=".utf8))

    /// Replaces anything that looks like a credential in free text with its fingerprint:
    /// the word after `SSWS`/`Bearer`/`Basic`, JWTs (`eyJ…`), and long opaque tokens.
    public static func scrub(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        var previousWord = ""
        while i < bytes.count {
            if !tokenBytes.contains(bytes[i]) {
                out.append(bytes[i])
                if bytes[i] != 0x20 { previousWord = "" }
                i += 1
                continue
            }
            var j = i
            while j < bytes.count && tokenBytes.contains(bytes[j]) { j += 1 }
            let word = bytes[i..<j]
            let isScheme = ["ssws", "bearer", "basic"].contains(previousWord)
            let looksLikeJWT = word.count >= 16 && word.starts(with: Array("eyJ".utf8))
            if isScheme || looksLikeJWT || word.count >= 32 {
                out.append(contentsOf: Array("[redacted \(Fingerprint.of(Array(word)))]".utf8))
                previousWord = ""
            } else {
                out.append(contentsOf: word)
                previousWord = String(decoding: word, as: UTF8.self).lowercased()
            }
            i = j
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A reject excerpt: at most 200 characters, scrubbed.
    public static func excerpt(_ text: String) -> String {
        let scrubbed = scrub(text)
        if scrubbed.count <= 200 { return scrubbed }
        return String(scrubbed.prefix(200)) + "…"
    }
}
