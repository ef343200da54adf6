import Foundation

/// `tokentrail scan` end to end: opens the database once, loads the policy once, and runs
/// ingest → analysis → rollups → outputs (findings file, report, summary, webhook), returning
/// what decides the exit code. The executable only maps arguments onto a `Request` and the
/// `Outcome` onto text and an exit status.
public enum ScanPipeline {
    public struct Request {
        public var ingest: ScanRequest
        /// False: store only (`--no-analysis`), no findings.
        public var analyze = true
        /// The analysis window and report period; each bound defaults to the span of the files read.
        public var since: Int64?
        public var until: Int64?
        /// Where the findings are written as NDJSON (nil: not written by the pipeline).
        public var findingsFile: String?
        /// Where the incidents are written as NDJSON (nil: not written by the pipeline).
        public var incidentsFile: String?
        public var reportDirectory: String?
        public var dashboards: String?
        public var webhook: URL?
        public var alertOn = Severity.high
        /// Where the report is published: the webhook text links each incident to its page there.
        public var reportURL: String?
        /// `--iocs`: indicators every analysis sweeps its window for (rule ioc-match).
        public var indicators: [Indicator] = []
        /// Load the run's summary for people (off for `--quiet`).
        public var summary = true

        public init(ingest: ScanRequest) { self.ingest = ingest }
    }

    public struct Outcome {
        public var scan: ScanResult
        public var findings: [Finding] = []
        /// Fingerprints first raised by this run.
        public var new: Set<String> = []
        /// The incidents of the window's findings, most severe first, and the ids new in this run.
        public var incidents: [Incident] = []
        public var newIncidents: Set<String> = []
        public var summary: RunSummary?
        public var report: HTMLReport.Written?
        public var webhookPosted = 0
        /// What the analysis could not judge (no policy, no history, missing columns): said beside the findings.
        public var caveats: [String] = []
        /// Said on stderr, not a failure (a period that holds no records).
        public var notes: [String] = []
        /// Why the run did not do everything it was asked (files not stored, a full disk, a
        /// webhook not delivered): any of them makes the exit status 2. The database holds all the rest.
        public var problems: [String] = []

        /// 0 ran; 1 a finding at or above `failOn`; 2 something could not be done (DESIGN.md).
        public func exitStatus(failOn: Severity?) -> Int32 {
            if !problems.isEmpty { return 2 }
            if let failOn, findings.contains(where: { $0.severity >= failOn }) { return 1 }
            return 0
        }
    }

    public static func run(_ request: Request, onFile: ((FileResult) -> Void)? = nil) throws -> Outcome {
        let policy = try request.ingest.policyPath.map { try RuleCatalog.loadPolicy(path: $0) }
        let plan = try Scanner.prepare(request.ingest, policy: policy)
        let db = try Scanner.open(request.ingest)
        defer { db.truncateWAL() }   // the volume gets the WAL's space back; a copy of the file alone is complete
        var ingest = request.ingest
        ingest.tallies = request.summary
        var outcome = Outcome(scan: try Scanner.ingest(ingest, plan, into: db, progress: onFile))
        if let diskFull = outcome.scan.diskFull {
            if request.summary { outcome.summary = try RunSummary.load(db: db, result: outcome.scan) }
            outcome.problems = ["\(diskFull)"]
            return outcome
        }
        // No file read is never a clean run: an empty or mistyped export directory in cron would
        // report "nothing found" forever. (An analysis of stored records names its period.)
        let read = outcome.scan.files.filter { if case .skipped = $0.status { return false }; return true }
        if read.isEmpty && (request.since == nil || request.until == nil) {
            outcome.problems.append("\(request.ingest.inputs.joined(separator: ", ")): no file to read (no export or log TokenTrail reads was found); to analyse stored records without new files, give --since and --until")
        }
        let window = (request.since ?? outcome.scan.span?.0, request.until ?? outcome.scan.span?.1)
        if request.analyze, let start = window.0, let end = window.1 {
            if let empty = try Period.emptiness(db: db, since: start, until: end) { outcome.notes.append("note: " + empty) }
            outcome.caveats = try Caveats.of(db: db, policy: policy, windowStart: start, windowEnd: end)
            let context = try AnalysisContext(db: db, policy: policy, windowStart: start, windowEnd: end, indicators: request.indicators)
            let analysis = try Analyzer.run(context, runId: outcome.scan.runId)
            (outcome.findings, outcome.new) = (analysis.findings, analysis.new)
            (outcome.incidents, outcome.newIncidents) = (analysis.incidents, analysis.newIncidents)
        }
        if let path = request.findingsFile, !FileManager.default.createFile(atPath: path, contents: Data(FindingsOutput.ndjson(outcome.findings, incidents: outcome.incidents).utf8)) {
            outcome.problems.append("\(path): cannot write the findings")
        }
        if let path = request.incidentsFile, !FileManager.default.createFile(atPath: path, contents: Data(IncidentsOutput.ndjson(outcome.incidents).utf8)) {
            outcome.problems.append("\(path): cannot write the incidents")
        }
        if let directory = request.reportDirectory, let start = window.0, let end = window.1 {
            var options = HTMLReport.Options(since: start, until: end, databasePath: request.ingest.databasePath,
                                             dashboards: request.dashboards, policy: policy)
            options.newFindings = outcome.new
            options.newIncidents = outcome.newIncidents
            options.caveats = outcome.caveats
            outcome.report = try HTMLReport.write(db: db, options: options, to: directory)
        }
        if request.summary {
            outcome.summary = try RunSummary.load(db: db, result: outcome.scan)
            outcome.summary?.findings = outcome.findings
            outcome.summary?.newFindings = outcome.new
        }
        let failed = outcome.scan.failed.count
        if failed > 0 { outcome.problems.append("\(failed) file(s) could not be ingested (see above); the other files were stored") }
        if let webhook = request.webhook {
            let delivery = try Webhook.deliver(db: db, url: webhook, findings: outcome.findings, incidents: outcome.incidents,
                                               minimum: request.alertOn, runId: outcome.scan.runId, reportURL: request.reportURL)
            outcome.webhookPosted = delivery.posted
            if let failure = delivery.failure {
                outcome.problems.append("webhook delivery failed: \(failure) (the database is complete; the findings will be posted next run)")
            }
        }
        return outcome
    }
}
