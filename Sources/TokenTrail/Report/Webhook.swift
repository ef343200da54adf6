import Foundation
import CCurl

/// Posts a run's findings at or above a severity to a webhook as one JSON document, with a
/// timeout and retries with backoff. A fingerprint is recorded in `alerts` once delivered and
/// posted again only when it escalates; one that failed to go out is posted by the next run. The URL's path
/// and query (which often hold the hook's secret) are never printed or stored: only its host.
public enum Webhook {
    public struct Outcome: Sendable {
        public var posted = 0
        /// Why delivery failed after every retry (nil: delivered, or nothing to send).
        public var failure: String?
    }

    public struct Settings: Sendable {
        public var timeoutSeconds = 10.0
        public var retries = 3
        /// Waits before retry n: backoff × 2^(n−1).
        public var backoffSeconds = 1.0
        public init() {}
    }

    /// Where the URL comes from, so it need not be on the command line (where `ps` shows it
    /// to every user of the machine): `--webhook URL`, `--webhook-url-file FILE` (its first
    /// line), or the environment variable `TOKENTRAIL_WEBHOOK_URL`, in that order.
    public enum Source: Sendable, Equatable {
        case argument(String), file(String), environment(String)
    }

    public static let environmentVariable = "TOKENTRAIL_WEBHOOK_URL"

    public struct TargetError: Error, CustomStringConvertible {
        public let description: String
    }

    /// The webhook URL, validated: http or https with a host.
    public static func target(_ source: Source) throws -> URL {
        let text: String, origin: String
        switch source {
        case .argument(let value): (text, origin) = (value, "--webhook")
        case .environment(let value): (text, origin) = (value, environmentVariable)
        case .file(let path):
            let head: [UInt8]
            do { head = try SmallFile.read(path, limit: 8192).bytes } catch {
                throw TargetError(description: "\(path): cannot read the webhook URL file (\(error))")
            }
            let first = String(decoding: head, as: UTF8.self).split(whereSeparator: \.isNewline).first ?? ""
            (text, origin) = (first.trimmingCharacters(in: .whitespaces), path)
        }
        // Scheme and host compare case-insensitively (`HTTP://Hooks.Example`): both are
        // rewritten in lowercase, which the HTTP client takes; an IPv6 literal keeps its
        // brackets, the user info, path and query (the hook's secret) stay as written.
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let separator = trimmed.range(of: "://"),
              ["http", "https"].contains(trimmed[..<separator.lowerBound].lowercased()) else {
            throw TargetError(description: "\(origin): the webhook needs an http:// or https:// URL with a host")
        }
        let rest = trimmed[separator.upperBound...]
        let authorityEnd = rest.firstIndex { "/?#".contains($0) } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        let hostStart = authority.lastIndex(of: "@").map { authority.index(after: $0) } ?? authority.startIndex
        let rewritten = trimmed[..<separator.lowerBound].lowercased() + "://" + authority[..<hostStart] + authority[hostStart...].lowercased()
            + rest[authorityEnd...]
        guard let url = URL(string: rewritten), url.host?.isEmpty == false else {
            throw TargetError(description: "\(origin): the webhook needs an http:// or https:// URL with a host")
        }
        return url
    }

    /// `incidents`: the run's incidents; the document carries those that hold a finding it posts.
    public static func deliver(db: Database, url: URL, findings: [Finding], incidents: [Incident] = [], minimum: Severity, runId: Int64?,
                               reportURL: String? = nil, settings: Settings = Settings()) throws -> Outcome {
        // Posted when it first reaches `minimum`, and again only when it escalates (DESIGN.md,
        // History, point 6). A recurrence after a quiet gap is a new episode, a new fingerprint,
        // and so posted as new. Each post carries the incident's current facts.
        let posted = try AlertsTable.postedSeverities(db)
        // An incident the review closed (false-positive, resolved) is not alerted again for the
        // findings it held when decided, at the severity it had then. A finding it did not hold
        // (a new cause, an ioc-match, a recurrence) or an escalation reopens it (Incident.state)
        // and is posted.
        var decided: [String: TriageEntry] = [:]
        for incident in incidents where incident.state.isClosed { for f in incident.findings { decided[f] = incident.triage.last } }
        func silenced(_ f: Finding) -> Bool {
            guard let decision = decided[f.fingerprint] else { return false }
            return decision.findings.contains(f.fingerprint) && f.severity <= decision.severity
        }
        let due = findings.filter { f in f.severity >= minimum && !silenced(f) && (posted[f.fingerprint].map { f.severity > $0 } ?? true) }
        guard !due.isEmpty else { return Outcome() }
        let posting = Set(due.map(\.fingerprint))
        let document = payload(due, incidents: incidents.filter { $0.findings.contains(where: posting.contains) }, runId: runId,
                               minimum: minimum, reportURL: reportURL)
        // The same alerts carry the same key: a receiver that got a repeat (a retry after a lost
        // answer) can drop it.
        let key = Fingerprint.of(due.map { "\($0.fingerprint)=\($0.severity.rawValue)" }.sorted().joined(separator: ","))
        var outcome = Outcome()
        var lastError = ""
        for attempt in 0...settings.retries {
            if attempt > 0 { Thread.sleep(forTimeInterval: settings.backoffSeconds * pow(2, Double(attempt - 1))) }
            switch post(document, to: url, timeout: settings.timeoutSeconds, idempotencyKey: key) {
            case .delivered:
                try AlertsTable.recordPosted(db, due, destination: url.host ?? "?", runId: runId)
                outcome.posted = due.count
                return outcome
            case .rejected(let reason):   // the server will not take it: retrying cannot help
                outcome.failure = reason
                return outcome
            case .unanswered(let reason):   // it took the whole body: sending it again would post it twice
                outcome.failure = reason
                return outcome
            case .failed(let reason):
                lastError = reason
            }
        }
        outcome.failure = "\(lastError) (after \(settings.retries + 1) attempts)"
        return outcome
    }

