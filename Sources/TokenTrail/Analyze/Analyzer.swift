import Foundation

/// The analysis, in the order it runs. This file is the one place that order is written
/// (README, Architecture); each step names the one owner of what it writes.
///
/// The rules run over fixed UTC weeks (`AnalysisWeeks`), each evaluated whole, and what
/// they find is stored as parts that episodes are built from (`FindingsTable`): the findings
/// and incidents of a database are a function of its records, never of how the runs were cut
/// (DESIGN.md, History).
public enum Analyzer {
    /// One step: its name (for `TOKENTRAIL_TIMINGS`) and what it does.
    struct Step<State>: Sendable {
        let name: String
        let run: @Sendable (State) throws -> Void
        init(_ name: String, _ run: @escaping @Sendable (State) throws -> Void) { self.name = name; self.run = run }
    }

    /// How far after a run's weeks an analysed week is evaluated again (the baselines' 30 days, in whole weeks).
    static let laterWeeksReach = 5 * AnalysisWeeks.weekMs

    /// The rules whose findings rest on client↔server pairing.
    static let pairingRules = ["unmatched-server-login", "unmatched-client-success"]

    /// Once per analysis.
    static let steps: [Step<AnalysisRun>] = [
        // ELF rows get the app other sources name for them (`logins.app_via`), over the weeks
        // and the 30 days of history the baselines read.
        Step("app attribution") { try AppAttribution.run($0.context.facts, from: $0.weeks.start - AppAttribution.historyMs, to: $0.weeks.end) },
        // Each week the window touches, whole, through `weekSteps`.
        Step("weeks") { run in
            var previous: Facts?
            for week in run.weeks.weeks {
                let context = try AnalysisContext(db: run.db, policy: run.context.policy, windowStart: week.start, windowEnd: week.end,
                                                  indicators: run.context.indicators)
                context.facts.previousWeek = previous
                // Who each user id is, by every row of the database that names both: the first
                // week's tallies hold the rows before it, the rest is read once.
                if run.directory == nil { run.directory = try Facts.directory(run.db, from: week.start, facts: context.facts) }
                context.facts.directoryCache = run.directory
                defer { context.facts.previousWeek = nil; previous = context.facts }
                let state = WeekRun(context, rules: run.rules)
                for step in weekSteps { try Timings.measure(step.name) { try step.run(state) } }
                run.causes.formUnion(state.causes)
            }
        },
        // Who each user id is, so the views name API-export user ids too (`user_directory`): the
        // names every week used, written once.
        Step("user directory") { run in if let directory = run.directory { try storeDirectory(run.db, directory) } },
        // The episodes of every cause a week raised (`findings`).
        Step("episodes") { run in
            let rebuilt = try FindingsTable.rebuild(run.db, causes: run.causes, gapMs: run.gapMs, runId: run.runId)
            run.new = rebuilt.new
            // An episode whose fingerprint moved keeps its incident and its posted alert.
            try IncidentsTable.rename(run.db, rebuilt.renamed)
            try AlertsTable.rename(run.db, rebuilt.renamed)
        },
        // The incidents of the findings around the weeks evaluated (`incidents`, `incident_findings`),
        // users named as the weeks named them.
        Step("incidents") { run in
            let span = try AnalysisContext(db: run.db, policy: run.context.policy, windowStart: min(run.context.windowStart, run.weeks.start),
                                           windowEnd: max(run.context.windowEnd, run.weeks.end), indicators: run.context.indicators)
            span.facts.directoryCache = try run.directory ?? Facts.directory(run.db)
            let incidents = try Incidents.run(span.facts, runId: run.runId)
            (run.incidents, run.newIncidents) = (incidents.incidents.filter { $0.lastSeen >= run.context.windowStart && $0.firstSeen <= run.context.windowEnd },
                                                 incidents.new)
        },
    ]

    /// Once per week, in order.
    static let weekSteps: [Step<WeekRun>] = [
        // Client↔server pairs and each host's clock (`matches`, `clock_offsets`): the report and
        // timeline read them whichever rules run.
        Step("  correlation and clock estimates") { try ClockEstimates.store($0.context) },
        // Every enabled rule, with the policy's severity.
        Step("  rules") { week in
            for rule in week.rules where week.context.isEnabled(rule.id) {
                let severity = week.context.severity(of: rule)
                for var finding in try Timings.measure(rule.id, { try rule.evaluate(week.context) }) {
                    if finding.severity == rule.defaultSeverity { finding.severity = severity }
                    week.findings.append(finding)
                }
            }
        },
        // The `file:line`s the rules left to the shared pass.
        Step("  evidence") { week in try week.context.facts.resolveEvidence(&week.findings) },
        // What the week found of each cause (`finding_parts`).
        Step("  finding parts") { week in
            let ran = week.rules.filter { week.context.isEnabled($0.id) }.map(\.id)
            week.causes = try FindingsTable.storeParts(week.context.facts.db, week.findings, week: week.context.windowStart, rules: ran)
            try FindingsTable.markAnalysed(week.context.facts.db, week: week.context.windowStart)
        },
        // The per-day rollups the report's panels read (`login_daily`, `request_daily`).
        Step("  daily rollups") { week in try week.context.facts.dailyRollups() },
    ]

