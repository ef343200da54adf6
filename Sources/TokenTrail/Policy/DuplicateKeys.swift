/// The first key a JSON document gives twice in one object, and its line: parsers keep the
/// last value silently. The document is already known to be valid JSON; keys are compared
/// decoded (`"a"` and `"\u0061"` are one key).
enum DuplicateKeys {
    static func first(in bytes: [UInt8]) -> (key: String, line: Int)? {
        var objects: [Set<String>?] = []   // per open container: its keys (nil for an array)
        var line = 1, i = 0
        while i < bytes.count {
            let b = bytes[i]
            switch b {
            case UInt8(ascii: "\n"): line += 1
            case UInt8(ascii: "{"): objects.append([])
            case UInt8(ascii: "["): objects.append(nil)
            case UInt8(ascii: "}"), UInt8(ascii: "]"): _ = objects.popLast()
            case UInt8(ascii: "\""):
                var j = i + 1
                while j < bytes.count && bytes[j] != UInt8(ascii: "\"") { j += bytes[j] == UInt8(ascii: "\\") ? 2 : 1 }
                let token = Array(bytes[i...min(j, bytes.count - 1)])
                var k = j + 1
                while k < bytes.count && [0x20, 0x09, 0x0A, 0x0D].contains(bytes[k]) { k += 1 }
                // A string followed by ':' inside an object is a key.
                if k < bytes.count, bytes[k] == UInt8(ascii: ":"), objects.last.map({ $0 != nil }) == true {
                    let key = (try? token.withUnsafeBytes { try JSONParser.parse($0) })?.string ?? String(decoding: token, as: UTF8.self)
                    if !objects[objects.count - 1]!.insert(key).inserted { return (key, line) }   // in place: no copy per key
                }
                i = j
            default: break
            }
            i += 1
        }
        return nil
    }
}
