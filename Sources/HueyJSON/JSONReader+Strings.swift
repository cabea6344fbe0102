/// String literals: escapes, `\u` surrogate pairs and UTF-8 validation.
extension JSONParser {
    /// Parses a string literal starting at the opening quote.
    package mutating func parseString() throws -> String {
        let open = index
        index += 1
        let start = index
        // Fast path: no escapes, so the literal's bytes are the string's bytes.
        guard let base = input.baseAddress else { throw failure("unterminated string", at: open) }
        let end = input.count
        var position = start
        while position < end {
            let byte = base[position]
            if byte >= 0x80 {
                index = position
                position += try utf8SequenceLength()
                continue
            }
            if byte == UInt8(ascii: "\"") {
                index = position + 1
                return String(decoding: UnsafeBufferPointer(start: base + start, count: position - start), as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") {
                index = position
                return try parseEscapedString(from: start, open: open)
            }
            if byte < 0x20 {
                index = position
                throw failure("raw control character 0x\(String(byte, radix: 16)) in a string")
            }
            position += 1
        }
        index = position
        throw failure("unterminated string", at: open)
    }

    /// Continues a string that holds escapes, copying into `scratch`.
    private mutating func parseEscapedString(from start: Int, open: Int) throws -> String {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: input[start..<index]))
        while index < input.count {
            let byte = input[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: scratch, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try appendEscape()
            case 0..<0x20:
                throw failure("raw control character 0x\(String(byte, radix: 16)) in a string")
            case 0..<0x80:
                scratch.append(byte)
                index += 1
            default:
                let length = try utf8SequenceLength()
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: input[index..<index + length]))
                index += length
            }
        }
        throw failure("unterminated string", at: open)
    }

    /// Decodes the escape at `index` (a backslash) into `scratch`.
    private mutating func appendEscape() throws {
        let escape = index
        index += 1
        guard index < input.count else { throw failure("unterminated string") }
        let letter = input[index]
        index += 1
        switch letter {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(letter)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            var code = UInt32(try hexQuad())
            if code >= 0xDC00 && code <= 0xDFFF {
                throw failure("unpaired low surrogate \\u\(String(code, radix: 16)) in a string", at: escape)
            }
            if code >= 0xD800 && code <= 0xDBFF {
                guard index + 1 < input.count, input[index] == UInt8(ascii: "\\"), input[index + 1] == UInt8(ascii: "u")
                else { throw failure("unpaired high surrogate \\u\(String(code, radix: 16)) in a string", at: escape) }
                index += 2
                let low = UInt32(try hexQuad())
                guard low >= 0xDC00 && low <= 0xDFFF else {
                    throw failure("high surrogate \\u\(String(code, radix: 16)) not followed by a low one", at: escape)
                }
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            }
            // Not a surrogate, so always a valid scalar.
            let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
            scratch.append(contentsOf: UTF8.encode(scalar)!)
        default:
            throw failure("invalid escape '\\\(Character(Unicode.Scalar(letter)))' in a string", at: escape)
        }
    }

    /// Reads the four hex digits of a `\u` escape.
    private mutating func hexQuad() throws -> UInt16 {
        guard index + 4 <= input.count else { throw failure("truncated \\u escape in a string") }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = input[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure("expected a hex digit in a \\u escape, found \(describeByte(at: index))")
            }
            value = value << 4 | UInt16(digit)
            index += 1
        }
        return value
    }

    /// Validates the multi-byte UTF-8 sequence at `index` and returns its length.
    ///
    /// Refuses stray continuation bytes, overlong forms, surrogates (U+D800–U+DFFF)
    /// and anything above U+10FFFF, per RFC 3629.
    private func utf8SequenceLength() throws -> Int {
        let lead = input[index]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: (length, low) = (3, 0xA0)
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: (length, high) = (3, 0x9F)
        case 0xF0: (length, low) = (4, 0x90)
        case 0xF1...0xF3: length = 4
        case 0xF4: (length, high) = (4, 0x8F)
        default: throw failure("invalid UTF-8 lead byte \(describeByte(at: index)) in a string")
        }
        guard index + length <= input.count else { throw failure("truncated UTF-8 sequence in a string") }
        for offset in 1..<length {
            let byte = input[index + offset]
            let (min, max) = offset == 1 ? (low, high) : (UInt8(0x80), UInt8(0xBF))
            guard byte >= min && byte <= max else {
                throw failure("invalid UTF-8 continuation \(describeByte(at: index + offset)) in a string", at: index)
            }
        }
        return length
    }
}