    /// One document: a plain-language `text` first (Slack and Teams incoming webhooks post it
    /// as the message and ignore the rest), then the tool, the run, the findings with the
    /// NDJSON keys and the incidents that hold them.
    static let maxEvidence = 10

    static func payload(_ findings: [Finding], incidents: [Incident] = [], runId: Int64?, minimum: Severity = .info, reportURL: String? = nil) -> Data {
        // A chat service takes a few tens of KB (Teams: 28 KB): each finding brings its first
        // `maxEvidence` lines and how many there are; the database and NDJSON have them all.
        let items = findings.map { finding -> JSONValue in
            var short = finding
            short.evidence = Array(finding.evidence.prefix(maxEvidence))
            guard case .object(var object) = (try? JSONParser.parse(short.json)) ?? .null else { return .null }
            object["evidence_count"] = .number(Double(finding.evidence.count))
            return .object(object)
        }
        let document: JSONValue = .object([
            "text": .string(IncidentsOutput.summary(incidents, findings: findings.count, minimum: minimum, reportURL: reportURL)),
            // Without their narratives, which the text and `incidents show` tell: a chat service
            // takes a few tens of KB (Teams: 28 KB).
            "incidents": .array(incidents.map { incident -> JSONValue in
                guard case .object(var object) = incident.jsonValue else { return incident.jsonValue }
                object["narrative"] = nil
                return .object(object)
            }),
            "tool": .string("tokentrail"), "version": .string(Scanner.version),
            "run_id": runId.map { .number(Double($0)) } ?? .null,
            "sent_at": .string(UTCTime.iso(Clock.nowMs())),
            "count": .number(Double(findings.count)),
            "by_severity": .object(Dictionary(grouping: findings, by: \.severity.rawValue).mapValues { .number(Double($0.count)) }),
            "findings": .array(items),
        ])
        return Data(document.serialized.utf8)
    }

    /// `unanswered`: the server took the whole body but gave no answer in time: it may have
    /// posted it, so it is not sent again in this run (one delivery per alert).
    enum Result { case delivered, rejected(String), failed(String), unanswered(String) }

    /// One POST through libcurl (Linux Foundation's URLSession refuses IPv6-literal hosts and
    /// cannot say how much of a timed-out body went out). Redirects are not followed: the
    /// findings go to the configured host or nowhere.
    static func post(_ body: Data, to url: URL, timeout: Double, idempotencyKey: String? = nil) -> Result {
        let host = url.host ?? "?"
        guard let curl = curl_easy_init() else { return .failed("\(host): the HTTP client could not start") }
        defer { curl_easy_cleanup(curl) }
        var headers: UnsafeMutablePointer<curl_slist>?
        for header in ["Content-Type: application/json", "User-Agent: tokentrail/\(Scanner.version)", "Expect:"]
            + (idempotencyKey.map { ["Idempotency-Key: \($0)"] } ?? []) {
            headers = curl_slist_append(headers, header)
        }
        defer { curl_slist_free_all(headers) }
        _ = url.absoluteString.withCString { tt_curl_setopt_pointer(curl, CURLOPT_URL, $0) }   // copied by curl
        _ = tt_curl_setopt_long(curl, CURLOPT_PROTOCOLS, Int(CURLPROTO_HTTP | CURLPROTO_HTTPS))
        _ = tt_curl_setopt_long(curl, CURLOPT_FOLLOWLOCATION, 0)
        _ = tt_curl_setopt_long(curl, CURLOPT_NOSIGNAL, 1)
        _ = tt_curl_setopt_long(curl, CURLOPT_TIMEOUT_MS, Int(timeout * 1000))
        _ = tt_curl_setopt_pointer(curl, CURLOPT_HTTPHEADER, headers)
        _ = tt_curl_discard_response(curl)
        let rc: CURLcode = body.withUnsafeBytes { bytes in
            _ = tt_curl_setopt_long(curl, CURLOPT_POST, 1)
            _ = tt_curl_setopt_offset(curl, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bytes.count))
            _ = tt_curl_setopt_pointer(curl, CURLOPT_POSTFIELDS, bytes.baseAddress)   // not copied: valid until perform returns
            return curl_easy_perform(curl)
        }
        var status = 0, uploaded: curl_off_t = 0
        _ = tt_curl_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &status)
        _ = tt_curl_getinfo_offset(curl, CURLINFO_SIZE_UPLOAD_T, &uploaded)
        guard rc == CURLE_OK else {
            // It took the whole body and gave no answer in time: it may have posted it, so it
            // is not sent again in this run; the next run posts it with the same Idempotency-Key.
            if rc == CURLE_OPERATION_TIMEDOUT && uploaded >= curl_off_t(body.count) {
                return .unanswered("\(host): took the alert but gave no answer within \(Int(timeout)) s (not sent again, so it is not posted twice; the next run posts it with the same Idempotency-Key)")
            }
            return .failed("\(host): \(String(cString: curl_easy_strerror(rc)))")
        }
        if (200..<300).contains(status) { return .delivered }
        if (300..<400).contains(status) { return .rejected("\(host) answered HTTP \(status), a redirect (not followed: it could send the findings elsewhere)") }
        if status == 408 || status == 429 || status >= 500 { return .failed("\(host) answered HTTP \(status)") }
        return .rejected("\(host) answered HTTP \(status)")
    }
}
