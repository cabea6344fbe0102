/// Writes ``JSONValue`` trees as compact JSON text (UTF-8 bytes).
///
/// The output is deterministic: object keys are sorted (Unicode scalar order, which is
/// UTF-8 byte order for the normalized keys a dictionary holds), so the same value
/// always gives the same bytes. Strings escape only what JSON requires (`"`, `\`, and
/// control characters; `\b \f \n \r \t` by name, others as `\u00XX`); `/` and
/// non-ASCII text pass through as UTF-8.
///
/// Numbers: integers are written as integers. A `Double` is written with the
/// shortest digits that read back as the same `Double` (Swift's `description`); a
/// whole `Double` of magnitude up to 2^53 is written without a fraction (`2.0` → `2`),
/// as Foundation's `JSONEncoder` does, so it reads back as ``JSONValue/int(_:)``.
/// Negative zero is written `-0.0` to keep its sign. NaN and infinities cannot be
/// written and throw.
///
/// ```swift
/// let bytes = try JSONWriter.encode(["b": 1, "a": [true, nil]])   // {"a":[true,null],"b":1}
/// ```
public struct JSONWriter: Sendable {
    /// The output so far (its spare capacity is room to grow, never zero-filled).
    private var buffer: [UInt8]

    /// The bytes written so far.
    public var bytes: [UInt8] { buffer }

    /// Makes an empty writer.
    /// - Parameter capacity: bytes to reserve up front.
    public init(capacity: Int = 256) {
        buffer = []
        buffer.reserveCapacity(Swift.max(capacity, 16))
    }

    /// The bytes written, without copying; leaves the writer empty.
    public mutating func takeBytes() -> [UInt8] {
        defer { buffer = [] }
        return buffer
    }

    /// Encodes one value as compact JSON bytes.
    /// - Throws: ``CodecError`` (`.unencodable`) when the value holds a NaN or infinite double.
    public static func encode(_ value: JSONValue) throws -> [UInt8] {
        var writer = JSONWriter()
        try writer.write(value)
        return writer.takeBytes()
    }

    /// Appends one value.
    /// - Throws: ``CodecError`` (`.unencodable`) when the value holds a NaN or infinite double.
    public mutating func write(_ value: JSONValue) throws {
        switch value {
        case .null: writeNull()
        case .bool(let flag): writeBool(flag)
        case .int(let number): writeInt(number)
        case .double(let number): try writeDouble(number)
        case .string(let text): writeString(text)
        case .array(let elements):
            append(UInt8(ascii: "["))
            var first = true
            for element in elements {
                if !first { append(UInt8(ascii: ",")) }
                first = false
                try write(element)
            }
            append(UInt8(ascii: "]"))
        case .object(let members):
            append(UInt8(ascii: "{"))
            if members.count == 1, let (key, member) = members.first {
                writeString(key)
                append(UInt8(ascii: ":"))
                try write(member)
            } else if !members.isEmpty {
                var first = true
                for (key, member) in members.sorted(by: { $0.key < $1.key }) {
                    if !first { append(UInt8(ascii: ",")) }
                    first = false
                    writeString(key)
                    append(UInt8(ascii: ":"))
                    try write(member)
                }
            }
            append(UInt8(ascii: "}"))
        }
    }

    /// Appends `null`.
    public mutating func writeNull() {
        writeRaw("null")
    }

    /// Appends `true` or `false`.
    public mutating func writeBool(_ flag: Bool) {
        if flag {
            writeRaw("true")
        } else {
            writeRaw("false")
        }
    }

    /// Appends an integer in decimal.
    public mutating func writeInt(_ number: Int) {
        if number >= 0 && number < 10 {
            append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: number))
            return
        }
        if number < 0 { append(UInt8(ascii: "-")) }
        var magnitude = number.magnitude
        // 20 digits hold UInt64.max; the digits are produced last first.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = 20
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            } while magnitude != 0
            append(UnsafeBufferPointer(rebasing: digits[start..<20]))
        }
    }

    /// Appends a double so that it reads back as the same value.
    /// - Throws: ``CodecError`` (`.unencodable`) for NaN and infinities, which JSON cannot hold.
    public mutating func writeDouble(_ number: Double) throws {
        guard number.isFinite else {
            throw CodecError(code: .unencodable, message: "cannot write the non-finite number \(number) as JSON")
        }
        if let whole = JSONWriter.wholeNumber(number) {
            writeInt(whole)
        } else if number == 0 {
            writeRaw("-0.0")
        } else {
            // Non-whole or beyond 2^53: `description` is the shortest round-tripping
            // form and uses an exponent (`1e+300`) rather than a `.0` suffix there.
            var text = number.description
            text.withUTF8 { append($0) }
        }
    }

    /// Appends a string literal with JSON escaping.
    public mutating func writeString(_ text: String) {
        append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { appendEscaped($0) }
        append(UInt8(ascii: "\""))
    }

    /// Appends text that is already valid JSON (punctuation, literals, pre-quoted keys).
    package mutating func writeRaw(_ text: StaticString) {
        // Every literal passed here is ASCII text, so it has a UTF-8 pointer.
        append(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// The integer a double is written as: whole, not negative zero, magnitude ≤ 2^53.
    static func wholeNumber(_ number: Double) -> Int? {
        guard number.magnitude <= 9_007_199_254_740_992, number.rounded(.towardZero) == number else { return nil }
        if number == 0 && number.sign == .minus { return nil }
        return Int(number)
    }

    /// Appends one byte.
    package mutating func append(_ byte: UInt8) {
        buffer.append(byte)
    }

    /// Appends bytes with one copy.
    mutating func append(_ source: UnsafeBufferPointer<UInt8>) {
        buffer.append(contentsOf: source)
    }

    private mutating func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        var start = 0
        for index in 0..<utf8.count {
            let byte = utf8[index]
            if byte >= 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") { continue }
            if start < index { append(UnsafeBufferPointer(rebasing: utf8[start..<index])) }
            start = index + 1
            append(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""): append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): append(UInt8(ascii: "\\"))
            case 0x08: append(UInt8(ascii: "b"))
            case 0x0C: append(UInt8(ascii: "f"))
            case 0x0A: append(UInt8(ascii: "n"))
            case 0x0D: append(UInt8(ascii: "r"))
            case 0x09: append(UInt8(ascii: "t"))
            default:
                let hex: StaticString = "0123456789abcdef"
                let digits = hex.utf8Start
                append(UInt8(ascii: "u"))
                append(UInt8(ascii: "0"))
                append(UInt8(ascii: "0"))
                append(digits[Int(byte >> 4)])
                append(digits[Int(byte & 0xF)])
            }
        }
        if start < utf8.count { append(UnsafeBufferPointer(rebasing: utf8[start...])) }
    }
}
