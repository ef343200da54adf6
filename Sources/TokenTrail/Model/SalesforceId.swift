/// Salesforce record ids in their 18-character form: the 15-character (case-sensitive) id
/// plus three checksum characters that make it case-insensitive. ELF files often carry the
/// 15-character form where the API and Login History carry 18, so every id is stored as 18
/// and every filter accepts either (FORMATS.md §6).
public enum SalesforceId {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ012345".utf8)

    @inline(__always)
    static func isAlphanumeric(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
    }

    /// The 18-character form of a 15-character id; nil when the bytes are not one.
    public static func eighteen(_ id: UnsafeRawBufferPointer) -> String? {
        guard id.count == 15, id.allSatisfy(isAlphanumeric) else { return nil }
        var out = Array(id)
        for chunk in 0..<3 {
            var bits = 0
            for i in 0..<5 where id[chunk * 5 + i] >= 0x41 && id[chunk * 5 + i] <= 0x5A { bits |= 1 << i }
            out.append(alphabet[bits])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Any id as stored: a 15-character id extended to 18, everything else unchanged.
    public static func canonical(_ text: String) -> String {
        var copy = text
        return copy.withUTF8 { eighteen(UnsafeRawBufferPointer($0)) } ?? text
    }
}
