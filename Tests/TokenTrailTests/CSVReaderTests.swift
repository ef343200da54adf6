import Foundation
import Testing
@testable import TokenTrail

@Suite struct CSVReaderTests {
    @Test func quotedFieldsWithCommasDoubledQuotesAndNewlines() throws {
        let records = try TestSupport.csvRecords("a,b,c\n1,\"x, y\",\"say \"\"hi\"\"\"\n2,\"two\nlines\",z\n3,,\n")
        #expect(records.map(\.line) == [1, 2, 3, 5])
        #expect(records[1].fields == ["1", "x, y", "say \"hi\""])
        #expect(records[2].fields == ["2", "two\nlines", "z"])
        #expect(records[3].fields == ["3", "", ""])
    }

    @Test func byteOrderMarkCRLFAndBlankLines() throws {
        let records = try TestSupport.csvRecords([0xEF, 0xBB, 0xBF] + Array("h1,h2\r\n\r\nv1,\"v\r\n2\"\r\nv3,v4".utf8))
        #expect(records.map(\.line) == [1, 3, 5])
        #expect(records[0].fields == ["h1", "h2"])
        #expect(records[1].fields == ["v1", "v\r\n2"])
        #expect(records[2].fields == ["v3", "v4"])
    }

    @Test func loneCarriageReturnEndsARecord() throws {
        let records = try TestSupport.csvRecords("a,b\r1,2\r3,4")
        #expect(records.compactMap(\.fields) == [["a", "b"], ["1", "2"], ["3", "4"]])
    }

    @Test func strayQuoteAfterClosingQuoteIsMalformedAndReadingResumes() throws {
        let records = try TestSupport.csvRecords("a,b\n\"x\"y,1\n2,3\n")
        #expect(records.count == 3)
        #expect(records[1].line == 2)
        #expect(records[1].error?.contains("closing quote") == true)
        #expect(records[2].fields == ["2", "3"])
        #expect(records[2].line == 3)
    }

    @Test func unterminatedQuoteIsReportedOnItsLineAndLaterLinesAreKept() throws {
        let records = try TestSupport.csvRecords("a,b\n1,\"open\n2,3\n4,5\n")
        #expect(records[1].line == 2)
        #expect(records[1].error?.contains("unterminated") == true)
        #expect(records.dropFirst(2).compactMap(\.fields) == [["2", "3"], ["4", "5"]])
        #expect(records.dropFirst(2).map(\.line) == [3, 4])
    }

    @Test func allQuotedFileRecoversFromAMissingClosingQuote() throws {
        // ELF style: every value quoted; the bad record is detected on the next line.
        let records = try TestSupport.csvRecords("\"A\",\"B\"\n\"1\",\"2\n\"3\",\"4\"\n\"5\",\"6\"\n")
        #expect(records[1].error != nil && records[1].line == 2)
        #expect(records.dropFirst(2).compactMap(\.fields) == [["3", "4"], ["5", "6"]])
    }

    @Test func oversizedRecordIsRejectedWithoutHoldingItInMemory() throws {
        var bytes = Array("a,b\n1,\"".utf8)
        bytes += [UInt8](repeating: UInt8(ascii: "x"), count: 10 << 20)
        bytes += Array("\"\n2,3\n".utf8)
        let records = try TestSupport.csvRecords(bytes, maxRecordBytes: 1 << 20)
        #expect(records.count == 3)
        #expect(records[1].error?.contains("longer than") == true)
        #expect(records[1].line == 2)
        #expect(records[2].fields == ["2", "3"])
        #expect(records[2].line == 3)
    }

    @Test func gzipInputIsReadTransparently() throws {
        let dir = try TestSupport.temporaryDirectory()
        let plain = dir + "/x.csv"
        FileManager.default.createFile(atPath: plain, contents: Data("a,b\n1,2\n".utf8))
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/sh")
        gzip.arguments = ["-c", "gzip -c '\(plain)' > '\(dir)/x.csv.gz'"]
        try gzip.run()
        gzip.waitUntilExit()
        let reader = try CSVReader(source: try openByteSource(path: dir + "/x.csv.gz"))
        var rows: [[String]] = []
        while try reader.next() { rows.append((0..<reader.fieldCount).map(reader.string)) }
        #expect(rows == [["a", "b"], ["1", "2"]])
    }

    @Test func truncatedGzipIsAnErrorNamingTheFile() throws {
        let dir = try TestSupport.temporaryDirectory()
        var data = [UInt8](Data("x".utf8))
        data = [0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 0x03] + data
        let path = dir + "/broken.csv.gz"
        FileManager.default.createFile(atPath: path, contents: Data(data))
        #expect(throws: InputError.self) {
            let reader = try CSVReader(source: try openByteSource(path: path))
            while try reader.next() {}
        }
    }
}
