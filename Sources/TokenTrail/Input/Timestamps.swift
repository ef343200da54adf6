import Foundation

/// A parsed time: epoch milliseconds (UTC once a zone is known), how precise the source was,
/// and whether the text carried its own zone (local Setup-download times do not).
public struct ParsedTime: Equatable, Sendable {
    public var epochMs: Int64
    public var precisionMs: Int32
    public var hasZone: Bool
}

/// Parses every time shape the inputs use, from bytes, without Foundation's formatters:
/// ISO 8601 (`2026-11-21T06:04:01.000+0000`, `Z`, `+09:00`, no zone), ELF `TIMESTAMP`
/// (`20261121060401.123`, 0–3 fraction digits, GMT), US Setup (`11/21/2026 6:04 AM`, seconds
/// optional), JP Setup (`2026/11/21 15:04`, seconds optional), epoch seconds or milliseconds
/// (told apart by magnitude), and RFC 1123 HTTP dates (`Sat, 21 Nov 2026 06:04:01 GMT`).
public enum TimeParser {
    public static func parse(_ raw: UnsafeRawBufferPointer) -> ParsedTime? {
        var s = raw.startIndex, e = raw.endIndex
        while s < e && (raw[s] == 0x20 || raw[s] == 0x09) { s += 1 }
        while e > s && (raw[e - 1] == 0x20 || raw[e - 1] == 0x09) { e -= 1 }
        guard e > s else { return nil }
        var c = Cursor(bytes: raw, index: s, end: e)
        let digits = c.countDigits()
        if digits == 4 && c.peek(at: 4) == UInt8(ascii: "-") { return iso(&c) }
        if digits == 4 && c.peek(at: 4) == UInt8(ascii: "/") { return japanese(&c) }
        if (digits == 1 || digits == 2) && c.peek(at: digits) == UInt8(ascii: "/") { return american(&c) }
        if digits == 14 { return elf(&c) }
        if digits >= 9 && digits == e - s || (digits >= 9 && c.peek(at: digits) == UInt8(ascii: ".")) { return epoch(&c) }
        if digits == 0 { return rfc1123(&c) }
        return nil
    }

    public static func parse(_ text: String) -> ParsedTime? {
        var copy = text
        return copy.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    /// Epoch seconds or milliseconds from a JSON number, told apart by magnitude.
    public static func fromEpoch(_ value: Double) -> ParsedTime? {
        // Past year 5000 in microseconds is no time a log holds (and would overflow Int64).
        guard value.isFinite, value > 0, value < 1e17 else { return nil }
        if value >= 1e14 { return ParsedTime(epochMs: Int64(value / 1000), precisionMs: 1, hasZone: true) } // µs
        if value >= 1e11 { return ParsedTime(epochMs: Int64(value), precisionMs: 1, hasZone: true) }
        let ms = Int64((value * 1000).rounded())
        return ParsedTime(epochMs: ms, precisionMs: value == value.rounded() ? 1000 : 1, hasZone: true)
    }

    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return Int64(era * 146097 + doe - 719468)
    }

