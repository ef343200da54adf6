/// The scan summary as plain text for a terminal or a CI log.
public enum TerminalSummary {
    public static func render(_ s: RunSummary, databasePath: String, reportPath: String?) -> String {
        var out = ""
        out += "TokenTrail \(Scanner.version): \(s.files.count) file(s) → \(databasePath)\n"
        if let first = s.firstTime, let last = s.lastTime {
            out += "Time span covered: \(UTCTime.iso(first)) … \(UTCTime.iso(last))\n\n"
        } else if let span = s.readSpan {
            out += "Time span covered: nothing new (the files were read before): \(UTCTime.iso(span.0)) … \(UTCTime.iso(span.1))\n\n"
        } else {
            out += "Time span covered: no records in these files\n\n"
        }
        // twins: logins another export (Login History ↔ ELF Login) also holds, stored once.
        out += table(["rows", "stored", "dup", "twins", "rejects", "repaired", "format", "file"],
                     s.files.map { f in
                         [String(f.stats.rowsRead), String(f.stats.stored), String(f.stats.duplicates), String(f.stats.twins),
                          String(f.stats.rejects), String(f.stats.repaired), f.format,
                          sanitize(f.path) + (f.status == .ingested ? "" : "  [" + sanitize(RunSummary.statusText(f.status)) + "]")]
                     }, rightAligned: 6)
        let duplicates = s.files.reduce(0) { $0 + $1.stats.duplicates }, twins = s.files.reduce(0) { $0 + $1.stats.twins }
        if duplicates + twins > 0 {
            out += "  The tables below count the records these files hold; \(duplicates) duplicate(s) of records stored before"
                + " and \(twins) twin(s) (one login in two exports) are each stored once.\n"
        }
        out += section("Server-side logins by app × flow (basis) × outcome", ["origin", "app", "flow", "basis", "outcome", "logins"],
                       s.logins, more: "v_logins")
        if s.pairedLogins > 0 {
            out += "  \(s.pairedLogins) login(s) in this span paired with a client's token request (basis client_log: see the report)\n"
        }
        out += section("Who server-to-server apps log in as (JWT bearer, client credentials)", ["app", "user", "flow", "outcome", "logins"],
                       s.integrationUsers, more: "v_logins")
        out += section("Client token requests by provider × integration × host × flow × outcome",
                       ["provider", "integration", "host", "flow", "outcome", "requests"], s.tokenRequests, more: "v_token_requests")
        out += section("Okta events by type × outcome", ["event type", "outcome", "events"], s.idpEvents, more: "v_idp_events")
        out += section("Event Monitoring activity", ["event type", "events"], s.apiActivity, more: "v_api_activity")
        if !s.rejectReasons.isEmpty {
            out += "\nRejected rows (kept in the rejects table, see v_rejects)\n"
            for row in s.rejectReasons { out += "  \(row.count) × \(sanitize(row.cells[0]))\n" }
            for sample in s.rejectSamples.prefix(10) { out += "    \(sanitize(sample[0])): \(sanitize(sample[1]))\n" }
        }
        if let reportPath { out += "\nReport: \(reportPath)\n" }
        return out
    }

    /// One of the summary's tables: the records this scan read, its largest rows, then what
    /// was left out and where to find it.
    static func section(_ title: String, _ header: [String], _ t: RunSummary.Table, more view: String) -> String {
        guard !t.isEmpty else { return "" }
        var out = "\n" + title + "\n"
        out += table(header, t.rows.map { $0.cells + [String($0.count)] }, rightAligned: 0, rightColumns: [header.count - 1])
        if t.moreRows > 0 {
            out += "  … and \(t.moreRecords) more record(s) in \(t.moreRows == 1 ? "another row" : "other rows") (the database has them all: \(view))\n"
        }
        return out
    }

    /// A cell's most characters: the columns are padded to their widest cell, so one long
    /// value (a hostile 8 KB host name) would otherwise push every row off the screen. The
    /// whole value stays in the database and the report.
    static let maxCellCharacters = 80

    /// Columns padded to their widest cell (by characters, cut at `maxCellCharacters`, except
    /// the last, which nothing follows: a file's note is read whole); numbers right-aligned.
    static func table(_ header: [String], _ rows: [[String]], rightAligned: Int, rightColumns: Set<Int> = []) -> String {
        let right = rightColumns.union(0..<rightAligned)
        let clean = rows.map { row in row.enumerated().map { i, cell in
            let text = sanitize(cell)
            return text.count > maxCellCharacters && i < row.count - 1 ? String(text.prefix(maxCellCharacters - 1)) + "…" : text
        } }
        var widths = header.map(\.count)
        for row in clean { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: max(0, widths[i] - cell.count))
                if i == cells.count - 1 && !right.contains(i) { return cell }
                return right.contains(i) ? pad + cell : cell + pad
            }.joined(separator: "  ")
        }
        return ([line(header)] + clean.map(line)).map { "  " + $0 }.joined(separator: "\n") + "\n"
    }

    /// `sanitize` for text of several lines: the line breaks are ours, the rest is not.
    public static func sanitizeLines(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { sanitize(String($0)) }.joined(separator: "\n")
    }

    /// Log values are attacker-controlled: no control characters (terminal escapes) reach the
    /// screen, and no invisible ones either: bidi overrides and isolates (which reorder what
    /// follows, so `evil.txt\u{202E}fdp.exe` reads as another name) and zero-width characters
    /// (which make two names look the same) are shown by their code point, `⟨U+202E⟩`.
    public static func sanitize(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v < 0x20 || (v >= 0x7f && v < 0xa0) {
                out.append("·")
            } else if isInvisible(v) {
                out.append(contentsOf: String(format: "⟨U+%04X⟩", v).unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// Characters a reader cannot see: every format character (Unicode category Cf: bidi
    /// controls, zero-width characters, the tag characters U+E0000–E007F of "ASCII smuggling"),
    /// every default-ignorable code point (Hangul fillers U+115F, U+3164, the combining grapheme
    /// joiner U+034F, variation selectors), line and paragraph separators.
    static func isInvisible(_ v: UInt32) -> Bool {
        if v < 0xA0 { return false }   // ASCII and C1 are handled before
        if v == 0x2028 || v == 0x2029 || v == 0x2800 { return true }   // separators; the braille blank
        guard let scalar = Unicode.Scalar(v) else { return false }
        return scalar.properties.generalCategory == .format || scalar.properties.isDefaultIgnorableCodePoint
    }
}
