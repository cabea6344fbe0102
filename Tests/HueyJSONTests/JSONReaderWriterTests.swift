import Foundation
import HueyJSON
import Testing

@Suite("JSON reader and writer")
struct JSONReaderWriterTests {
    private func text(_ value: JSONValue) throws -> String {
        String(decoding: try JSONWriter.encode(value), as: UTF8.self)
    }

    private func parse(_ text: String) throws -> JSONValue { try JSONReader.parse(Array(text.utf8)) }

    @Test("nested values round-trip and keys come out sorted")
    func nestedRoundTrip() throws {
        let value: JSONValue = [
            "zeta": [1, -2.5, "x", true, false, nil, [], [:], [[["deep": [1, [2, [3]]]]]]],
            "alpha": ["b": 2, "a": 1, "": "empty key"],
            "mid": "text",
        ]
        let bytes = try JSONWriter.encode(value)
        #expect(try JSONReader.parse(bytes) == value)
        #expect(
            String(decoding: bytes, as: UTF8.self)
                == #"{"alpha":{"":"empty key","a":1,"b":2},"mid":"text","zeta":[1,-2.5,"x",true,false,null,[],{},[[{"deep":[1,[2,[3]]]}]]]}"#)
        #expect(try JSONWriter.encode(JSONReader.parse(bytes)) == bytes)
    }

    @Test("strings escape what JSON requires, exactly as Foundation's JSONEncoder does")
    func escapes() throws {
        let tricky = "q\"b\\s/\u{08}\u{0C}\n\r\t\u{00}\u{01}\u{1F} \u{7F}é中😀\u{2028}e\u{301}"
        #expect(try text(.string(tricky)) == #""q\"b\\s/\b\f\n\r\t\u0000\u0001\u001f "# + "\u{7F}é中😀\u{2028}e\u{301}\"")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        #expect(try JSONWriter.encode(.string(tricky)) == Array(encoder.encode(tricky)))
        #expect(try parse(text(.string(tricky))) == .string(tricky))
    }

    @Test("escapes in input decode, surrogate pairs included; raw UTF-8 passes through")
    func unicodeInput() throws {
        #expect(try parse(#""\u00e9\u4E2D\ud83d\ude00\/\b\f\n\r\t\"\\\u0000""#) == .string("é中😀/\u{08}\u{0C}\n\r\t\"\\\u{00}"))
        #expect(try parse("\"é中😀\"") == .string("é中😀"))
        #expect(try parse(#"{"clé":"\u0041"}"#) == ["clé": "A"])
    }

    @Test("numbers: integers stay integers, doubles round-trip exactly")
    func numbers() throws {
        #expect(try text(.int(.max)) == "9223372036854775807")
        #expect(try text(.int(.min)) == "-9223372036854775808")
        #expect(try parse("9223372036854775807") == .int(.max))
        #expect(try parse("-9223372036854775808") == .int(.min))
        #expect(try parse("9223372036854775808") == .double(9_223_372_036_854_775_808))
        #expect(try parse("-9223372036854775809") == .double(-0x1p63))
        #expect(try parse("123456789012345678901234567890") == .double(1.2345678901234568e29))
        #expect(try text(.double(0.1)) == "0.1")
        #expect(try text(.double(1e300)) == "1e+300")
        #expect(try text(.double(2.0)) == "2")
        #expect(try text(.double(-0.0)) == "-0.0")
        let negativeZero = try parse(text(.double(-0.0)))
        #expect(negativeZero == .double(0) && negativeZero.doubleValue?.sign == .minus)
        #expect(try parse("-0").doubleValue?.sign == .minus)
        #expect(try parse("2") == .int(2) && parse("2.0") == .double(2) && parse("1E2") == .double(100))
        #expect(try parse("1e-400") == .double(0))
        for double in [0.1, 1e300, -1e-300, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1.0 / 3, 9_007_199_254_740_993.0] {
            #expect(try parse(text(.double(double))).doubleValue == double)
        }
        for bad in [Double.nan, .infinity, -.infinity] {
            #expect { try JSONWriter.encode([.double(bad)]) } throws: { ($0 as? CodecError)?.code == .unencodable }
        }
    }

    @Test("whitespace around values is allowed; duplicate keys keep the last value")
    func lenientWhereRFCAllows() throws {
        #expect(try parse(" \t\r\n[ 1 , { \"a\" : 1 , \"a\" : 2 } ] \n") == [1, ["a": 2]])
        #expect(try parse("\"\"") == "" && parse("null") == .null && parse("true") == true)
    }

