/// Parses JSON text (UTF-8 bytes) into a ``JSONValue``, strictly by RFC 8259.
///
/// Accepts any value at the top level, surrounded by optional whitespace, and nothing
/// else: no comments, trailing commas, leading zeros, `NaN`, byte order marks, raw
/// control characters in strings, invalid UTF-8 or unpaired UTF-16 surrogates in
/// `\u` escapes. Nesting deeper than ``maxDepth`` is refused, so hostile input cannot
/// exhaust the stack.
///
/// Numbers: an integer literal that fits `Int` is ``JSONValue/int(_:)``; one that does
/// not, any literal with a fraction or exponent, and `-0` are ``JSONValue/double(_:)``.
/// A literal beyond `Double`'s range (`1e400`) is refused. Duplicate object keys keep
/// the last value.
///
/// Every failure is a ``CodecError`` with code `.malformed`, a message naming what
/// was expected, and the byte ``CodecError/offset`` where it went wrong.
public struct JSONReader: Sendable {
    /// The default nesting limit for arrays and objects.
    public static let defaultMaxDepth = 512

    /// The deepest nesting of arrays and objects accepted.
    public var maxDepth: Int

    /// Makes a reader.
    /// - Parameter maxDepth: the deepest nesting of arrays and objects accepted.
    public init(maxDepth: Int = JSONReader.defaultMaxDepth) {
        self.maxDepth = maxDepth
    }

    /// Parses one JSON value that spans all of `bytes`.
    /// - Throws: ``CodecError`` (`.malformed`, with the byte offset) when `bytes` are not exactly one JSON value.
    public func parse(_ bytes: [UInt8]) throws -> JSONValue {
        try bytes.withUnsafeBufferPointer { buffer in
            var parser = JSONParser(input: buffer, maxDepth: maxDepth)
            return try parser.parseDocument()
        }
    }

    /// Parses one JSON value with the default settings.
    /// - Throws: ``CodecError`` (`.malformed`, with the byte offset) when `bytes` are not exactly one JSON value.
    public static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        try JSONReader().parse(bytes)
    }
}

