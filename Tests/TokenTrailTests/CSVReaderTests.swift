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

    /// Issue 25: one huge field costs its tail, not the record; a record whose many fields
    /// together pass the limit is still rejected, with its head as excerpt. Memory holds at
    /// most the limit either way.
    @Test func aHugeFieldIsCutAndItsRecordKeptWithoutHoldingItInMemory() throws {
        let kept = CSVReader.defaultMaxFieldBytesKept
        var bytes = Array("a,b,c\n1,\"".utf8)
        bytes += [UInt8](repeating: UInt8(ascii: "x"), count: 10 << 20) + Array("\n\"\"y".utf8) + [UInt8](repeating: UInt8(ascii: "z"), count: 2 << 20)
        bytes += Array("\",end\n2,".utf8) + [UInt8](repeating: UInt8(ascii: "u"), count: 3 << 20) + Array(",3\n".utf8)
        // Twenty fields of 60 KiB: no field is too long, the record is.
        bytes += Array("4,".utf8) + Array(repeating: String(repeating: "v", count: 60 << 10), count: 20).joined(separator: ",").utf8 + Array("\n5,6,7\n".utf8)
        let records = try TestSupport.csvRecords(bytes, maxRecordBytes: 1 << 20)
        #expect(records.count == 5)
        #expect(records[1].line == 2 && records[1].fields?.count == 3 && records[1].fields?[2] == "end")
        // The head as read, and a quote escaped after it (segments between quotes are cut, never a quote pair).
        #expect(records[1].fields?[1] == String(repeating: "x", count: kept) + "\"")
        #expect(records[2].line == 4 && records[2].fields == ["2", String(repeating: "u", count: kept), "3"])
        #expect(records[3].line == 5 && records[3].error?.contains("longer than") == true)
        #expect(records[4].fields == ["5", "6", "7"] && records[4].line == 6)
    }

    /// Random records with fields of every length around a small limit, commas, quotes and
    /// line breaks in them: a field within the limit is read exactly, a longer one keeps its
    /// head, and every record and line number survives.
    @Test func cuttingFieldsNeverLosesARecordOrALine() throws {
        var dice = QuietWeekTests.Dice(state: 25)
        let alphabet = Array("ab,\"\n x".unicodeScalars).map(String.init)
        var records: [[String]] = [], text = ""
        for _ in 0..<400 {
            let fields = (0..<(1 + dice.roll(4))).map { _ in (0..<dice.roll(60)).map { _ in alphabet[dice.roll(alphabet.count)] }.joined() }
            records.append(fields)
            text += fields.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ",") + "\n"
        }
        let path = try TestSupport.temporaryDirectory() + "/random.csv"
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        let limit = 24
        let reader = try CSVReader(source: try openByteSource(path: path), maxRecordBytes: 1 << 16, maxFieldBytesKept: limit)
        var line = 1
        for expected in records {
            #expect(try reader.next())
            #expect(reader.malformedReason == nil && reader.recordLine == line && reader.fieldCount == expected.count)
            for (i, field) in expected.enumerated() where i < reader.fieldCount {
                // As written (quotes doubled), the first `limit` bytes are kept and, after them,
                // only the quotes (bytes between quotes are dropped, never a quote pair).
                let raw = Array(field.replacingOccurrences(of: "\"", with: "\"\"").utf8)
                let kept = Array(raw.prefix(limit)) + raw.dropFirst(limit).filter { $0 == UInt8(ascii: "\"") }
                let expected = String(decoding: kept, as: UTF8.self).replacingOccurrences(of: "\"\"", with: "\"")
                #expect(reader.string(i) == expected)
                if raw.count <= limit { #expect(reader.string(i) == field) }
            }
            line += 1 + expected.joined().filter { $0 == "\n" }.count
        }
        #expect(try !reader.next())
    }

    @Test func anOversizedRecordsRejectKeepsItsHead() throws {
        let path = try TestSupport.temporaryDirectory() + "/big.csv"
        let row = "Remote Access 2.0," + Array(repeating: String(repeating: "v", count: 60 << 10), count: 20).joined(separator: ",")
        FileManager.default.createFile(atPath: path, contents: Data(("h\n" + row + "\n").utf8))
        let reader = try CSVReader(source: try openByteSource(path: path), maxRecordBytes: 1 << 20)
        #expect(try reader.next() && reader.next())
        #expect(reader.malformedReason?.contains("longer than") == true)
        #expect(String(decoding: reader.malformedExcerpt, as: UTF8.self).hasPrefix("Remote Access 2.0,vvv"))
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
