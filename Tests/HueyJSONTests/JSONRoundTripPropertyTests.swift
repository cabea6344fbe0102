import Foundation
import HueyJSON
import Testing

/// A small seeded generator (SplitMix64) so failures reproduce.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random JSON values, and the value each one reads back as.
struct RandomJSON {
    var rng: SeededGenerator

    /// Characters chosen to stress escaping and UTF-8: quotes, backslashes, controls,
    /// DEL, 2/3/4-byte scalars, a combining mark, U+2028, noncharacters at plane ends.
    static let alphabet: [Unicode.Scalar] =
        Array("aZ09 _-/\"\\".unicodeScalars) + (0..<0x20).map { Unicode.Scalar(UInt8($0)) }
        + ["\u{7F}", "é", "ß", "中", "😀", "\u{301}", "\u{2028}", "\u{FFFF}", "\u{10FFFF}", "\u{E000}"]

    mutating func string() -> String {
        var text = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...12, using: &rng) { text.append(Self.alphabet.randomElement(using: &rng)!) }
        return String(text)
    }

    mutating func double() -> Double {
        switch Int.random(in: 0..<4, using: &rng) {
        case 0:
            while true {
                let value = Double(bitPattern: rng.next())
                if value.isFinite { return value }
            }
        case 1: return Double(Int.random(in: -1_000_000...1_000_000, using: &rng)) / 1000
        case 2: return [0.1, -0.0, 1e300, .leastNonzeroMagnitude, 9_007_199_254_740_992, 1e16, -2.5e-7].randomElement(using: &rng)!
        default: return Double.random(in: -1e6...1e6, using: &rng)
        }
    }

    mutating func int() -> Int {
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: return Int.random(in: -100...100, using: &rng)
        case 1: return Int(bitPattern: UInt(rng.next()))
        default: return [Int.max, Int.min, 0, -1, 1 << 53].randomElement(using: &rng)!
        }
    }

    /// A random value and the value it reads back as (whole doubles up to 2^53 become ints).
    mutating func value(depth: Int = 0) -> (value: JSONValue, expected: JSONValue) {
        let kinds = depth >= 4 ? 5 : 7
        switch Int.random(in: 0..<kinds, using: &rng) {
        case 0: return (.null, .null)
        case 1:
            let flag = Bool.random(using: &rng)
            return (.bool(flag), .bool(flag))
        case 2:
            let number = int()
            return (.int(number), .int(number))
        case 3:
            let number = double()
            let isWhole = number.rounded(.towardZero) == number && number.magnitude <= 9_007_199_254_740_992
                && !(number == 0 && number.sign == .minus)
            return (.double(number), isWhole ? .int(Int(number)) : .double(number))
        case 4:
            let text = string()
            return (.string(text), .string(text))
        case 5:
            var values: [JSONValue] = []
            var expected: [JSONValue] = []
            for _ in 0..<Int.random(in: 0...5, using: &rng) {
                let element = value(depth: depth + 1)
                values.append(element.value)
                expected.append(element.expected)
            }
            return (.array(values), .array(expected))
        default:
            var values: [String: JSONValue] = [:]
            var expected: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0...5, using: &rng) {
                let key = string()
                let member = value(depth: depth + 1)
                values[key] = member.value
                expected[key] = member.expected
            }
            return (.object(values), .object(expected))
        }
    }
}

@Suite("JSON randomized round trips")
struct JSONRoundTripPropertyTests {
    @Test("random values round-trip through bytes; output is deterministic valid JSON", arguments: [1, 2, 3, 4])
    func randomValues(seed: UInt64) throws {
        var random = RandomJSON(rng: SeededGenerator(state: seed))
        for iteration in 0..<500 {
            let (value, expected) = random.value()
            let bytes = try JSONWriter.encode(value)
            let parsed = try JSONReader.parse(bytes)
            #expect(parsed == expected, "seed \(seed) iteration \(iteration): \(String(decoding: bytes, as: UTF8.self))")
            #expect(try JSONWriter.encode(parsed) == bytes, "seed \(seed) iteration \(iteration)")
            #expect(try JSONCodec.value(value) == value)
            // An independent parser accepts it.
            #expect(throws: Never.self) { try JSONSerialization.jsonObject(with: Data(bytes), options: .fragmentsAllowed) }
        }
    }

    @Test("random strings are written byte for byte as Foundation's JSONEncoder writes them")
    func randomStrings() throws {
        var random = RandomJSON(rng: SeededGenerator(state: 42))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for _ in 0..<1000 {
            let text = random.string()
            #expect(try JSONWriter.encode(.string(text)) == Array(encoder.encode(text)), "\(text.debugDescription)")
        }
    }

    @Test("random byte strings never crash the reader")
    func randomBytes() {
        var rng = SeededGenerator(state: 7)
        let pieces: [[UInt8]] = ["{", "}", "[", "]", ",", ":", "\"", "\\", "u", "d8", "00", "1", "-", ".", "e", "true", "null", " "]
            .map { Array($0.utf8) } + [[0xFF], [0xC3], [0xA9], [0xF0, 0x9F]]
        for _ in 0..<3000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 0...24, using: &rng) { bytes += pieces.randomElement(using: &rng)! }
            do {
                let value = try JSONReader.parse(bytes)
                #expect(try JSONReader.parse(JSONWriter.encode(value)) == value)
            } catch let error as CodecError {
                #expect(error.code == .malformed && (error.offset ?? -1) >= 0 && error.offset! <= bytes.count)
            } catch {
                Issue.record("untyped error \(error)")
            }
        }
    }
}
