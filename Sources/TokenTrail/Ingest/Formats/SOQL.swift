/// What TokenTrail keeps of a SOQL query (API `QUERY`): the object it reads. The text itself
/// may name people and values, so only a fingerprint of it is stored.
enum SOQL {
    /// The object after the outermost FROM (`SELECT Id FROM Case WHERE …` → `Case`), outside
    /// string literals and subqueries; nil when there is none.
    static func entity(of query: String) -> String? {
        let bytes = Array(query.utf8)
        var i = 0, depth = 0, quoted = false
        func isWord(_ b: UInt8) -> Bool { (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F }
        while i < bytes.count {
            let b = bytes[i]
            if quoted {
                if b == UInt8(ascii: "\\") { i += 2; continue }
                if b == UInt8(ascii: "'") { quoted = false }
            } else if b == UInt8(ascii: "'") {
                quoted = true
            } else if b == UInt8(ascii: "(") {
                depth += 1
            } else if b == UInt8(ascii: ")") {
                depth = max(0, depth - 1)
            } else if depth == 0, i + 4 <= bytes.count, (i == 0 || !isWord(bytes[i - 1])),
                      bytes[i..<i + 4].map({ $0 | 0x20 }) == Array("from".utf8), i + 4 == bytes.count || !isWord(bytes[i + 4]) {
                var j = i + 4
                while j < bytes.count, bytes[j] == 0x20 || bytes[j] == 0x09 || bytes[j] == 0x0A || bytes[j] == 0x0D { j += 1 }
                let start = j
                while j < bytes.count, isWord(bytes[j]) || bytes[j] == UInt8(ascii: ".") { j += 1 }
                return j > start ? String(decoding: bytes[start..<j], as: UTF8.self) : nil
            }
            i += 1
        }
        return nil
    }
}
