import Foundation
import Testing
@testable import TokenTrail

/// One test runs every rule's examples: each must fire or stay quiet as it says.
@Suite struct RuleExamplesTests {
    static let cases: [(String, Int)] = RuleCatalog.all.flatMap { rule in rule.examples.indices.map { (rule.id, $0) } }

    @Test(arguments: cases)
    func example(ruleId: String, index: Int) throws {
        let rule = try #require(RuleCatalog.rule(id: ruleId))
        let example = rule.examples[index]
        let database = try TestSupport.temporaryDirectory() + "/example.sqlite"
        let findings = try ExampleLoader.evaluate(rule, example, databasePath: database)
        if example.fires {
            #expect(!findings.isEmpty, "\(ruleId): '\(example.name)' should fire")
            if let expected = example.findings {
                #expect(findings.count == expected, "\(ruleId): '\(example.name)' should raise \(expected), got \(findings.map(\.message))")
            }
            if let users = example.users { #expect(findings.first?.userCount == users, "\(ruleId): '\(example.name)' covers \(users) users") }
            for finding in findings {
                #expect(finding.rule == ruleId)
                #expect(!finding.evidence.isEmpty, "\(ruleId): a finding without evidence")
                // Evidence names a line of one of the files the example was written as.
                #expect(finding.evidence.allSatisfy { $0.hasPrefix(database + ".files/") && Int($0.split(separator: ":").last ?? "") != nil },
                        "\(finding.evidence)")
                #expect(finding.count > 0)
            }
        } else {
            #expect(findings.isEmpty, "\(ruleId): '\(example.name)' should not fire, got \(findings.map(\.message))")
        }
    }
}

@Suite struct RuleCatalogTests {
    @Test func everyRuleFileIsRegisteredOnceWithCompleteMetadata() throws {
        let folder = TestSupport.packageRoot.appendingPathComponent("Sources/TokenTrail/Analyze/Rules").path
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".swift") }
        let declared = Set(files.map { String($0.dropLast(".swift".count)) })
        let registered = RuleCatalog.all.map { String(describing: type(of: $0)) }
        #expect(Set(registered) == declared, "rule files and RuleCatalog.all differ")
        #expect(Set(registered).count == registered.count)
        let ids = RuleCatalog.all.map(\.id)
        #expect(Set(ids).count == ids.count, "duplicate rule id")
        for rule in RuleCatalog.all {
            #expect(!rule.title.isEmpty && rule.rationale.count > 60, "\(rule.id) needs a title and a rationale")
            // A stray backslash at a line end of the multi-line literal reaches the reader.
            #expect(!rule.rationale.contains("\\") && !rule.rationale.contains("\n"), "\(rule.id): the rationale has a backslash or a line break")
            #expect(rule.examples.contains { $0.fires }, "\(rule.id) has no example that fires")
            #expect(rule.examples.contains { !$0.fires }, "\(rule.id) has no example that must not fire")
            #expect(rule.id.allSatisfy { $0.isLowercase || $0 == "-" })
        }
    }

    @Test func ruleIdsAreTheContractsOfDesign() {
        let contract: Set<String> = ["unexpected-subject", "subject-is-client-id", "run-as-mismatch", "jwt-on-client-credentials-app",
                                     "clock-skew", "expired-assertion", "long-lived-assertion", "audience-mismatch",
                                     "consumer-not-approved", "unmatched-server-login", "unmatched-client-success", "unknown-app",
                                     "flow-drift", "new-source-ip", "failure-burst", "legacy-flow", "okta-invalid-session",
                                     "login-as", "dormant-app", "coverage-gap",
                                     // round 2 (issue 10)
                                     "client-fingerprint-drift", "session-export-volume", "bulk-first-use", "query-job-deleted",
                                     "session-ip-divergence", "app-id-collision", "integration-ip-blocked", "okta-session-replay",
                                     "okta-token-new-ip",
                                     // round 3 (issue 28)
                                     "ioc-match"]
        for rule in RuleCatalog.all { #expect(contract.contains(rule.id), "\(rule.id) is not a DESIGN.md rule id") }
    }
}
