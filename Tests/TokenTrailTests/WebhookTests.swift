import Foundation
import Testing
@testable import TokenTrail

/// Alerting against a local HTTP server on 127.0.0.1.
@Suite(.serialized) struct WebhookTests {
    static var fast: Webhook.Settings {
        var s = Webhook.Settings()
        s.timeoutSeconds = 3
        s.retries = 2
        s.backoffSeconds = 0.05
        return s
    }

    static func analyzedSamples() throws -> (Database, [Finding], Int64) {
        let dir = try TestSupport.temporaryDirectory()
        let (result, db) = try TestSupport.scan([TestSupport.samples], db: dir + "/db.sqlite", policy: TestSupport.samples + "/policy.json")
        let span = try #require(result.span)
        return (db, try Analyzer.run(db: db, policy: result.policy, windowStart: span.0, windowEnd: span.1).findings, result.runId)
    }

    @Test func findingsArePostedOnceAsOneDocumentAndNeverTwice() throws {
        let server = try LocalHTTPServer(statuses: [200])
        let (db, findings, run) = try Self.analyzedSamples()
        let first = try Webhook.deliver(db: db, url: server.url, findings: findings, minimum: .high, runId: run, settings: Self.fast)
        #expect(first.failure == nil && first.posted == findings.filter { $0.severity >= .high }.count)
        #expect(server.bodies.count == 1)
        let document = try JSONParser.parse(String(decoding: try #require(server.bodies.first), as: UTF8.self))
        let posted = try #require(document.object?["findings"]?.array)
        #expect(posted.count == first.posted)
        #expect(posted.allSatisfy { $0.object?["fingerprint"]?.string != nil && $0.object?["evidence"]?.array?.isEmpty == false })
        #expect(posted.contains { $0.object?["rule"]?.string == "unmatched-server-login" })
        // The next run finds the same findings: nothing is posted again.
        let again = try Webhook.deliver(db: db, url: server.url, findings: findings, minimum: .high, runId: run + 1, settings: Self.fast)
        #expect(again.posted == 0 && again.failure == nil && server.bodies.count == 1)
        // The same episode with new activity is not posted again (DESIGN.md, History, point 6)…
        var renewed = try #require(findings.first { $0.rule == "unmatched-server-login" })
        renewed.lastSeen += 86_400_000
        let active = try Webhook.deliver(db: db, url: server.url, findings: findings.map { $0.fingerprint == renewed.fingerprint ? renewed : $0 },
                                         minimum: .high, runId: run + 2, settings: Self.fast)
        #expect(active.posted == 0 && server.bodies.count == 1)
        // …but a finding that escalates is, alone, with its current facts.
        var escalated = try #require(findings.first { $0.rule == "new-source-ip" && $0.severity < .high })
        escalated.severity = .high
        let escalation = try Webhook.deliver(db: db, url: server.url, findings: findings.map { $0.fingerprint == escalated.fingerprint ? escalated : $0 },
                                             minimum: .high, runId: run + 3, settings: Self.fast)
        #expect(escalation.posted == 1 && server.bodies.count == 2)
        let last = try JSONParser.parse(String(decoding: try #require(server.bodies.last), as: UTF8.self))
        #expect(last.object?["findings"]?.array?.first?.object?["fingerprint"]?.string == escalated.fingerprint)
    }

    /// Issue 25: scheme and host in any case, an IPv6 literal, and a slow receiver that took
    /// the body gets it once, with a key to drop a repeat by.
    @Test func anyCaseAnIPv6LiteralAndASlowReceiverGetOneDelivery() throws {
        let (db, findings, run) = try Self.analyzedSamples()
        let server = try LocalHTTPServer(statuses: [200])
        let shouting = try Webhook.target(.argument("HTTP://127.0.0.1:\(server.port)/Hooks/X"))
        #expect(shouting.absoluteString == "http://127.0.0.1:\(server.port)/Hooks/X")   // the path, the hook's secret, as written
        #expect(try Webhook.deliver(db: db, url: shouting, findings: findings, minimum: .critical, runId: run, settings: Self.fast).posted == 1)
        #expect(server.bodies.count == 1 && server.heads.first?.contains("idempotency-key: sha256:") == true)
        // An IPv6 literal host (Linux Foundation's URLSession refused any: the webhook posts through libcurl).
        let v6 = try LocalHTTPServer(statuses: [200], ipv6: true)
        let target = try Webhook.target(.argument("http://[::1]:\(v6.port)/hooks/x"))
        let posted = try Webhook.deliver(db: db, url: target, findings: findings, minimum: .high, runId: run, settings: Self.fast)
        #expect(posted.failure == nil && v6.bodies.count == 1, "\(posted.failure ?? "")")
        let slow = try LocalHTTPServer(statuses: [200], delay: 3)
        var settings = Self.fast
        settings.timeoutSeconds = 1
        let late = try Webhook.deliver(db: db, url: slow.url, findings: findings, minimum: .medium, runId: run, settings: settings)
        Thread.sleep(forTimeInterval: 0.5)
        #expect(slow.bodies.count == 1 && late.failure?.contains("not sent again") == true, "\(slow.bodies.count) \(late.failure ?? "")")
    }

    @Test func aFailedDeliveryIsRetriedThenReportedAndPostedNextRun() throws {
        let server = try LocalHTTPServer(statuses: [503, 503, 503, 200])
        let (db, findings, run) = try Self.analyzedSamples()
        let failed = try Webhook.deliver(db: db, url: server.url, findings: findings, minimum: .critical, runId: run, settings: Self.fast)
        #expect(failed.posted == 0)
        #expect(failed.failure?.contains("HTTP 503") == true && failed.failure?.contains("3 attempts") == true)
        #expect(failed.failure?.contains("secret-token") == false && failed.failure?.contains("do-not-print") == false)
        #expect(server.bodies.count == 3)
        #expect(try TestSupport.count(db, "SELECT count(*) FROM alerts") == 0)
        let next = try Webhook.deliver(db: db, url: server.url, findings: findings, minimum: .critical, runId: run + 1, settings: Self.fast)
        #expect(next.posted == 1 && next.failure == nil)
        #expect(try TestSupport.count(db, "SELECT count(*) FROM alerts WHERE destination = '127.0.0.1'") == 1)
    }

    @Test func theCLIExits2WhenTheHookRefusesAndTheDatabaseIsComplete() throws {
        let server = try LocalHTTPServer(statuses: [400])
        let dir = try TestSupport.temporaryDirectory()
        let run = try TestSupport.runCLI(["scan", "samples", "--policy", "samples/policy.json", "--db", dir + "/db.sqlite", "--quiet",
                                          "--webhook", server.url.absoluteString, "--alert-on", "critical"], cwd: TestSupport.packageRoot.path)
        #expect(run.status == 2)
        #expect(run.stderr.contains("webhook delivery failed") && run.stderr.contains("HTTP 400"))
        #expect(!run.stderr.contains("secret-token"))
        let db = try Database(path: dir + "/db.sqlite")
        // The 17 of the samples' planted events, dara's nightly Data Loader export over the
        // session-export-volume threshold (medium: no history of API activity to compare with),
        // and the attacker's two clients new against the week before.
        #expect(try TestSupport.count(db, "SELECT count(*) FROM findings") == 20)
        #expect(try TestSupport.count(db, "SELECT count(*) FROM v_logins") == 2459)

        let ok = try LocalHTTPServer(statuses: [200])
        let again = try TestSupport.runCLI(["scan", "samples", "--policy", "samples/policy.json", "--db", dir + "/db.sqlite",
                                            "--webhook", ok.url.absoluteString, "--alert-on", "high"], cwd: TestSupport.packageRoot.path)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("Webhook: posted 13 finding(s) to 127.0.0.1"), "\(again.stdout)")
        #expect(try TestSupport.runCLI(["scan", "samples", "--alert-on", "high"]).status == 64)   // --alert-on needs --webhook
    }
}

/// The hook's URL is its secret (issue 13): only its host is stored or printed, it can come
/// from a file or the environment instead of the command line, and a redirect is not followed.
@Suite struct WebhookSecretTests {
    static func secretURL(_ server: LocalHTTPServer) -> String {
        "http://hookuser:hookpass99@127.0.0.1:\(server.port)/hooks/secret-token?key=do-not-print"
    }
    static let secretParts = ["hookuser", "hookpass99", "secret-token", "do-not-print"]

    static func leaks(in db: Database, _ outputs: [String]) throws -> [String] {
        let stored = try HardeningTests.storedText(db).map(\.value)
        return (stored + outputs).filter { text in secretParts.contains { text.contains($0) } }
    }

    static func scan(_ dir: String, _ extra: [String], environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        try TestSupport.runCLI(["scan", "samples", "--policy", "samples/policy.json", "--db", dir + "/db.sqlite"] + extra,
                               cwd: TestSupport.packageRoot.path, environment: environment)
    }

    @Test func noTableAndNoOutputHoldsTheURLsPathQueryOrCredentials() throws {
        let server = try LocalHTTPServer(statuses: [500])
        let dir = try TestSupport.temporaryDirectory()
        let failed = try Self.scan(dir, ["--webhook", Self.secretURL(server), "--alert-on", "critical", "--findings", dir + "/f.ndjson"])
        #expect(failed.status == 2)
        let ok = try LocalHTTPServer(statuses: [200])
        let delivered = try Self.scan(dir, ["--webhook=" + Self.secretURL(ok), "--report", dir + "/report"])
        #expect(delivered.status == 0 && delivered.stdout.contains("Webhook: posted"), "\(delivered.stderr)")
        let db = try Database(path: dir + "/db.sqlite")
        let arguments = try db.rows("SELECT arguments FROM runs").compactMap { $0[0].string }
        #expect(arguments.count == 2 && arguments.allSatisfy { $0.contains("http://127.0.0.1/…") }, "\(arguments)")
        let pages = try FileManager.default.contentsOfDirectory(atPath: dir + "/report").map { try String(contentsOfFile: dir + "/report/" + $0, encoding: .utf8) }
        let leaks = try Self.leaks(in: db, [failed.stdout, failed.stderr, delivered.stdout, delivered.stderr,
                                            try String(contentsOfFile: dir + "/f.ndjson", encoding: .utf8)] + pages)
        #expect(leaks.isEmpty, "\(leaks.map { String($0.prefix(200)) })")
    }

    @Test func theURLCanComeFromAFileOrTheEnvironment() throws {
        let server = try LocalHTTPServer(statuses: [200])
        let dir = try TestSupport.temporaryDirectory()
        try (Self.secretURL(server) + "\n").write(toFile: dir + "/hook.url", atomically: true, encoding: .utf8)
        let fromFile = try Self.scan(dir, ["--webhook-url-file", dir + "/hook.url", "--alert-on", "critical"])
        #expect(fromFile.status == 0 && fromFile.stdout.contains("Webhook: posted"), "\(fromFile.stderr)")
        #expect(server.bodies.count == 1)

        let other = try TestSupport.temporaryDirectory()
        let fromEnvironment = try Self.scan(other, ["--alert-on", "critical"], environment: ["TOKENTRAIL_WEBHOOK_URL": Self.secretURL(server)])
        #expect(fromEnvironment.status == 0 && fromEnvironment.stdout.contains("Webhook: posted"), "\(fromEnvironment.stderr)")
        #expect(server.bodies.count == 2)
        #expect(try Self.leaks(in: try Database(path: other + "/db.sqlite"), [fromFile.stdout, fromEnvironment.stdout]).isEmpty)

        let missing = try Self.scan(other, ["--webhook-url-file", dir + "/nope.url"])
        #expect(missing.status == 2 && missing.stderr.contains("nope.url"))
        #expect(try Self.scan(other, ["--webhook-url-file", dir + "/hook.url", "--webhook", "http://x/"]).status == 64)
    }

    @Test func aRedirectIsNotFollowed() throws {
        let elsewhere = try LocalHTTPServer(statuses: [200])
        let hook = try LocalHTTPServer(statuses: [302], location: "http://127.0.0.1:\(elsewhere.port)/collect")
        let dir = try TestSupport.temporaryDirectory()
        let run = try Self.scan(dir, ["--webhook", hook.url.absoluteString, "--alert-on", "critical", "--quiet"])
        #expect(run.status == 2 && run.stderr.contains("HTTP 302") && run.stderr.contains("redirect"), "\(run.stderr)")
        #expect(hook.bodies.count == 1)
        #expect(elsewhere.bodies.isEmpty)
    }
}
