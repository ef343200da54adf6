/// A STIX 2.1 pattern, parsed (not matched with regular expressions over its text): observation
/// expressions in brackets, joined by `OR`, `AND` or `FOLLOWEDBY`; inside a bracket, comparisons
/// joined by `AND`/`OR` with parentheses; a comparison is an object path, an operator (`=`,
/// `!=`, `<`, `>`, `<=`, `>=`, `IN`, `LIKE`, `MATCHES`, `ISSUBSET`, `ISSUPERSET`, each maybe
/// after `NOT`) and a constant. Qualifiers (`WITHIN`, `REPEATS`, `START … STOP`) are read and
/// ignored: a sweep of history has no window to hold them to.
public indirect enum STIXPattern: Equatable, Sendable {
    case comparison(path: String, op: String, negated: Bool, values: [String])
    case and([STIXPattern])
    case or([STIXPattern])

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public let message: String
        public let offset: Int
        public var description: String { "\(message) at character \(offset + 1)" }
    }

    /// An advisory's pattern is a line or two: longer or deeper ones are refused, not recursed into.
    static let maxLength = 16_384, maxDepth = 64

    public static func parse(_ text: String) throws -> STIXPattern {
        guard text.utf8.count <= maxLength else { throw ParseError(message: "longer than \(maxLength) bytes", offset: maxLength) }
        var parser = Parser(tokens: try tokenize(text))
        let pattern = try parser.observations()
        guard parser.atEnd else { throw parser.error("unexpected '\(parser.peek()?.text ?? "")'") }
        return pattern
    }

    /// The comparisons a match of the pattern needs any one of (`OR` everywhere); nil when a
    /// part needs two at once (`AND`, `FOLLOWEDBY`): one record cannot be held to that here.
    public var alternatives: [STIXPattern]? {
        switch self {
        case .comparison: return [self]
        case .or(let parts):
            var out: [STIXPattern] = []
            for part in parts { guard let some = part.alternatives else { return nil }; out += some }
            return out
        case .and(let parts): return parts.count == 1 ? parts[0].alternatives : nil
        }
    }

    // MARK: tokens

    struct Token: Equatable {
        enum Kind { case symbol, word, string, number }
        let kind: Kind
        let text: String
        let offset: Int
    }

    static func tokenize(_ text: String) throws -> [Token] {
        let chars = Array(text.unicodeScalars)
        var tokens: [Token] = []
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == " " || c == "\t" || c == "\n" || c == "\r" { i += 1; continue }
            let start = i
            if c == "'" {
                var value = "", closed = false
                i += 1
                while i < chars.count {
                    if chars[i] == "\\", i + 1 < chars.count { value.unicodeScalars.append(chars[i + 1]); i += 2; continue }
                    if chars[i] == "'" { closed = true; i += 1; break }
                    value.unicodeScalars.append(chars[i]); i += 1
                }
                guard closed else { throw ParseError(message: "unterminated string", offset: start) }
                tokens.append(Token(kind: .string, text: value, offset: start))
            } else if "[]():,*".unicodeScalars.contains(c) {
                tokens.append(Token(kind: .symbol, text: String(c), offset: start)); i += 1
            } else if c == "=" || c == "!" || c == "<" || c == ">" {
                var op = String(c); i += 1
                if i < chars.count, chars[i] == "=" { op += "="; i += 1 }
                guard op != "!" else { throw ParseError(message: "expected != ", offset: start) }
                tokens.append(Token(kind: .symbol, text: op, offset: start))
            } else if c.properties.isAlphabetic || c == "_" || c == "-" || c == "." || ("0"..."9").contains(c) {
                var word = ""
                while i < chars.count, chars[i].properties.isAlphabetic || chars[i] == "_" || chars[i] == "-" || chars[i] == "."
                        || ("0"..."9").contains(chars[i]) {
                    word.unicodeScalars.append(chars[i]); i += 1
                }
                // A typed constant: t'…' (timestamp), h'…' (hex), b'…' (base64).
                if ["t", "h", "b"].contains(word), i < chars.count, chars[i] == "'" { continue }
                tokens.append(Token(kind: word.first.map { $0.isNumber || $0 == "-" } == true && Double(word) != nil ? .number : .word,
                                    text: word, offset: start))
            } else {
                throw ParseError(message: "unexpected character '\(c)'", offset: start)
            }
        }
        return tokens
    }

    // MARK: grammar

    struct Parser {
        let tokens: [Token]
        var index = 0
        var depth = 0
        mutating func nested<T>(_ body: (inout Parser) throws -> T) throws -> T {
            depth += 1
            defer { depth -= 1 }
            guard depth <= STIXPattern.maxDepth else { throw error("nested more than \(STIXPattern.maxDepth) deep") }
            return try body(&self)
        }
        var atEnd: Bool { index >= tokens.count }
        func peek() -> Token? { index < tokens.count ? tokens[index] : nil }
        func error(_ message: String) -> ParseError { ParseError(message: message, offset: peek()?.offset ?? tokens.last.map { $0.offset + $0.text.count } ?? 0) }
        mutating func take() -> Token? { defer { index += 1 }; return peek() }
        mutating func expect(_ text: String) throws {
            guard peek()?.text == text, peek()?.kind == .symbol else { throw error("expected '\(text)'") }
            index += 1
        }
        func isWord(_ words: String...) -> Bool { peek().map { $0.kind == .word && words.contains($0.text.uppercased()) } ?? false }

        /// `item (WORD item)*`, the items combined (one item stands for itself): the one shape of
        /// both levels, observations and comparisons, AND binding tighter than OR.
        mutating func joined(_ words: [String], _ combine: ([STIXPattern]) -> STIXPattern,
                             _ item: (inout Parser) throws -> STIXPattern) throws -> STIXPattern {
            var items = [try item(&self)]
            while let t = peek(), t.kind == .word, words.contains(t.text.uppercased()) { index += 1; items.append(try item(&self)) }
            return items.count == 1 ? items[0] : combine(items)
        }

        /// observation (OR|AND|FOLLOWEDBY observation)*.
        mutating func observations() throws -> STIXPattern {
            try joined(["OR"], STIXPattern.or) { p in try p.joined(["AND", "FOLLOWEDBY"], STIXPattern.and) { try $0.observation() } }
        }

        mutating func observation() throws -> STIXPattern {
            let inner: STIXPattern
            if peek()?.text == "(" && peek()?.kind == .symbol {
                index += 1
                inner = try nested { try $0.observations() }
                try expect(")")
            } else {
                try expect("[")
                inner = try comparisons()
                try expect("]")
            }
            try qualifiers()
            return inner
        }

        /// WITHIN n SECONDS, REPEATS n TIMES, START t'…' STOP t'…': read past.
        mutating func qualifiers() throws {
            while isWord("WITHIN", "REPEATS", "START", "STOP") {
                let word = take()!.text.uppercased()
                guard let value = take(), value.kind == .number || value.kind == .string else { throw error("expected a value after \(word)") }
                if word == "WITHIN" { guard isWord("SECONDS") else { throw error("expected SECONDS") }; index += 1 }
                if word == "REPEATS" { guard isWord("TIMES") else { throw error("expected TIMES") }; index += 1 }
            }
        }

        mutating func comparisons() throws -> STIXPattern {
            try joined(["OR"], STIXPattern.or) { p in try p.joined(["AND"], STIXPattern.and) { try $0.comparisonTerm() } }
        }

        mutating func comparisonTerm() throws -> STIXPattern {
            if peek()?.text == "(" && peek()?.kind == .symbol {
                index += 1
                let inner = try nested { try $0.comparisons() }
                try expect(")")
                return inner
            }
            let path = try objectPath()
            var negated = false
            if isWord("NOT") { negated = true; index += 1 }
            guard let opToken = take() else { throw error("expected an operator") }
            let op: String
            switch (opToken.kind, opToken.text.uppercased()) {
            case (.symbol, let s) where ["=", "!=", "<", ">", "<=", ">="].contains(s): op = s
            case (.word, let w) where ["IN", "LIKE", "MATCHES", "ISSUBSET", "ISSUPERSET"].contains(w): op = w
            default: index -= 1; throw error("expected an operator")
            }
            var values: [String] = []
            if op == "IN" {
                try expect("(")
                repeat {
                    guard let v = take(), v.kind == .string || v.kind == .number else { throw error("expected a constant") }
                    values.append(v.text)
                } while peek()?.text == "," && { index += 1; return true }()
                try expect(")")
            } else {
                guard let v = take(), v.kind == .string || v.kind == .number || (v.kind == .word && ["TRUE", "FALSE"].contains(v.text.uppercased())) else {
                    throw error("expected a constant")
                }
                values.append(v.text)
            }
            return .comparison(path: path, op: op, negated: negated, values: values)
        }

        /// type:property(.property | [n] | [*])*, a property maybe quoted ('User-Agent').
        mutating func objectPath() throws -> String {
            guard let type = take(), type.kind == .word else { throw error("expected an object path") }
            try expect(":")
            var path = type.text + ":"
            while let t = peek() {
                // After ':' or '.', a property (a word, or quoted: 'User-Agent'); after a
                // property, '.more' (tokenized with its dot) or an index [n] / [*].
                let expectsProperty = path.hasSuffix(":") || path.hasSuffix(".")
                if expectsProperty && (t.kind == .word || t.kind == .string) {
                    path += t.kind == .string ? "'\(t.text)'" : t.text
                    index += 1
                } else if !expectsProperty && t.kind == .word && t.text.hasPrefix(".") {
                    path += t.text
                    index += 1
                } else if !expectsProperty && t.kind == .symbol && t.text == "[" {
                    index += 1
                    guard let n = take(), n.kind == .number || n.text == "*" else { throw error("expected an index") }
                    try expect("]")
                    path += "[\(n.text)]"
                } else {
                    break
                }
            }
            guard !path.hasSuffix(":") && !path.hasSuffix(".") else { throw error("expected a property in '\(path)'") }
            return path
        }
    }
}
