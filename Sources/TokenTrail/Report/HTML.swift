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

    static func table(_ header: [String], _ rows: [[String]], numeric: Set<Int> = []) -> String {
        var out = "<table><thead><tr>"
        for (i, h) in header.enumerated() { out += numeric.contains(i) ? "<th class=\"n\">\(escape(h))</th>" : "<th>\(escape(h))</th>" }
        out += "</tr></thead><tbody>"
        for row in rows {
            out += "<tr>"
            for (i, cell) in row.enumerated() { out += numeric.contains(i) ? "<td class=\"n\">\(escape(cell))</td>" : "<td>\(escape(cell))</td>" }
            out += "</tr>"
        }
        return out + "</tbody></table>"
    }
}
