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

    /// An 18-character id in the case its checksum says: the checksum is case-insensitive and
    /// names which of the first 15 characters are capitals, so `0055g00000chatlaar` (an id a
    /// tool lowercased) is `0055g00000ChatLAAR`. nil when the bytes are no such id or already are.
    public static func recased(_ id: UnsafeRawBufferPointer) -> String? {
        guard id.count == 18 else { return nil }
        // The usual case first, without allocating: the id already has its checksum's case.
        var consistent = true
        for chunk in 0..<3 where consistent {
            var bits = 0
            for i in 0..<5 where id[chunk * 5 + i] >= 0x41 && id[chunk * 5 + i] <= 0x5A { bits |= 1 << i }
            consistent = id[15 + chunk] == alphabet[bits]
        }
        if consistent { return nil }
        guard id.allSatisfy(isAlphanumeric) else { return nil }
        var out = Array(id)
        for chunk in 0..<3 {
            let check = id[15 + chunk].uppercasedASCII
            guard let bits = alphabet.firstIndex(of: check) else { return nil }
            out[15 + chunk] = check
            for i in 0..<5 {
                let at = chunk * 5 + i, b = out[at]
                guard (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) else {
                    if bits & (1 << i) != 0 { return nil }   // a capital where there is a digit: no checksum of this id
                    continue
                }
                out[at] = bits & (1 << i) != 0 ? b & ~0x20 : b | 0x20
            }
        }
        return out.elementsEqual(id) ? nil : String(decoding: out, as: UTF8.self)
    }

    /// The stored form of an id's bytes when it differs from them: 15 characters extended to
    /// 18, 18 characters in their checksum's case; nil otherwise.
    public static func normalized(_ id: UnsafeRawBufferPointer) -> String? {
        id.count == 15 ? eighteen(id) : recased(id)
    }

    /// Any id as stored: a 15-character id extended to 18, an 18-character id in its
    /// checksum's case, everything else unchanged.
    public static func canonical(_ text: String) -> String {
        var copy = text
        return copy.withUTF8 { normalized(UnsafeRawBufferPointer($0)) } ?? text
    }
}

extension UInt8 {
    var uppercasedASCII: UInt8 { (self >= 0x61 && self <= 0x7A) ? self - 0x20 : self }
}
