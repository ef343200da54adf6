#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One spelling per address, so rules and findings see one address once: an IPv4-mapped IPv6
/// address (`::ffff:203.0.113.77`) is its IPv4 address, and IPv6 is written the RFC 5952 way
/// (lowercase, zeros compressed). Anything that is no address stays as it came.
public enum IPText {
    /// The canonical spelling, or nil when `text` already is one (the common case: checked on
    /// bytes, no string made) or is no address.
    public static func canonical(_ bytes: UnsafeRawBufferPointer) -> String? {
        // IPv4 as exports write it needs nothing; only text with a colon can be IPv6.
        guard bytes.count >= 2, bytes.count <= 64, bytes.contains(UInt8(ascii: ":")) else { return nil }
        var text = [CChar](repeating: 0, count: bytes.count + 1)
        for (i, b) in bytes.enumerated() { text[i] = CChar(bitPattern: b) }
        var address = in6_addr()
        guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
        let octets = withUnsafeBytes(of: &address) { Array($0) }
        let out: String
        if octets[0..<10].allSatisfy({ $0 == 0 }) && octets[10] == 0xFF && octets[11] == 0xFF {
            out = "\(octets[12]).\(octets[13]).\(octets[14]).\(octets[15])"
        } else {
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            guard inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count)) != nil else { return nil }
            out = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return out.utf8.elementsEqual(bytes) ? nil : out
    }

    /// Whether the bytes are an IPv4 or IPv6 address (a masked `xxx.xxx.xxx.xxx` is not).
    public static func isAddress(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= 2, bytes.count <= 64 else { return false }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: bytes.count + 1) { text in
            for (i, b) in bytes.enumerated() { text[i] = CChar(bitPattern: b) }
            text[bytes.count] = 0
            var v6 = in6_addr(), v4 = in_addr()
            return inet_pton(AF_INET, text.baseAddress!, &v4) == 1 || inet_pton(AF_INET6, text.baseAddress!, &v6) == 1
        }
    }

    /// `isAddress` for a String.
    public static func isAddress(_ text: String) -> Bool {
        var copy = text
        return copy.withUTF8 { isAddress(UnsafeRawBufferPointer($0)) }
    }

    /// `canonical` for a String: the canonical spelling, or the text as it came.
    public static func canonical(_ text: String) -> String {
        var copy = text
        return copy.withUTF8 { canonical(UnsafeRawBufferPointer($0)) } ?? text
    }
}
