import Foundation

/// The message reader: the one definition of how a message is read from the wire
/// (DESIGN §3), used by ``MessageCodec/decode(_:)`` and by `Message`'s `Decodable`.
/// The top-level fields are matched on their bytes and converted as they are parsed,
/// with no dictionary and no key strings. Only `args`, `kwargs`, `expires`,
/// `chord_config` and unknown keys' values become ``JSONValue``s.
///
/// Unknown keys are ignored; missing or `null` optional keys take Huey's defaults
/// (`retries` 0, `retry_delay` 0, `retry_backoff` 1, no eta, priority, expiry or
/// callbacks). Whole-number doubles are accepted where an integer is expected.
extension JSONReader {
    /// Parses one message that spans all of `bytes`; `path` names it in errors (empty at
    /// the top, `on_complete` for a callback read on its own).
    /// - Throws: ``CodecError`` (`.malformed`) for bad JSON or a field of the wrong type.
    static func parseMessage(_ bytes: [UInt8], path: String = "") throws -> Message {
        try bytes.withUnsafeBufferPointer { buffer in
            var parser = JSONParser(input: buffer, maxDepth: defaultMaxDepth)
            parser.elementStack.reserveCapacity(16)
            parser.skipWhitespace()
            let message = try parser.parseMessage(path: path)
            parser.skipWhitespace()
            guard parser.index == buffer.count else {
                throw parser.failure("unexpected \(parser.describeByte(at: parser.index)) after the JSON value")
            }
            return message
        }
    }
}

/// The keys of a message on the wire.
enum MessageKey {
    case id, name, eta, retries, retryDelay, retryBackoff, priority, args, kwargs
    case onComplete, onError, expires, expiresResolved, timeout, chordConfig, enqueuedAt, attempt, traceContext

    var wireName: StaticString {
        switch self {
        case .id: "id"
        case .name: "name"
        case .eta: "eta"
        case .retries: "retries"
        case .retryDelay: "retry_delay"
        case .retryBackoff: "retry_backoff"
        case .priority: "priority"
        case .args: "args"
        case .kwargs: "kwargs"
        case .onComplete: "on_complete"
        case .onError: "on_error"
        case .expires: "expires"
        case .expiresResolved: "expires_resolved"
        case .timeout: "timeout"
        case .chordConfig: "chord_config"
        case .enqueuedAt: "enqueued_at"
        case .attempt: "attempt"
        case .traceContext: "trace_context"
        }
    }

    /// The key spelled by `bytes`, if it is one of a message's.
    static func matching(_ bytes: UnsafeBufferPointer<UInt8>) -> MessageKey? {
        let candidates: (MessageKey?, MessageKey?, MessageKey?, MessageKey?)
        switch bytes.count {
        case 2: candidates = (.id, nil, nil, nil)
        case 3: candidates = (.eta, nil, nil, nil)
        case 4: candidates = (.name, .args, nil, nil)
        case 6: candidates = (.kwargs, nil, nil, nil)
        case 7: candidates = (.retries, .expires, .timeout, .attempt)
        case 8: candidates = (.priority, .onError, nil, nil)
        case 11: candidates = (.retryDelay, .onComplete, .enqueuedAt, nil)
        case 12: candidates = (.chordConfig, nil, nil, nil)
        case 13: candidates = (.retryBackoff, .traceContext, nil, nil)
        case 16: candidates = (.expiresResolved, nil, nil, nil)
        default: return nil
        }
        if let candidate = candidates.0, candidate.spells(bytes) { return candidate }
        if let candidate = candidates.1, candidate.spells(bytes) { return candidate }
        if let candidate = candidates.2, candidate.spells(bytes) { return candidate }
        if let candidate = candidates.3, candidate.spells(bytes) { return candidate }
        return nil
    }

    /// Whether `bytes` (of this key's length) are this key's name.
    private func spells(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let start = bytes.baseAddress else { return false }
        return memcmp(start, wireName.utf8Start, bytes.count) == 0
    }
}

