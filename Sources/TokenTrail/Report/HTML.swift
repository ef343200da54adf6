/// HTML escaping: every value from a log goes through `escape` before it reaches a page.
public enum HTML {
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                if scalar.value < 0x20 && scalar != "\n" && scalar != "\t" { out += "&#xFFFD;" } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    /// No scripts, no external anything: the report works from file:// on an air-gapped laptop.
    public static let contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

    /// A table; `numeric` columns are right-aligned, `code` columns monospace and unbroken.
    /// `words`: columns of names and addresses, wrapped only between them (an e-mail address is never cut).
    static func table(_ header: [String], _ rows: [[String]], numeric: Set<Int> = [], code: Set<Int> = [], words: Set<Int> = []) -> String {
        func cell(_ tag: String, _ i: Int, _ text: String) -> String {
            let cls = numeric.contains(i) ? " class=\"n\"" : code.contains(i) ? " class=\"code\"" : words.contains(i) ? " class=\"w\"" : ""
            return "<\(tag)\(cls)>\(escape(text))</\(tag)>"
        }
        var out = "<table><thead><tr>"
        for (i, h) in header.enumerated() { out += cell("th", i, h) }
        out += "</tr></thead><tbody>"
        for row in rows {
            out += "<tr>"
            for (i, text) in row.enumerated() { out += cell("td", i, text) }
            out += "</tr>"
        }
        return out + "</tbody></table>"
    }
}
