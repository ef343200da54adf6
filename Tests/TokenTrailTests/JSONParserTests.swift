import Testing
@testable import TokenTrail

@Suite struct JSONParserTests {
    @Test func parsesObjectsArraysEscapesAndNumbers() throws {
        let value = try JSONParser.parse(#"{"a":[1,2.5,-3e2],"s":"x\n\"y\" \u00e9 \ud83d\ude00","t":true,"n":null}"#)
        #expect(value["a"] == .array([.number(1), .number(2.5), .number(-300)]))
        #expect(value["s"]?.string == "x\n\"y\" é 😀")
        #expect(value["t"] == .bool(true))
        #expect(value["n"] == .null)
    }

    @Test(arguments: ["{", "{\"a\":}", "[1,]", "{\"a\":1}x", "\"open", "{a:1}", "tru"])
    func rejectsInvalidJSON(text: String) {
        #expect(throws: JSONError.self) { try JSONParser.parse(text) }
    }

    @Test func deepNestingIsRefusedInsteadOfExhaustingTheStack() {
        let hostile = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONError.self) { try JSONParser.parse(hostile) }
    }

    @Test func serializationIsStableAndEscaped() throws {
        let value = JSONValue.object(["b": .string("<\"\n>"), "a": .number(1)])
        #expect(value.serialized == #"{"a":1,"b":"<\"\n>"}"#)
        #expect(try JSONParser.parse(value.serialized) == value)
    }
}