/// The parsing state over one borrowed buffer.
package struct JSONParser {
    package let input: UnsafeBufferPointer<UInt8>
    let maxDepth: Int
    package var index = 0
    package var depth = 0
    /// Reused for strings that contain escapes.
    var scratch: [UInt8] = []
    /// Members of the objects being parsed, innermost last.
    var memberStack: [(String, JSONValue)] = []
    /// Elements of the arrays being parsed, innermost last.
    package var elementStack: [JSONValue] = []

    package init(input: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.input = input
        self.maxDepth = maxDepth
    }

    mutating func parseDocument() throws -> JSONValue {
        skipWhitespace()
        if index < input.count && (input[index] == UInt8(ascii: "{") || input[index] == UInt8(ascii: "[")) {
            memberStack.reserveCapacity(32)
            elementStack.reserveCapacity(16)
        }
        let value = try parseValue()
        skipWhitespace()
        guard index == input.count else { throw failure("unexpected \(describeByte(at: index)) after the JSON value") }
        return value
    }

    package mutating func parseValue() throws -> JSONValue {
        guard index < input.count else { throw failure("unexpected end of input, expected a value") }
        switch input[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw failure("unexpected \(describeByte(at: index)), expected a value")
        }
    }

    private mutating func parseObject() throws -> JSONValue {
        try enterContainer()
        index += 1
        skipWhitespace()
        if index < input.count && input[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object([:])
        }
        // Members go on a shared stack first so the dictionary is sized once.
        let base = memberStack.count
        repeat {
            try expectKey()
            let key = try parseString()
            try skipColon()
            let value = try parseValue()
            memberStack.append((key, value))
        } while try nextMember()
        index += 1
        depth -= 1
        var members = [String: JSONValue](minimumCapacity: memberStack.count - base)
        for position in base..<memberStack.count {
            members[memberStack[position].0] = memberStack[position].1
        }
        while memberStack.count > base { memberStack.removeLast() }
        return .object(members)
    }

    /// Inside an object: checks that a string key starts at `index`.
    /// - Throws: ``CodecError`` (`.malformed`) naming what is there instead.
    @inlinable
    package func expectKey() throws {
        guard index < input.count, input[index] == UInt8(ascii: "\"") else {
            throw failure("expected a string key in an object, found \(describeByte(at: index))")
        }
    }

    /// After an object's key: skips the `:` and the white space around it.
    /// - Throws: ``CodecError`` (`.malformed`) when there is no `:`.
    @inlinable
    package mutating func skipColon() throws {
        skipWhitespace()
        guard index < input.count, input[index] == UInt8(ascii: ":") else {
            throw failure("expected ':' after an object key, found \(describeByte(at: index))")
        }
        index += 1
        skipWhitespace()
    }

    /// After an object member's value: skips a `,` (and white space) and returns true, or
    /// returns false with `index` at the closing `}`, which the caller consumes.
    /// - Throws: ``CodecError`` (`.malformed`) for anything else.
    @inlinable
    package mutating func nextMember() throws -> Bool {
        skipWhitespace()
        guard index < input.count else { throw failure("unexpected end of input in an object") }
        if input[index] == UInt8(ascii: ",") {
            index += 1
            skipWhitespace()
            return true
        }
        guard input[index] == UInt8(ascii: "}") else {
            throw failure("expected ',' or '}' in an object, found \(describeByte(at: index))")
        }
        return false
    }

    private mutating func parseArray() throws -> JSONValue {
        try enterContainer()
        index += 1
        skipWhitespace()
        if index < input.count && input[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array([])
        }
        // Elements go on a shared stack first so the array is allocated once, at its size.
        let base = elementStack.count
        while true {
            let element = try parseValue()
            elementStack.append(element)
            skipWhitespace()
            guard index < input.count else { throw failure("unexpected end of input in an array") }
            if input[index] == UInt8(ascii: ",") {
                index += 1
                skipWhitespace()
            } else if input[index] == UInt8(ascii: "]") {
                index += 1
                depth -= 1
                let elements = Array(elementStack[base...])
                while elementStack.count > base { elementStack.removeLast() }
                return .array(elements)
            } else {
                throw failure("expected ',' or ']' in an array, found \(describeByte(at: index))")
            }
        }
    }

    package mutating func enterContainer() throws {
        depth += 1
        guard depth <= maxDepth else { throw failure("arrays and objects nested deeper than \(maxDepth)") }
    }

    private mutating func parseNumber() throws -> JSONValue {
        let start = index
        let negative = input[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        guard index < input.count, isDigit(input[index]) else {
            throw failure("expected a digit in a number, found \(describeByte(at: index))")
        }
        // Accumulate negatively so Int.min fits; overflow falls back to Double.
        var value = 0
        var overflow = false
        if input[index] == UInt8(ascii: "0") {
            index += 1
            if index < input.count && isDigit(input[index]) { throw failure("leading zero in a number") }
        } else {
            while index < input.count, isDigit(input[index]) {
                let digit = Int(input[index] &- UInt8(ascii: "0"))
                let (times10, o1) = value.multipliedReportingOverflow(by: 10)
                let (next, o2) = times10.subtractingReportingOverflow(digit)
                overflow = overflow || o1 || o2
                value = next
                index += 1
            }
        }
        var integral = true
        if index < input.count && input[index] == UInt8(ascii: ".") {
            integral = false
            index += 1
            try skipDigits(after: "'.'")
        }
        if index < input.count && (input[index] == UInt8(ascii: "e") || input[index] == UInt8(ascii: "E")) {
            integral = false
            index += 1
            if index < input.count && (input[index] == UInt8(ascii: "+") || input[index] == UInt8(ascii: "-")) {
                index += 1
            }
            try skipDigits(after: "an exponent")
        }
        if integral && !overflow {
            if negative { return value == 0 ? .double(-0.0) : .int(value) }
            if value != Int.min { return .int(-value) }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: input[start..<index]), as: UTF8.self)
        guard let number = Double(text), number.isFinite else {
            throw failure("number \(text) is out of range", at: start)
        }
        return .double(number)
    }

    private mutating func skipDigits(after what: String) throws {
        guard index < input.count, isDigit(input[index]) else {
            throw failure("expected a digit after \(what), found \(describeByte(at: index))")
        }
        repeat { index += 1 } while index < input.count && isDigit(input[index])
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    private mutating func expectLiteral(_ literal: StaticString) throws {
        let start = index
        let expected = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        for byte in expected {
            guard index < input.count, input[index] == byte else {
                throw failure("invalid literal, expected \(literal)", at: start)
            }
            index += 1
        }
    }

    package mutating func skipWhitespace() {
        while index < input.count {
            switch input[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    package func failure(_ what: String, at offset: Int? = nil) -> CodecError {
        let offset = offset ?? index
        return CodecError(code: .malformed, message: "invalid JSON at byte \(offset): \(what)", offset: offset)
    }

    package func describeByte(at offset: Int) -> String {
        guard offset < input.count else { return "end of input" }
        let byte = input[offset]
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        let hex = String(byte, radix: 16, uppercase: true)
        return "byte 0x\(hex.count == 1 ? "0" : "")\(hex)"
    }
}
