import Foundation

/// Scan progress on a terminal: one line on stderr, redrawn at most 4 times a second, with
/// the file, rows/s, percent of its bytes and an ETA. Not used when stderr is not a
/// terminal (cron, CI, pipes get nothing decorative) or with --quiet.
public final class ProgressLine {
    private var started = Date()
    private var lastDraw = Date.distantPast
    private var currentPath = ""
    private var drawn = false
    private let write: (String) -> Void

    public init(write: @escaping (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.write = write
    }

    /// True when stderr is a terminal.
    public static var isTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    public func update(_ p: ScanProgress) {
        let now = Date()
        if p.path != currentPath { currentPath = p.path; started = now }
        guard now.timeIntervalSince(lastDraw) >= 0.25 || p.rows == 0 else { return }
        lastDraw = now
        write("\r\u{1B}[2K" + Self.format(p, elapsed: now.timeIntervalSince(started)))
        drawn = true
    }

    /// Clears the line (before the summary is printed).
    public func finish() {
        if drawn { write("\r\u{1B}[2K") }
        drawn = false
    }

    public static func format(_ p: ScanProgress, elapsed: Double) -> String {
        let name = TerminalSummary.sanitize((p.path as NSString).lastPathComponent)
        var out = "[\(p.file)/\(p.files)] \(name.count > 48 ? "…" + name.suffix(47) : name)"
        guard p.rows > 0 else { return out }
        out += "  \(p.rows) rows"
        if elapsed > 0 { out += String(format: "  %.0fk rows/s", Double(p.rows) / elapsed / 1000) }
        if p.bytes > 0 {
            let fraction = min(1, Double(p.bytesRead) / Double(p.bytes))
            out += String(format: "  %.0f%%", fraction * 100)
            if fraction > 0.01 && elapsed > 0 { out += String(format: "  ETA %.0f s", elapsed / fraction - elapsed) }
        }
        return out
    }
}