    /// Inputs that are not one JSON value, each with the byte offset the error must report.
    static let malformed: [(name: String, bytes: [UInt8], offset: Int)] = [
        ("empty", [], 0), ("blank", Array("  ".utf8), 2), ("truncated array", Array("[1".utf8), 2),
        ("truncated object", Array(#"{"a":1"#.utf8), 6), ("truncated string", Array(#""abc"#.utf8), 0),
        ("truncated literal", Array("tru".utf8), 0), ("truncated number", Array("1.".utf8), 2),
        ("truncated exponent", Array("1e".utf8), 2), ("lone minus", Array("-".utf8), 1),
        ("trailing garbage", Array("[1] x".utf8), 4), ("two values", Array("1 2".utf8), 2),
        ("trailing comma in array", Array("[1,]".utf8), 3), ("trailing comma in object", Array(#"{"a":1,}"#.utf8), 7),
        ("missing colon", Array(#"{"a" 1}"#.utf8), 5), ("unquoted key", Array("{a:1}".utf8), 1),
        ("leading zero", Array("01".utf8), 1), ("leading plus", Array("+1".utf8), 0), ("leading dot", Array(".5".utf8), 0),
        ("NaN", Array("NaN".utf8), 0), ("Infinity", Array("-Infinity".utf8), 1), ("out of range", Array("1e400".utf8), 0),
        ("bad escape", Array(#""\x""#.utf8), 1), ("short unicode escape", Array(#""\u12""#.utf8), 3),
        ("non-hex unicode escape", Array(#""\u12G4""#.utf8), 5), ("lone high surrogate", Array(#""\ud800""#.utf8), 1),
        ("lone low surrogate", Array(#""\udc00""#.utf8), 1), ("high surrogate then letter", Array(#""\ud800\u0041""#.utf8), 1),
        ("raw control character", [0x22, 0x01, 0x22], 1), ("raw newline", [0x22, 0x0A, 0x22], 1),
        ("invalid UTF-8 byte", [0x22, 0xFF, 0x22], 1), ("stray continuation byte", [0x22, 0x80, 0x22], 1),
        ("overlong encoding", [0x22, 0xC0, 0xAF, 0x22], 1), ("UTF-8 encoded surrogate", [0x22, 0xED, 0xA0, 0x80, 0x22], 1),
        ("above U+10FFFF", [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 1), ("truncated UTF-8", [0x22, 0xE2, 0x82, 0x22], 1),
        ("byte order mark", [0xEF, 0xBB, 0xBF, 0x31], 0), ("comment", Array("/* c */ 1".utf8), 0),
        ("single quotes", Array("'a'".utf8), 0), ("closing without opening", Array("]".utf8), 0),
        ("mismatched brackets", Array("[1}".utf8), 2), ("depth bomb", Array(repeating: UInt8(ascii: "["), count: 100_000), 512),
    ]

    @Test("malformed input gives a typed error with the byte offset, never a crash", arguments: malformed.indices)
    func malformedInput(index: Int) {
        let (name, bytes, offset) = Self.malformed[index]
        #expect(throws: CodecError.self, "\(name)") { try JSONReader.parse(bytes) }
        do {
            _ = try JSONReader.parse(bytes)
        } catch let error as CodecError {
            #expect(error.code == .malformed, "\(name)")
            #expect(error.offset == offset, "\(name): \(error.message)")
            #expect(error.message.contains("byte \(offset)"), "\(name): \(error.message)")
        } catch {
            Issue.record("\(name): untyped error \(error)")
        }
    }

    @Test("the nesting limit is exact and configurable")
    func depthLimit() throws {
        func nested(_ depth: Int) -> [UInt8] {
            Array(repeating: UInt8(ascii: "["), count: depth) + Array(repeating: UInt8(ascii: "]"), count: depth)
        }
        #expect(try JSONReader.parse(nested(JSONReader.defaultMaxDepth)).arrayValue != nil)
        #expect(throws: CodecError.self) { try JSONReader.parse(nested(JSONReader.defaultMaxDepth + 1)) }
        #expect(throws: CodecError.self) { try JSONReader(maxDepth: 2).parse(Array(#"{"a":[[1]]}"#.utf8)) }
        #expect(try JSONReader(maxDepth: 2).parse(Array(#"{"a":[1]}"#.utf8)) == ["a": [1]])
    }

    @Test("errors name what was expected")
    func errorMessages() {
        #expect {
            try JSONReader.parse(Array(#"{"a":tru}"#.utf8))
        } throws: { error in
            let error = error as? CodecError
            return error?.offset == 5 && error?.message == "invalid JSON at byte 5: invalid literal, expected true"
        }
        #expect {
            try JSONCodec.decode([Int].self, from: Array("[1,".utf8))
        } throws: { error in
            guard case .dataCorrupted(let context) = error as? DecodingError else { return false }
            return context.debugDescription.contains("byte 3") && (context.underlyingError as? CodecError)?.offset == 3
        }
    }
}
