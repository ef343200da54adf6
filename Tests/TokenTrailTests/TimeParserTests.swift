import Testing
@testable import TokenTrail

@Suite struct TimeParserTests {
    static let reference: Int64 = 1_795_241_041_000 // 2026-11-21T06:04:01Z

    @Test(arguments: [
        ("2026-11-21T06:04:01.000+0000", reference, Int32(1)),
        ("2026-11-21T06:04:01Z", reference, Int32(1000)),
        ("2026-11-21T15:04:01+09:00", reference, Int32(1000)),
        ("2026-11-21T06:04:01.5Z", reference + 500, Int32(100)),
        ("20261121060401.123", reference + 123, Int32(1)),
        ("20261121060401.13", reference + 130, Int32(10)),
        ("20261121060401", reference, Int32(1000)),
        ("Sat, 21 Nov 2026 06:04:01 GMT", reference, Int32(1000)),
        ("1795241041", reference, Int32(1000)),
        ("1795241041000", reference, Int32(1)),
    ])
    func zonedTimes(text: String, expected: Int64, precision: Int32) {
        let parsed = TimeParser.parse(text)
        #expect(parsed?.epochMs == expected)
        #expect(parsed?.precisionMs == precision)
        #expect(parsed?.hasZone == true)
    }

    @Test(arguments: [
        ("11/21/2026 6:04 AM", reference - 1000, Int32(60_000)),
        ("11/21/2026 6:04:01 AM", reference, Int32(1000)),
        ("11/21/2026 12:04:01 AM", reference - 6 * 3_600_000, Int32(1000)),
        ("11/21/2026 12:04:01 PM", reference + 6 * 3_600_000, Int32(1000)),
        ("2026/11/21 6:04", reference - 1000, Int32(60_000)),
        ("2026/11/21 06:04:01", reference, Int32(1000)),
        ("2026-11-21 06:04:01", reference, Int32(1000)),
    ])
    func localTimesCarryNoZone(text: String, wallClock: Int64, precision: Int32) {
        let parsed = TimeParser.parse(text)
        #expect(parsed?.epochMs == wallClock)
        #expect(parsed?.precisionMs == precision)
        #expect(parsed?.hasZone == false)
    }

    @Test(arguments: ["2026-02-30T06:04:01Z", "13/01/2026 1:00 PM", "yesterday", "", "2026-11-21T25:00:00Z",
                      "11/21/2026 13:04 PM", "2026/11/21 6:04 extra", "20261121066001"])
    func rejectsWhatIsNotATime(text: String) {
        #expect(TimeParser.parse(text) == nil)
    }

    @Test func epochSecondsAndMillisecondsAreToldApartByMagnitude() {
        #expect(TimeParser.fromEpoch(1_795_241_041)?.epochMs == Self.reference)
        #expect(TimeParser.fromEpoch(1_795_241_041_000)?.epochMs == Self.reference)
        #expect(TimeParser.fromEpoch(1_795_241_041.25)?.epochMs == Self.reference + 250)
    }

    @Test func localTimesConvertWithTheirZoneIncludingDaylightSaving() throws {
        let tokyo = try #require(LocalTimeZone(identifier: "Asia/Tokyo"))
        let newYork = try #require(LocalTimeZone(identifier: "America/New_York"))
        let jst = try #require(TimeParser.parse("2026/11/21 15:04:01"))
        #expect(tokyo.toUTC(jst.epochMs) == Self.reference)
        let est = try #require(TimeParser.parse("11/21/2026 1:04:01 AM"))
        #expect(newYork.toUTC(est.epochMs) == Self.reference)          // EST, UTC-5
        let edt = try #require(TimeParser.parse("10/14/2026 8:30:00 PM"))
        #expect(newYork.toUTC(edt.epochMs) == (try #require(TimeParser.parse("2026-10-15T00:30:00Z"))).epochMs) // EDT, UTC-4
        #expect(LocalTimeZone(identifier: "Mars/Olympus") == nil)
    }
}
