import Foundation
import Testing
@testable import TokenTrail

/// Loads every report page in headless Chromium (Debian's `chromium`, which .ci/run installs):
/// no console message (a CSP violation is one), no request leaves the page, hostile values
/// from the logs are text in the DOM, and each screenshot is a real image. Screenshots are
/// kept in .build/browser-screenshots/ to look at. Without Chromium the test is skipped,
/// unless TOKENTRAIL_REQUIRE_BROWSER is set (CI), where it fails.
@Suite struct BrowserTests {
    static let chromium: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            for name in ["chromium", "chromium-browser", "google-chrome"] where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
                return "\(dir)/\(name)"
            }
        }
        return nil
    }()
    static let required = ProcessInfo.processInfo.environment["TOKENTRAIL_REQUIRE_BROWSER"] != nil

    struct Load { var status: Int32; var console: [String]; var leaks: [String]; var dom: String; var screenshot: Data }

    static func load(_ page: String, into shots: String) throws -> Load {
        let base = shots + "/" + (page as NSString).lastPathComponent
        let png = base + ".png", netlog = base + ".netlog.json"
        let run = try TestSupport.run(URL(fileURLWithPath: "/usr/bin/timeout"), [
            "90", try #require(chromium), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
            "--disable-default-apps", "--enable-logging=stderr", "--v=0", "--window-size=1280,2200",
            "--log-net-log=" + netlog, "--screenshot=" + png, "--dump-dom", URL(fileURLWithPath: page).absoluteString])
        let console = run.stderr.split(separator: "\n").filter { $0.contains(":CONSOLE") }.map(String.init)
        // Requests the page made: their network isolation key is the page's (file://);
        // the browser's own background requests carry another and are not the page's doing.
        var leaks: [String] = []
        if let log = try? JSONParser.parse(String(contentsOfFile: netlog, encoding: .utf8)) {
            for event in log.object?["events"]?.array ?? [] {
                guard let params = event.object?["params"]?.object, let url = params["url"]?.string,
                      params["network_isolation_key"]?.string?.hasPrefix("file://") == true,
                      !url.hasPrefix("file:"), !url.hasPrefix("data:") else { continue }
                leaks.append(url)
            }
        }
        return Load(status: run.status, console: console, leaks: leaks, dom: run.stdout,
                    screenshot: (try? Data(contentsOf: URL(fileURLWithPath: png))) ?? Data())
    }

    @Test(.enabled(if: chromium != nil || required)) func everyReportPageLoadsCleanInChromium() throws {
        #expect(Self.chromium != nil, "chromium is not installed (apt-get install chromium)")
        guard Self.chromium != nil else { return }
        let dir = try TestSupport.temporaryDirectory()
        let samples = try TestSupport.runCLI(["scan", "samples", "--policy", "samples/policy.json", "--db", dir + "/samples.sqlite",
                                              "--report", dir + "/samples", "--quiet"], cwd: TestSupport.packageRoot.path)
        #expect(samples.status == 0, "\(samples.stderr)")
        let hostile = try TestSupport.runCLI(["scan", TestSupport.fixture("hostile_values.csv"), TestSupport.fixture("hostile_client.jsonl"),
                                              "--timezone", "UTC", "--db", dir + "/hostile.sqlite", "--report", dir + "/hostile", "--quiet"])
        #expect(hostile.status == 0, "\(hostile.stderr)")
        let shots = TestSupport.packageRoot.appendingPathComponent(".build/browser-screenshots").path
        try? FileManager.default.removeItem(atPath: shots)
        for report in ["samples", "hostile"] {
            try FileManager.default.createDirectory(atPath: shots + "/" + report, withIntermediateDirectories: true)
            let pages = try FileManager.default.contentsOfDirectory(atPath: dir + "/" + report).filter { $0.hasSuffix(".html") }.sorted()
            #expect(pages.count >= 4)
            #expect(pages.contains { $0.hasPrefix("incident-") }, "\(report): no incident page")
            for page in pages {
                let load = try Self.load(dir + "/" + report + "/" + page, into: shots + "/" + report)
                #expect(load.status == 0, "\(report)/\(page): chromium exited \(load.status)")
                #expect(load.console.isEmpty, "\(report)/\(page): \(load.console)")
                #expect(load.leaks.isEmpty, "\(report)/\(page) requested \(load.leaks)")
                #expect(load.screenshot.starts(with: [0x89, 0x50, 0x4E, 0x47]) && load.screenshot.count > 10_000, "\(report)/\(page): empty screenshot")
                #expect(load.dom.contains("<main>") && load.dom.contains("TokenTrail"), "\(report)/\(page): page did not render")
                // Injected markup is text: no element came from a log value and nothing ran.
                for tag in ["<script", "<img", "<iframe", "<svg/onload", "<a href=\"javascript"] {
                    #expect(!load.dom.lowercased().contains(tag), "\(report)/\(page): \(tag) in the DOM")
                }
                #expect(!load.dom.contains("<title>PWNED"))
            }
        }
        let hostileIndex = try String(contentsOfFile: dir + "/hostile/index.html", encoding: .utf8)
        #expect(hostileIndex.contains("&lt;") )
    }
}
