/// The one owner of `alerts`: which findings a webhook was given, and at what severity.
public enum AlertsTable {
    /// The severity each fingerprint was last posted at (a row from before severities were
    /// kept counts as critical: it is not posted again for an escalation it cannot show).
    public static func postedSeverities(_ db: Database) throws -> [String: Severity] {
        var posted: [String: Severity] = [:]
        for row in try db.records("SELECT fingerprint, severity FROM alerts") {
            if let fingerprint = row["fingerprint"].string { posted[fingerprint] = row["severity"].string.flatMap(Severity.init(rawValue:)) ?? .critical }
        }
        return posted
    }

    /// Records a delivery of these findings.
    public static func recordPosted(_ db: Database, _ findings: [Finding], destination: String, runId: Int64?) throws {
        try db.transaction {
            for f in findings {
                try db.execute("""
                    INSERT INTO alerts(fingerprint, posted_at, run_id, destination, last_seen, severity) VALUES(?,?,?,?,?,?)
                    ON CONFLICT(fingerprint) DO UPDATE SET posted_at = excluded.posted_at, run_id = excluded.run_id,
                        destination = excluded.destination, last_seen = excluded.last_seen, severity = excluded.severity
                    """, [.text(f.fingerprint), .integer(Clock.nowMs()), runId.map { .integer($0) } ?? .null, .text(destination),
                          .integer(f.lastSeen), .text(f.severity.rawValue)])
            }
        }
    }

    /// A finding whose fingerprint changed was posted all the same.
    public static func rename(_ db: Database, _ renamed: [String: String]) throws {
        guard !renamed.isEmpty else { return }
        try db.transaction {
            for (old, new) in renamed.sorted(by: { $0.key < $1.key }) {
                try db.execute("""
                    INSERT OR IGNORE INTO alerts(fingerprint, posted_at, run_id, destination, last_seen, severity)
                    SELECT ?, posted_at, run_id, destination, last_seen, severity FROM alerts WHERE fingerprint = ?
                    """, [.text(new), .text(old)])
                try db.execute("DELETE FROM alerts WHERE fingerprint = ?", [.text(old)])
            }
        }
    }
}
