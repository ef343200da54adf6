import Testing
@testable import TokenTrail

/// The login facts' compact storage. Login groups hold their ids in 32 bits each; a database
/// whose ids go past that is refused by name rather than having two groups folded into one.
/// An address's tally holds one user and one export inline and counts as before.
@Suite struct LoginFactsStorageTests {
    @Test func idsRoundTripUpToTheLargest() {
        for (c, a, u, n) in [(Int64(0), Int64(0), Int64(0), Int64(0)), (1, 2, 3, 4), (LoginGroup.maxId, 7, LoginGroup.maxId, LoginGroup.maxId - 1)] {
            let g = LoginGroup(context: c, app: a, userId: u, username: n)
            #expect((g.context, g.app, g.userId, g.username) == (c, a, u, n))
        }
        #expect(LoginGroup(context: 1, app: 2, userId: 0, username: 0) != LoginGroup(context: 2, app: 1, userId: 0, username: 0))
        #expect(LoginGroup(context: 0, app: 0, userId: 5, username: 0) != LoginGroup(context: 0, app: 0, userId: 0, username: 5))
    }

    @Test func aDatabaseWithLargerIdsIsRefusedByName() throws {
        let (_, db) = try TestSupport.scan([TestSupport.samples + "/salesforce/LoginHistory_api_2026-11-14_2026-11-20.csv"])
        _ = try db.rows("INSERT INTO strings(id, value) VALUES(?, 'far away')", [.integer(LoginGroup.maxId + 1)])
        let facts = try Facts(db: db, windowStart: 0, windowEnd: Int64.max / 2)
        #expect { _ = try facts.loginFacts() } throws: { error in
            "\(error)".contains("strings holds id \(LoginGroup.maxId + 1)") && "\(error)".contains(db.path)
        }
    }

    @Test func anAddressCountsItsLargestExportAndItsFirstEightUsers() {
        var tally = NetworkTally()
        func login(_ time: Int64, user: Int64, origin: Int32) {
            var row = LoginRow()
            row.time = time
            row.username = user
            tally.add(row, origin: origin)
        }
        // The same three logins in Login History (0) and ELF Login (1), one more in ELF only.
        for t in [Int64(10), 20, 30] { login(t, user: 5, origin: 0) }
        for t in [Int64(10), 20, 30, 40] { login(t, user: 5, origin: 1) }
        #expect(tally.group.count == 4 && tally.group.first == 10 && tally.group.last == 40)
        #expect(tally.users == [5])
        login(50, user: 0, origin: 2)   // a third export, no user
        #expect(tally.group.count == 4 && tally.group.last == 50)
        for u in [Int64(9), 7, 9, 8, 1, 2, 3, 4, 6, 11] { login(60, user: u, origin: 1) }
        #expect(tally.users == [5, 9, 7, 8, 1, 2, 3, 4])
        #expect(tally.group.count == 14)
    }
}
