import Foundation

/// An advisory's indicator file, in whichever of the four shapes it came, decided from its
/// content: a STIX 2.1 bundle, a MISP event, a CSV with `type` and `value` columns, or plain
/// text (one indicator a line, `#` comments, defanged forms). What cannot be used (an
/// unsupported type or object path, a malformed line) is listed with its `file:line` and
/// skipped; a file with no usable indicator is an error naming it.
public struct IOCFile: Sendable {
    public enum Shape: String, Sendable { case stix, misp, csv, text }
    public var path: String
    public var shape: Shape
    public var indicators: [Indicator] = []
    public var problems: [IOCProblem] = []

    /// Files larger than this are no advisory's list.
    public static let maxBytes = 64 << 20
    public static let maxIndicators = 250_000, maxPatterns = 1_000

    public static func read(_ path: String) throws -> IOCFile {
        guard let data = FileManager.default.contents(atPath: path) else { throw InputError(path: path, "cannot read the IOC file") }
        guard data.count <= maxBytes else { throw InputError(path: path, "larger than \(maxBytes >> 20) MiB: not an indicator list") }
        var text = String(decoding: data, as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        var file: IOCFile
        if trimmed.hasPrefix("{") || trimmed.hasPrefix("[") {
            let json: JSONValue
            do { json = try JSONParser.parse(text) } catch let error as JSONError {
                let line = text.utf8.prefix(error.offset).filter { $0 == 0x0A }.count + 1
                throw InputError(path: path, line: line, "invalid JSON: \(error) (expected a STIX 2.1 bundle or a MISP event)")
            }
            if json["type"]?.string == "bundle" || json["objects"]?.array != nil || json["type"]?.string == "indicator" {
                file = IOCFile(path: path, shape: .stix)
                file.readSTIX(json)
            } else if json["Event"] != nil || json["response"] != nil || json.array?.first?["Event"] != nil {
                file = IOCFile(path: path, shape: .misp)
                file.readMISP(json)
            } else {
                throw InputError(path: path, "a JSON document that is neither a STIX 2.1 bundle (type: bundle, objects) nor a MISP event (Event.Attribute)")
            }
        } else if let csv = try CSVIndicators.open(path) {
            file = IOCFile(path: path, shape: .csv)
            try file.readCSV(csv.reader, columns: csv.columns)
        } else {
            file = IOCFile(path: path, shape: .text)
            file.readText(text)
        }
        guard file.indicators.count <= maxIndicators else {
            throw InputError(path: path, "more than \(maxIndicators) indicators: split the list (a sweep holds them all in memory)")
        }
        let patterns = file.indicators.filter { $0.kind == .userAgentPattern }.count
        guard patterns <= maxPatterns else { throw InputError(path: path, "more than \(maxPatterns) LIKE patterns (each is compared with every stored value)") }
        guard !file.indicators.isEmpty else {
            throw InputError(path: path, "no usable indicator (read as \(file.shape.rawValue)\(file.problems.first.map { "; first problem: \($0.description)" } ?? ""))")
        }
        return file
    }

    mutating func add(_ result: Result<Indicator, IOCProblem>) {
        switch result {
        case .success(let indicator): indicators.append(indicator)
        case .failure(let problem): problems.append(problem)
        }
    }

    // MARK: plain text

    mutating func readText(_ text: String) {
        for (n, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            var line = String(raw).trimmingCharacters(in: .whitespacesAndNewlines)
            var comment: String?
            if let hash = line.range(of: " #") ?? (line.hasPrefix("#") ? line.range(of: "#") : nil) {
                comment = String(line[hash.upperBound...]).trimmingCharacters(in: .whitespaces)
                line = String(line[..<hash.lowerBound]).trimmingCharacters(in: .whitespaces)
            }
            if line.isEmpty { continue }
            let origin = "\(path):\(n + 1)"
            guard let kind = Indicator.infer(line) else {
                problems.append(IOCProblem(origin: origin, message: "not an address, network, domain, URL, e-mail, user agent, app id or consumer key: '\(line.prefix(120))'"))
                continue
            }
            add(Indicator.make(kind, line, origin: origin, comment: comment))
        }
    }

    // MARK: CSV

    /// The rows after the header, read by the project's RFC 4180 reader: a broken record (an
    /// unterminated quote) is listed by its line, and reading goes on at the next.
    mutating func readCSV(_ reader: CSVReader, columns c: (type: Int, value: Int, comment: Int?)) throws {
        while try reader.next() {
            let origin = "\(path):\(reader.recordLine)"
            if let reason = reader.malformedReason { problems.append(IOCProblem(origin: origin, message: reason)); continue }
            let fields = (0..<reader.fieldCount).map(reader.string)
            if CSVIndicators.isBlankOrComment(fields) { continue }
            guard fields.count > max(c.type, c.value) else { problems.append(IOCProblem(origin: origin, message: "expected a type and a value")); continue }
            let comment = c.comment.flatMap { $0 < fields.count ? fields[$0] : nil }
            add(Self.typed(fields[c.type], fields[c.value], origin: origin, comment: comment))
        }
    }

    /// An indicator of a MISP-named type (`ip-src`, `user-agent`, `domain`, …); a type TokenTrail
    /// cannot look for in its records is a problem, listed.
    static func typed(_ type: String, _ value: String, origin: String, comment: String? = nil) -> Result<Indicator, IOCProblem> {
        let t = type.trimmingCharacters(in: .whitespaces).lowercased()
        var v = value.trimmingCharacters(in: .whitespaces)
        let kind: Indicator.Kind
        switch t {
        case "ip-src", "ip-dst", "ip", "ipv4", "ipv6", "ipv4-addr", "ipv6-addr", "cidr", "ip-src|port", "ip-dst|port":
            if t.hasSuffix("|port"), let bar = v.firstIndex(of: "|") { v = String(v[..<bar]) }
            kind = .address
        case "user-agent", "useragent", "user_agent", "ua": kind = .userAgent
        case "domain", "hostname", "domain|ip":
            if t == "domain|ip", let bar = v.firstIndex(of: "|") { v = String(v[..<bar]) }
            kind = .domain
        case "url", "uri", "link": kind = .url
        case "email", "email-src", "email-dst", "target-user", "target-email", "username", "user", "account": kind = .user
        case "app", "app-name", "connected-app": kind = .app
        case "app-id", "connected-app-id": kind = .appId
        case "consumer-key", "client-id": kind = .consumerKey
        case "text", "other", "comment":
            guard let inferred = Indicator.infer(v) else {
                return .failure(IOCProblem(origin: origin, message: "a '\(t)' value that is no indicator TokenTrail can look for: '\(v.prefix(120))'"))
            }
            kind = inferred
        default:
            return .failure(IOCProblem(origin: origin, message: "type '\(t)' is not one TokenTrail can look for in its records (skipped)"))
        }
        return Indicator.make(kind, v, origin: origin, comment: comment)
    }

    // MARK: MISP

    mutating func readMISP(_ json: JSONValue) {
        var events: [JSONValue] = []
        if let event = json["Event"] { events.append(event) }
        for item in json["response"]?.array ?? json.array ?? [] { if let event = item["Event"] { events.append(event) } }
        var n = 0
        for event in events {
            var attributes = event["Attribute"]?.array ?? []
            for object in event["Object"]?.array ?? [] { attributes += object["Attribute"]?.array ?? [] }
            for attribute in attributes {
                n += 1
                let origin = "\(path)#\(n)"
                guard let type = attribute["type"]?.string, let value = attribute["value"]?.string else {
                    problems.append(IOCProblem(origin: origin, message: "an attribute without type and value")); continue
                }
                add(Self.typed(type, value, origin: origin, comment: attribute["comment"]?.string))
            }
        }
    }

    // MARK: STIX

    mutating func readSTIX(_ json: JSONValue) {
        let objects = json["objects"]?.array ?? (json["type"] != nil ? [json] : [])
        for (n, object) in objects.enumerated() {
            let origin = "\(path)#\(n + 1)"
            let name = object["name"]?.string ?? object["description"]?.string
            switch object["type"]?.string ?? "" {
            case "indicator":
                guard let text = object["pattern"]?.string else { problems.append(IOCProblem(origin: origin, message: "an indicator without a pattern")); continue }
                if let type = object["pattern_type"]?.string, type != "stix" {
                    problems.append(IOCProblem(origin: origin, message: "pattern_type '\(type)' (only STIX patterns are read)")); continue
                }
                let pattern: STIXPattern
                do { pattern = try STIXPattern.parse(text) } catch {
                    problems.append(IOCProblem(origin: origin, message: "pattern not read: \(error): \(text.prefix(160))")); continue
                }
                guard let alternatives = pattern.alternatives else {
                    problems.append(IOCProblem(origin: origin, message: "a pattern whose comparisons must all hold at once (AND, FOLLOWEDBY): one record cannot be held to it; listed, not swept: \(text.prefix(160))"))
                    continue
                }
                for case let .comparison(path, op, negated, values) in alternatives {
                    add(contentsOf: Self.indicators(path: path, op: op, negated: negated, values: values, origin: origin, comment: name))
                }
            case "ipv4-addr", "ipv6-addr":
                if let value = object["value"]?.string { add(Indicator.make(.address, value, origin: origin, comment: name)) }
            case "domain-name":
                if let value = object["value"]?.string { add(Indicator.make(.domain, value, origin: origin, comment: name)) }
            case "url":
                if let value = object["value"]?.string { add(Indicator.make(.url, value, origin: origin, comment: name)) }
            case "email-addr":
                if let value = object["value"]?.string { add(Indicator.make(.user, value, origin: origin, comment: name)) }
            case "user-account":
                if let value = (object["account_login"] ?? object["user_id"])?.string { add(Indicator.make(.user, value, origin: origin, comment: name)) }
            case "bundle", "identity", "marking-definition", "relationship", "report", "malware", "attack-pattern", "campaign",
                 "threat-actor", "intrusion-set", "tool", "vulnerability", "note", "grouping", "course-of-action", "location":
                continue   // context, not indicators
            case let other:
                problems.append(IOCProblem(origin: origin, message: "STIX object '\(other)' holds no indicator TokenTrail can look for (skipped)"))
            }
        }
    }

    mutating func add(contentsOf results: [Result<Indicator, IOCProblem>]) { for r in results { add(r) } }

    /// A comparison's indicators, by object path and operator.
    static func indicators(path: String, op: String, negated: Bool, values: [String], origin: String, comment: String?) -> [Result<Indicator, IOCProblem>] {
        let unsupported = { (why: String) in [Result<Indicator, IOCProblem>.failure(IOCProblem(origin: origin, message: "\(why): \(path) \(negated ? "NOT " : "")\(op)"))] }
        if negated || op == "!=" { return unsupported("a negated comparison matches nearly everything (skipped)") }
        let kind: Indicator.Kind
        switch path.lowercased() {
        case "ipv4-addr:value", "ipv6-addr:value", "network-traffic:src_ref.value", "network-traffic:dst_ref.value": kind = .address
        case "network-traffic:extensions.'http-request-ext'.request_header.'user-agent'": kind = .userAgent
        case "user-account:account_login", "user-account:user_id", "email-addr:value", "email-message:from_ref.value": kind = .user
        case "domain-name:value", "url:value": kind = .domain
        default: return unsupported("an object path TokenTrail cannot look for in its records (skipped)")
        }
        switch op {
        case "=", "IN": return values.map { Indicator.make(kind, $0, origin: origin, comment: comment) }
        case "ISSUBSET" where kind == .address: return values.map { Indicator.make(.network, $0, origin: origin, comment: comment) }
        case "LIKE" where kind == .userAgent:
            return values.map { .success(Indicator(kind: .userAgentPattern, value: $0.lowercased(), original: $0, origin: origin, comment: comment)) }
        case "LIKE" where !values.contains(where: { $0.contains("%") || $0.contains("_") }):
            return values.map { Indicator.make(kind, $0, origin: origin, comment: comment) }
        default: return unsupported("operator not supported for this path (skipped)")
        }
    }
}

/// The CSV shape of an indicator list: a header naming `type` and `value` (or `indicator`,
/// `ioc`), maybe `comment`, before any other row (blank and `#` lines aside).
enum CSVIndicators {
    /// The file's reader, past its header, when the file is that shape.
    static func open(_ path: String) throws -> (reader: CSVReader, columns: (type: Int, value: Int, comment: Int?))? {
        let reader = try CSVReader(source: try openByteSource(path: path))
        while try reader.next() {
            if reader.malformedReason != nil { return nil }
            let fields = (0..<reader.fieldCount).map(reader.string)
            if isBlankOrComment(fields) { continue }
            return columns(fields).map { (reader, $0) }
        }
        return nil
    }

    static func isBlankOrComment(_ fields: [String]) -> Bool {
        fields.first?.hasPrefix("#") == true || fields.allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty }
    }

    static func columns(_ header: [String]) -> (type: Int, value: Int, comment: Int?)? {
        let names = header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard let type = names.firstIndex(where: { ["type", "ioc_type", "indicator_type", "category"].contains($0) }),
              let value = names.firstIndex(where: { ["value", "indicator", "ioc"].contains($0) }) else { return nil }
        return (type, value, names.firstIndex(where: { ["comment", "description", "note"].contains($0) }))
    }
}