    static func isValid(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ sec: Int) -> Bool {
        guard (1970...2200).contains(y), (1...12).contains(mo), (0...23).contains(h), (0...59).contains(mi), (0...60).contains(sec) else { return false }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1]
        return (1...days).contains(d)
    }

    static func make(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ sec: Int, _ ms: Int) -> Int64? {
        guard isValid(y, mo, d, h, mi, sec) else { return nil }
        return ((daysFromCivil(y, mo, d) * 24 + Int64(h)) * 60 + Int64(mi)) * 60_000 + Int64(sec) * 1000 + Int64(ms)
    }

    private static func iso(_ c: inout Cursor) -> ParsedTime? {
        guard let y = c.number(4), c.eat("-"), let mo = c.number(2), c.eat("-"), let d = c.number(2) else { return nil }
        var h = 0, mi = 0, sec = 0, ms = 0, precision: Int32 = 86_400_000
        if c.eat("T") || c.eat(" ") {
            guard let hh = c.number(2), c.eat(":"), let mm = c.number(2) else { return nil }
            h = hh; mi = mm; precision = 60_000
            if c.eat(":") {
                guard let ss = c.number(2) else { return nil }
                sec = ss; precision = 1000
                if c.eat(".") || c.eat(",") {
                    guard let (fraction, n) = c.fraction() else { return nil }
                    ms = fraction; precision = n >= 3 ? 1 : (n == 2 ? 10 : 100)
                }
            }
        }
        guard var t = make(y, mo, d, h, mi, sec, ms) else { return nil }
        var hasZone = false
        if c.eat("Z") || c.eat("z") {
            hasZone = true
        } else if let sign = c.peek(at: 0), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            c.index += 1
            guard let oh = c.number(2) else { return nil }
            _ = c.eat(":")
            let om = c.number(2) ?? 0
            let offset = Int64(oh * 60 + om) * 60_000
            t += sign == UInt8(ascii: "+") ? -offset : offset
            hasZone = true
        } else if c.eatWord("UTC") || c.eatWord("GMT") {
            hasZone = true
        }
        guard c.atEnd else { return nil }
        return ParsedTime(epochMs: t, precisionMs: precision, hasZone: hasZone)
    }

    private static func elf(_ c: inout Cursor) -> ParsedTime? {
        guard let y = c.number(4), let mo = c.number(2), let d = c.number(2), let h = c.number(2),
              let mi = c.number(2), let sec = c.number(2) else { return nil }
        var ms = 0, precision: Int32 = 1000
        if c.eat(".") {
            if let (fraction, n) = c.fraction() { ms = fraction; precision = n >= 3 ? 1 : (n == 2 ? 10 : 100) }
        }
        guard c.atEnd, let t = make(y, mo, d, h, mi, sec, ms) else { return nil }
        return ParsedTime(epochMs: t, precisionMs: precision, hasZone: true)
    }

    private static func japanese(_ c: inout Cursor) -> ParsedTime? {
        guard let y = c.number(4), c.eat("/"), let mo = c.upTo2(), c.eat("/"), let d = c.upTo2() else { return nil }
        return clock(&c, y, mo, d)
    }

    private static func american(_ c: inout Cursor) -> ParsedTime? {
        guard let mo = c.upTo2(), c.eat("/"), let d = c.upTo2(), c.eat("/"), let y = c.number(4) else { return nil }
        return clock(&c, y, mo, d)
    }

    /// ` H:MM[:SS][ AM|PM]` after a local date; local times carry no zone.
    private static func clock(_ c: inout Cursor, _ y: Int, _ mo: Int, _ d: Int) -> ParsedTime? {
        var h = 0, mi = 0, sec = 0, precision: Int32 = 86_400_000
        if c.eat(" ") {
            while c.eat(" ") {}
            guard let hh = c.upTo2(), c.eat(":"), let mm = c.number(2) else { return nil }
            h = hh; mi = mm; precision = 60_000
            if c.eat(":") {
                guard let ss = c.number(2) else { return nil }
                sec = ss; precision = 1000
            }
            while c.eat(" ") {}
            if c.eatWord("AM") || c.eatWord("am") || c.eatWord("午前") {
                guard (1...12).contains(h) else { return nil }
                if h == 12 { h = 0 }
            } else if c.eatWord("PM") || c.eatWord("pm") || c.eatWord("午後") {
                guard (1...12).contains(h) else { return nil }
                if h != 12 { h += 12 }
            }
        }
        guard c.atEnd, let t = make(y, mo, d, h, mi, sec, 0) else { return nil }
        return ParsedTime(epochMs: t, precisionMs: precision, hasZone: false)
    }

    private static func epoch(_ c: inout Cursor) -> ParsedTime? {
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: c.bytes[c.index..<c.end]), as: UTF8.self)
        guard let value = Double(text) else { return nil }
        return fromEpoch(value)
    }

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// `Sat, 21 Nov 2026 06:04:01 GMT`
    private static func rfc1123(_ c: inout Cursor) -> ParsedTime? {
        while let b = c.peek(at: 0), b != UInt8(ascii: " ") { c.index += 1 }
        while c.eat(" ") {}
        guard let d = c.upTo2(), c.eat(" ") else { return nil }
        guard c.end - c.index >= 3 else { return nil }
        let name = String(decoding: UnsafeRawBufferPointer(rebasing: c.bytes[c.index..<c.index + 3]), as: UTF8.self).lowercased()
        guard let monthIndex = months.firstIndex(of: name) else { return nil }
        c.index += 3
        guard c.eat(" "), let y = c.number(4), c.eat(" "), let h = c.number(2), c.eat(":"), let mi = c.number(2),
              c.eat(":"), let sec = c.number(2) else { return nil }
        while c.eat(" ") {}
        guard c.eatWord("GMT") || c.eatWord("UTC") || c.atEnd, c.atEnd,
              let t = make(y, monthIndex + 1, d, h, mi, sec, 0) else { return nil }
        return ParsedTime(epochMs: t, precisionMs: 1000, hasZone: true)
    }
}

