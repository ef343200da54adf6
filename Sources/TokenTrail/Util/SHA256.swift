import CCrypto

/// Streaming SHA-256 through OpenSSL's libcrypto (EVP). Used for file chain of custody and
/// for fingerprints of secrets that are never stored.
public final class SHA256 {
    private let context: OpaquePointer

    public init() {
        context = EVP_MD_CTX_new()
        EVP_DigestInit_ex(context, EVP_sha256(), nil)
    }

    deinit { EVP_MD_CTX_free(context) }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        EVP_DigestUpdate(context, base, bytes.count)
    }

    public func finalize() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        digest.withUnsafeMutableBufferPointer { _ = EVP_DigestFinal_ex(context, $0.baseAddress, &length) }
        return digest
    }

    public static func hex<S: Sequence>(of bytes: S) -> String where S.Element == UInt8 {
        let hasher = SHA256()
        Array(bytes).withUnsafeBytes { hasher.update($0) }
        return Hex.encode(hasher.finalize())
    }
}

public enum Hex {
    public static func encode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes { out.append(digits[Int(byte >> 4)]); out.append(digits[Int(byte & 0xf)]) }
        return String(decoding: out, as: UTF8.self)
    }
}

/// The only form in which a secret (assertion, token, client secret, Authorization value) is kept.
public enum Fingerprint {
    /// `sha256:` and the first 16 hex digits of the digest, in one libcrypto call (a
    /// token log asks this for every assertion and token it reads).
    public static func of(_ secret: UnsafeRawBufferPointer) -> String {
        var digest = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        var empty: UInt8 = 0   // an empty secret still needs a valid pointer
        withUnsafeBytes(of: &empty) { emptyBytes in
            withUnsafeMutableBytes(of: &digest) { out in
                var length: UInt32 = 0
                _ = EVP_Digest(secret.count > 0 ? secret.baseAddress! : emptyBytes.baseAddress!, secret.count,
                               out.baseAddress!.assumingMemoryBound(to: UInt8.self), &length, EVP_sha256(), nil)
            }
        }
        return withUnsafeBytes(of: &digest) { "sha256:" + Hex.encode($0.prefix(8)) }
    }
    public static func of<S: Sequence>(_ secret: S) -> String where S.Element == UInt8 { Array(secret).withUnsafeBytes { of($0) } }
    public static func of(_ secret: String) -> String { var copy = secret; return copy.withUTF8 { of(UnsafeRawBufferPointer($0)) } }
}
