/// How a stored value differs from the bytes in the file.
public enum RepairKind: String, Sendable {
    /// Bytes that are not UTF-8, stored as U+FFFD.
    case invalidUTF8 = "invalid_utf8"
    /// A value longer than `FieldRepair.maxFieldBytes`, stored cut with a marker.
    case cut
    /// An optional value that could not be read (an unparseable `server_date`): the row is
    /// kept without it.
    case dropped
    /// A credential (token, secret pair, key block) in the value, stored as its fingerprint.
    case redacted
    /// A record whose id (an Okta `uuid`) was already stored with other content: an edited or
    /// corrupted export. The first is kept; this line is where the other one is.
    case conflict
}

/// Turns any field's bytes into storable text without losing the row: log content is
/// attacker-controlled, and a row rejected for a bad byte is a login no rule sees.
/// Control characters, bidi overrides and escapes are kept as they are (the sinks neutralize
/// them when shown), so the database holds what the file said.
public enum FieldRepair {
    /// Longer values are cut: no real user agent, URI or status comes near this.
    public static let maxFieldBytes = 8192

    public static func repair(_ value: UnsafeRawBufferPointer) -> (String, RepairKind?) {
        if value.count > maxFieldBytes {
            // Cut on a character boundary: back off over UTF-8 continuation bytes.
            var end = maxFieldBytes
            while end > 0 && value[end] & 0xC0 == 0x80 { end -= 1 }
            let kept = String(decoding: UnsafeRawBufferPointer(rebasing: value[0..<end]), as: UTF8.self)
            return (kept + "…[cut: \(value.count) bytes]", .cut)
        }
        if let text = String(validating: value, as: UTF8.self) { return (text, nil) }
        return (String(decoding: value, as: UTF8.self), .invalidUTF8)
    }

    public static func repair(_ text: String) -> (String, RepairKind?) {
        var copy = text
        return copy.withUTF8 { repair(UnsafeRawBufferPointer($0)) }
    }
}