    final class AnalysisRun {
        let context: AnalysisContext
        let db: Database
        let weeks: AnalysisWeeks
        let rules: [any Rule]
        let runId: Int64?
        let gapMs: Int64
        var directory: [String: String]?
        var causes: Set<String> = []
        var new: Set<String> = []
        var incidents: [Incident] = []
        var newIncidents: Set<String> = []
        init(_ context: AnalysisContext, rules: [any Rule], runId: Int64?) throws {
            self.context = context
            db = context.facts.db
            // A run whose records start just after a week boundary also evaluates the week before
            // when that week found an unpaired login or request within the correlator's reach of
            // the boundary: it may pair with a record this run brought; likewise the week after,
            // for a run whose records end just before one (a late file). Only the correlator reads
            // past a week's end; re-evaluating every neighbour would double a weekly run's cost.
            let margin = Int64(3 * (context.policy?.matchWindowSeconds ?? 120)) * 1000
            let touched = try Analyzer.weeks(of: context)
            let before = touched.start - AnalysisWeeks.weekMs
            let revisitBefore = try context.windowStart - margin < touched.start
                && FindingsTable.hasPart(context.facts.db, week: before, near: touched.start, within: margin, of: Analyzer.pairingRules)
            // The same for the week after, when a late file ends just before it.
            let after = touched.end + 1
            let revisitAfter = try context.windowEnd + margin >= after
                && FindingsTable.hasPart(context.facts.db, week: after, near: after, within: margin, of: Analyzer.pairingRules)
            // A late file changes the history of the weeks analysed after it: those within the
            // baselines' reach (30 days) are evaluated again. A weekly run has none after it.
            let later = try FindingsTable.analysedWeeks(context.facts.db, from: touched.end + 1 + (revisitAfter ? AnalysisWeeks.weekMs : 0),
                                                        through: touched.end + Analyzer.laterWeeksReach)
            weeks = AnalysisWeeks(starts: (revisitBefore ? [before] : []) + touched.starts + (revisitAfter ? [after] : []) + later)
            self.rules = rules
            self.runId = runId
            gapMs = Int64(context.policy?.episodeGapDays ?? 7) * 86_400_000
        }
    }

    /// The weeks to evaluate: those of the window that hold records, found by seeking from one
    /// to the next (a crafted timestamp decades away adds its own week, never a range that
    /// pushes the real weeks out or takes hours). A week with no record between two that have
    /// some is not evaluated: the silence of its sources is said by the week after, whose
    /// stretches start in it, however the runs were cut. A window with no record at all has
    /// its own weeks, the latest year of them, so that its silence is said.
    static func weeks(of context: AnalysisContext) throws -> AnalysisWeeks {
        let db = context.facts.db, week = AnalysisWeeks.weekMs
        var found: Set<Int64> = []
        for table in ["logins", "token_requests", "api_activity", "idp_events"] {
            var from = context.windowStart
            while from <= context.windowEnd,
                  let next = try db.scalar("SELECT min(time) FROM \(table) WHERE time >= ? AND time <= ?",
                                           [.integer(from), .integer(context.windowEnd)]).int {
                let start = AnalysisWeeks.weekStart(containing: next)
                found.insert(start)
                if start > Int64.max - week { break }
                from = start + week
            }
        }
        let starts = found.sorted()
        if starts.isEmpty {
            let end = min(context.windowEnd, max(context.windowStart, Clock.nowMs()))
            return AnalysisWeeks(covering: max(context.windowStart, end - 53 * week), end)
        }
        return AnalysisWeeks(starts: starts.sorted())
    }

    final class WeekRun {
        let context: AnalysisContext
        let rules: [any Rule]
        var findings: [Finding] = []
        var causes: Set<String> = []
        init(_ context: AnalysisContext, rules: [any Rule]) { self.context = context; self.rules = rules }
    }

    public struct Result {
        /// The findings active in the window (episodes), most severe first.
        public var findings: [Finding]
        /// Fingerprints of episodes first stored by this analysis.
        public var new: Set<String>
        /// The incidents of the findings around the window (most severe first) and the ids new in this run.
        public var incidents: [Incident] = []
        public var newIncidents: Set<String> = []
        public init(findings: [Finding], new: Set<String>) {
            self.findings = findings
            self.new = new
        }
    }

    static func storeDirectory(_ db: Database, _ directory: [String: String]) throws {
        try db.transaction {
            for (id, name) in directory {
                try db.execute("INSERT INTO user_directory(user_id, username) VALUES(?, ?) ON CONFLICT(user_id) DO UPDATE SET username = excluded.username",
                               [.text(id), .text(name)])
            }
        }
    }

    public static func run(db: Database, policy: Policy?, windowStart: Int64, windowEnd: Int64,
                           runId: Int64? = nil, rules: [any Rule] = RuleCatalog.all) throws -> Result {
        try run(try AnalysisContext(db: db, policy: policy, windowStart: windowStart, windowEnd: windowEnd), runId: runId, rules: rules)
    }

    /// `context` is the run's window: the rules run over the weeks it touches, the results
    /// (findings, incidents) are those active in it.
    public static func run(_ context: AnalysisContext, runId: Int64? = nil, rules: [any Rule] = RuleCatalog.all) throws -> Result {
        let run = try AnalysisRun(context, rules: rules, runId: runId)
        for step in steps { try Timings.measure(step.name) { try step.run(run) } }
        var result = Result(findings: try FindingsTable.load(run.db, since: context.windowStart, until: context.windowEnd), new: run.new)
        (result.incidents, result.newIncidents) = (run.incidents, run.newIncidents)
        return result
    }
}
