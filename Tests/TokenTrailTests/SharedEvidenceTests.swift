import Testing
@testable import TokenTrail

/// The shared evidence pass gives each request what a scan of its own would: its range, its
/// buckets' sizes, time order, a group shared by two requests feeding both.
@Suite struct SharedEvidenceTests {
    @Test func eachRequestGetsWhatItsOwnScanWouldGive() throws {
        func group(_ n: Int64) -> LoginGroup { LoginGroup(context: n, app: 0, userId: 0, username: 0) }
        func merged(_ members: [Int64], count: Int, first: Int64, last: Int64) -> Merged<LoginGroup> {
            var m = Merged<LoginGroup>()
            m.group = Group(count: count, first: first, last: last)
            m.members = Set(members.map(group))
            return m
        }
        // Rows: time t belongs to group t % 3, for t in 0..<100.
        let rows = (0..<100).map { (time: Int64($0), group: group(Int64($0 % 3))) }
        var requests = EvidenceRequests<LoginGroup>(table: .logins)
        // Request 0: groups 0 and 1 merged under "a" over [10, 40], group 2 under "b" (2 records).
        let first = requests.add(["a": merged([0, 1], count: 50, first: 10, last: 40), "b": merged([2], count: 2, first: 5, last: 8)],
                                 windowStart: 0, windowEnd: 99)
        // Request 1: group 1 again, from 90 on.
        let second = requests.add(["c": merged([1], count: 30, first: 90, last: 99)], windowStart: 0, windowEnd: 99)
        requests.start()
        var read = 0
        for row in rows {
            read += 1
            if !requests.add(row.group, time: row.time, { "f:\(row.time)" }) { break }
        }
        func lines(_ e: Evidence?) -> [String] {
            guard case .pending(let ticket) = e else { return [] }
            return requests.lines(ticket)
        }
        // Its own scan of [5, 40] would give group 0 and 1's records from 5 on for "a" (the
        // request's range is its buckets' span), and only group 2's first two for "b".
        #expect(lines(first["a"]) == (5...40).filter { $0 % 3 != 2 }.prefix(Finding.maxEvidence).map { "f:\($0)" })
        #expect(lines(first["b"]) == ["f:5", "f:8"])
        #expect(lines(second["c"]) == [91, 94, 97].map { "f:\($0)" })
        #expect(read == 100)   // request 1 was not full before the end
        #expect(second["none"] == nil)
        // A request with nothing to find does not widen the pass.
        var only = EvidenceRequests<LoginGroup>(table: .logins)
        _ = only.add(["a": merged([0], count: 1, first: 40, last: 40)], windowStart: 0, windowEnd: 99)
        _ = only.add([String: Merged<LoginGroup>](), windowStart: 0, windowEnd: 99)
        #expect(only.range == (40, 40))
    }
}
