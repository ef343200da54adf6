import Foundation
import Testing
@testable import TokenTrail

/// The correlator's case table (issue 24): each case is a handful of client requests and
/// server logins, and how many of those logins must come out unpaired (`unmatched-server-login`,
/// the critical "someone else holds the key or secret"). The critical rule rests on these pairs:
/// change the correlator only with this table passing.
@Suite struct CorrelatorCaseTests {
    static let policy = """
        {"version": 1, "apps": [
          {"name": "Acme ERP Sync", "clientIds": ["3MVG9example"], "flows": ["jwt_bearer"]},
          {"name": "Acme Billing", "clientIds": ["3MVG9billing"], "flows": ["jwt_bearer"]},
          {"name": "Acme Reporting", "clientIds": ["3MVG9report"], "flows": ["client_credentials"], "runAsUser": "reporting-bot@acme.example"}]}
        """

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        var policy: String? = CorrelatorCaseTests.policy
        var windowStart: String? = nil
        let events: [ExampleEvent]
        /// Logins that must come out unpaired, and in how many findings.
        let unmatched: Int
        var findings: Int? = nil
        var testDescription: String { name }
    }

    static func erp(_ at: String, ip: String = "198.51.100.23", elf: Bool = false, user: String = "erp@acme.example") -> ExampleEvent {
        .login(at, app: elf ? nil : "Acme ERP Sync", user: user, flow: .jwtBearer, ip: ip, userId: "0055g00000ErpIntAAA", elf: elf)
    }
    static func request(_ at: String, host: String = "etl-01", clientId: String = "3MVG9example", sub: String = "erp@acme.example",
                        serverDate: String? = nil) -> ExampleEvent {
        .token(at, host: host, clientId: clientId, sub: sub, serverDate: serverDate)
    }
    static func ccRequest(_ at: String, clientId: String = "3MVG9report", userId: String? = nil) -> ExampleEvent {
        .token(at, host: "rpt-01", clientId: clientId, grant: .clientCredentials, sub: nil, aud: nil, integration: "acme-reporting", userId: userId)
    }
    static func ccLogin(_ at: String, user: String = "reporting-bot@acme.example", userId: String? = nil, ip: String = "203.0.113.10",
                        elf: Bool = false) -> ExampleEvent {
        .login(at, app: elf ? nil : "Acme Reporting", user: user, flow: .clientCredentials, ip: ip, userId: userId, elf: elf)
    }

    static let cases: [Case] = [
        Case(name: "tie-break: a login halfway between two requests takes one", events: [
            request("2026-11-21T06:00:00Z"), erp("2026-11-21T06:00:10Z"), request("2026-11-21T06:00:20Z"),
            request("2026-11-21T06:30:00Z"), erp("2026-11-21T06:30:01Z")], unmatched: 0),
        Case(name: "a nearer rival takes its own request, the other login the earlier one", events: [
            request("2026-11-21T06:00:00Z"), request("2026-11-21T06:01:00Z"),
            erp("2026-11-21T06:00:55Z"), erp("2026-11-21T06:01:01Z")], unmatched: 0),
        Case(name: "Login History and ELF Login twins pair once; an unpaired login counts once", events: [
            request("2026-11-21T06:00:00Z"), erp("2026-11-21T06:00:01Z"), erp("2026-11-21T06:00:01.381Z", elf: true),
            request("2026-11-21T06:40:00Z"), erp("2026-11-21T06:40:01Z"), erp("2026-11-21T06:40:01.912Z", elf: true),
            erp("2026-11-21T06:20:00Z", ip: "203.0.113.77"), erp("2026-11-21T06:20:00.207Z", ip: "203.0.113.77", elf: true)],
             unmatched: 1, findings: 1),
        Case(name: "clock-corrected: a host 150 s slow still pairs", events: [
            request("2026-11-21T05:57:30Z", host: "etl-02", serverDate: "2026-11-21T06:00:00Z"), erp("2026-11-21T06:00:01Z"),
            request("2026-11-21T06:27:30Z", host: "etl-02", serverDate: "2026-11-21T06:30:00Z"), erp("2026-11-21T06:30:01Z"),
            request("2026-11-21T06:57:30Z", host: "etl-02", serverDate: "2026-11-21T07:00:00Z"), erp("2026-11-21T07:00:01Z")], unmatched: 0),
        Case(name: "an app's request does not pair with another app's login of the same user", events: [
            request("2026-11-21T05:00:00Z", clientId: "3MVG9billing", sub: "svc@acme.example"),
            .login("2026-11-21T05:00:01Z", app: "Acme Billing", user: "svc@acme.example", flow: .jwtBearer),
            request("2026-11-21T06:00:00Z", sub: "svc@acme.example"),
            .login("2026-11-21T06:00:01Z", app: "Acme ERP Sync", user: "svc@acme.example", flow: .jwtBearer),
            request("2026-11-21T06:30:00Z", sub: "svc@acme.example"),
            .login("2026-11-21T06:30:01Z", app: "Acme Billing", user: "svc@acme.example", flow: .jwtBearer),
            request("2026-11-21T07:00:00Z", clientId: "3MVG9billing", sub: "svc@acme.example"),
            .login("2026-11-21T07:00:01Z", app: "Acme Billing", user: "svc@acme.example", flow: .jwtBearer)], unmatched: 1),
        Case(name: "client credentials after the Run As user changed mid-day: paired by app", events: [
            ccRequest("2026-11-21T05:00:00Z", userId: "0055g00000RptBotAAA"), ccLogin("2026-11-21T05:00:01Z"),
            ccRequest("2026-11-21T06:00:00Z", userId: "0055g00000AdminAAAA"), ccLogin("2026-11-21T06:00:01Z", user: "admin@acme.example"),
            ccRequest("2026-11-21T07:00:00Z", userId: "0055g00000AdminAAAA"), ccLogin("2026-11-21T07:00:01Z", user: "admin@acme.example")],
             unmatched: 0),
        Case(name: "client credentials by app: a login with no request is still caught", events: [
            ccRequest("2026-11-21T06:00:00Z"), ccLogin("2026-11-21T06:00:01Z", user: "admin@acme.example"),
            ccLogin("2026-11-21T06:30:00Z", user: "admin@acme.example", ip: "203.0.113.99"),
            ccRequest("2026-11-21T07:00:00Z"), ccLogin("2026-11-21T07:00:01Z", user: "admin@acme.example")], unmatched: 1),
        Case(name: "client credentials whose later logins name the user by id only", events: [
            ccRequest("2026-11-21T05:00:00Z"), ccLogin("2026-11-21T05:00:01Z"),
            ccRequest("2026-11-21T06:00:00Z"), ccLogin("2026-11-21T06:00:01Z", user: "", userId: "0055g00000RptBotAAA"),
            ccRequest("2026-11-21T07:00:00Z"), ccLogin("2026-11-21T07:00:01Z", user: "", userId: "0055g00000RptBotAAA")], unmatched: 0),
        Case(name: "client credentials, the declared Run As user, one login without a request", events: [
            ccRequest("2026-11-21T06:00:00Z"), ccLogin("2026-11-21T06:00:01Z"),
            ccLogin("2026-11-21T06:20:00Z", ip: "203.0.113.99"),
            ccRequest("2026-11-21T07:00:00Z"), ccLogin("2026-11-21T07:00:01Z")], unmatched: 1),
        Case(name: "client credentials, no policy: the Run As user learned from ids and usernames", policy: nil, events: [
            ccRequest("2026-11-21T06:00:00Z", clientId: "3MVG9unmapped", userId: "0055g00000RptBotAAA"), ccLogin("2026-11-21T06:00:01Z"),
            ccRequest("2026-11-21T07:00:00Z", clientId: "3MVG9unmapped", userId: "0055g00000RptBotAAA"), ccLogin("2026-11-21T07:00:01Z"),
            ccRequest("2026-11-21T08:00:00Z", clientId: "3MVG9unmapped", userId: "0055g00000RptBotAAA"), ccLogin("2026-11-21T08:00:01Z"),
            ccRequest("2026-11-21T09:00:00Z", clientId: "3MVG9unmapped", userId: "0055g00000RptBotAAA"), ccLogin("2026-11-21T09:00:01Z"),
            ccLogin("2026-11-21T08:30:00Z", ip: "203.0.113.99")], unmatched: 1),
        Case(name: "a stolen-key login with a 1 MiB Browser is still judged (its field cut, the row kept)", events: [
            request("2026-11-21T06:00:00Z"), erp("2026-11-21T06:00:01Z"),
            .login("2026-11-21T06:20:00Z", app: "Acme ERP Sync", user: "erp@acme.example", flow: .jwtBearer, ip: "203.0.113.77",
                   browser: String(repeating: "Mozilla/5.0 ", count: 90_000)),
            request("2026-11-21T06:40:00Z"), erp("2026-11-21T06:40:01Z")], unmatched: 1),
        Case(name: "eviction at the window's start: a request just before it pairs with a login just after",
             windowStart: "2026-11-21T06:00:00Z", events: [
            request("2026-11-21T05:59:30Z"), erp("2026-11-21T06:00:20Z"),
            request("2026-11-21T06:30:00Z"), erp("2026-11-21T06:30:01Z")], unmatched: 0),
    ]

    @Test(arguments: cases)
    func unpairedLogins(_ c: Case) throws {
        let example = RuleExample.quiet(c.name, policy: c.policy, windowStart: c.windowStart, c.events)
        let findings = try ExampleLoader.evaluate(UnmatchedServerLoginRule(), example, databasePath: try TestSupport.temporaryDirectory() + "/case.sqlite")
        #expect(findings.reduce(0) { $0 + $1.count } == c.unmatched, "\(findings.map(\.message))")
        if let expected = c.findings { #expect(findings.count == expected) }
    }
}