private struct Cursor {
    let bytes: UnsafeRawBufferPointer
    var index: Int
    let end: Int

    var atEnd: Bool { index == end }

    func peek(at offset: Int) -> UInt8? { index + offset < end ? bytes[index + offset] : nil }

    func countDigits() -> Int {
        var i = index
        while i < end && bytes[i] >= 0x30 && bytes[i] <= 0x39 { i += 1 }
        return i - index
    }

    mutating func number(_ count: Int) -> Int? {
        guard index + count <= end else { return nil }
        var value = 0
        for i in index..<index + count {
            let b = bytes[i]
            guard b >= 0x30 && b <= 0x39 else { return nil }
            value = value * 10 + Int(b - 0x30)
        }
        index += count
        return value
    }

    mutating func upTo2() -> Int? {
        let n = min(countDigits(), 2)
        return n == 0 ? nil : number(n)
    }

    /// Fraction digits scaled to milliseconds (extra digits beyond 3 are read and dropped).
    mutating func fraction() -> (Int, Int)? {
        let n = countDigits()
        guard n > 0 else { return nil }
        var ms = 0
        for i in 0..<3 { ms = ms * 10 + (i < n ? Int(bytes[index + i] - 0x30) : 0) }
        index += n
        return (ms, n)
    }

    mutating func eat(_ ascii: Unicode.Scalar) -> Bool {
        if index < end && bytes[index] == UInt8(ascii: ascii) { index += 1; return true }
        return false
    }

    mutating func eatWord(_ word: String) -> Bool {
        let utf8 = Array(word.utf8)
        guard index + utf8.count <= end else { return false }
        for (i, b) in utf8.enumerated() where bytes[index + i] != b { return false }
        index += utf8.count
        return true
    }
}

/// Converts zone-less local times (Setup downloads) to UTC for one IANA zone.
public final class LocalTimeZone {
    public let identifier: String
    private let zone: TimeZone
    private var offsetByHour: [Int64: Int64] = [:]

    public init?(identifier: String) {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        self.identifier = identifier
        self.zone = zone
    }

    /// `localMs` is the wall-clock reading as if it were UTC; returns true UTC.
    /// In the repeated hour when clocks go back, the earlier instant is chosen.
    public func toUTC(_ localMs: Int64) -> Int64 {
        let hour = localMs / 3_600_000
        if let offset = offsetByHour[hour] { return localMs - offset }
        let guess = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(localMs) / 1000))) * 1000
        var offset = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(localMs - guess) / 1000))) * 1000
        if offset != guess {
            let again = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(localMs - offset) / 1000))) * 1000
            offset = max(offset, again)
        }
        if offsetByHour.count > 100_000 { offsetByHour.removeAll() }
        offsetByHour[hour] = offset
        return localMs - offset
    }
}