extension JSONParser {
    /// Parses a message object at `index`; `path` names it in errors (empty at the top).
    mutating func parseMessage(path: String) throws -> Message {
        guard index < input.count, input[index] == UInt8(ascii: "{") else {
            let value = try parseValue()
            throw CodecError(
                code: .malformed,
                message: "\(path.isEmpty ? "a message" : "field \(path)") must be a JSON object, found \(value.kindName)")
        }
        try enterContainer()
        index += 1
        skipWhitespace()
        let fields = MessageFields(members: [:], path: path)
        var id: JSONValue?
        var name: JSONValue?
        var eta: Double?, retryDelay: Double?, retryBackoff: Double?, priority: Double?
        var expiresResolved: Double?, timeout: Double?, enqueuedAt: Double?
        var retries: Int?, attempt: Int?
        var traceContext: [String: String]?
        var args: [JSONValue]?
        var kwargs: [String: JSONValue]?
        var onComplete: Message?, onError: Message?
        var expires: Expiry?
        var chordConfig: ChordConfig?
        var first = true
        var more = true
        while more {
            guard index < input.count else { throw failure("unexpected end of input in an object") }
            if input[index] == UInt8(ascii: "}") && first { break }
            first = false
            try expectKey()
            let key = try parseMessageKey()
            try skipColon()
            switch key {
            case .id: id = try parseValue()
            case .name: name = try parseValue()
            case .eta: eta = try fields.double(parseValue(), "eta")
            case .retries: retries = try fields.int(parseValue(), "retries")
            case .retryDelay: retryDelay = try fields.double(parseValue(), "retry_delay")
            case .retryBackoff: retryBackoff = try fields.double(parseValue(), "retry_backoff")
            case .priority: priority = try fields.double(parseValue(), "priority")
            case .args: args = try fields.array(parseValue(), "args")
            case .kwargs: kwargs = try fields.object(parseValue(), "kwargs")
            case .onComplete: onComplete = try parseOptionalMessage(path: fields.path("on_complete"))
            case .onError: onError = try parseOptionalMessage(path: fields.path("on_error"))
            case .expires:
                let value = try parseValue()
                expires = value.isNull ? nil : try Expiry(json: value, path: fields.path("expires"))
            case .expiresResolved: expiresResolved = try fields.double(parseValue(), "expires_resolved")
            case .timeout: timeout = try fields.double(parseValue(), "timeout")
            case .enqueuedAt: enqueuedAt = try fields.double(parseValue(), "enqueued_at")
            case .attempt: attempt = try fields.int(parseValue(), "attempt")
            case .traceContext: traceContext = try fields.strings(parseValue(), "trace_context")
            case .chordConfig:
                let value = try parseValue()
                chordConfig = value.isNull ? nil : try ChordConfig(json: value, path: fields.path("chord_config"))
            case nil: _ = try parseValue()
            }
            more = try nextMember()
        }
        index += 1
        depth -= 1
        return Message(
            id: try required(id, "id", fields), name: try required(name, "name", fields), eta: eta,
            retries: retries ?? 0, retryDelay: retryDelay ?? 0, retryBackoff: retryBackoff ?? 1, priority: priority,
            args: args ?? [], kwargs: kwargs ?? [:], onComplete: onComplete, onError: onError, expires: expires,
            expiresResolved: expiresResolved, timeout: timeout, chordConfig: chordConfig, enqueuedAt: enqueuedAt,
            attempt: max(attempt ?? 1, 1), traceContext: traceContext)
    }

    /// A callback field: `null` or a message.
    private mutating func parseOptionalMessage(path: String) throws -> Message? {
        if index < input.count && input[index] == UInt8(ascii: "n") {
            _ = try parseValue()
            return nil
        }
        return try parseMessage(path: path)
    }

    private func required(_ value: JSONValue?, _ key: String, _ fields: MessageFields) throws -> String {
        guard let value else { throw CodecError(code: .malformed, message: "missing key \(fields.path(key))") }
        guard case .string(let text) = value else { throw fields.wrongType(key, expected: "a string", found: value) }
        return text
    }

    /// Parses a key string and matches it; nil for keys a message does not have.
    private mutating func parseMessageKey() throws -> MessageKey? {
        let start = index + 1
        var position = start
        let end = input.count
        guard let base = input.baseAddress else { throw failure("unexpected end of input, expected a key") }
        while position < end {
            let byte = base[position]
            if byte == UInt8(ascii: "\"") {
                index = position + 1
                return MessageKey.matching(UnsafeBufferPointer(rebasing: input[start..<position]))
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 { break }
            position += 1
        }
        // Escapes, non-ASCII or an error: take the general path.
        let key = try parseString()
        return key.utf8.withContiguousStorageIfAvailable { MessageKey.matching($0) } ?? nil
    }
}
