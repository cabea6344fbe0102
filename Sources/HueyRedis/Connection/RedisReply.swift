/// One reply from Redis (RESP2), with server error replies left out: those are thrown as
/// ``RedisError`` with kind ``RedisError/Kind/server``.
public enum RedisReply: Sendable, Hashable {
    /// A bulk string (`$`): binary-safe bytes.
    case bulk([UInt8])
    /// A status reply (`+`), such as `OK` or `PONG`.
    case status(String)
    /// An integer reply (`:`).
    case integer(Int)
    /// An array reply (`*`); its elements may be any reply, `.null` included.
    case array([RedisReply])
    /// A null bulk string or null array (`$-1`, `*-1`).
    case null

    /// The bytes of a bulk string, or the UTF-8 bytes of a status; nil otherwise.
    public var bytes: [UInt8]? {
        switch self {
        case .bulk(let bytes): bytes
        case .status(let text): Array(text.utf8)
        default: nil
        }
    }

    /// A bulk string or status as text; nil for other replies and for a bulk string that
    /// is not valid UTF-8.
    public var string: String? {
        switch self {
        case .bulk(let bytes): String(validating: bytes, as: UTF8.self)
        case .status(let text): text
        default: nil
        }
    }

    /// An integer reply, or a bulk string or status that is a decimal integer (as
    /// `GET` of a counter returns); nil otherwise.
    public var integer: Int? {
        switch self {
        case .integer(let value): value
        case .bulk, .status: string.flatMap { Int($0) }
        default: nil
        }
    }

    /// The elements of an array reply; nil for `.null` and every other reply.
    public var array: [RedisReply]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// Whether this is the null reply.
    public var isNull: Bool { self == .null }
}

extension RedisReply: CustomStringConvertible {
    /// A short rendering for logs and test failures: text when the bytes are UTF-8, else
    /// their count.
    public var description: String {
        switch self {
        case .bulk(let bytes):
            if let text = String(validating: bytes, as: UTF8.self) { return "\"\(text)\"" }
            return "<\(bytes.count) bytes>"
        case .status(let text): return text
        case .integer(let value): return "(integer) \(value)"
        case .array(let elements): return "[" + elements.map(\.description).joined(separator: ", ") + "]"
        case .null: return "(nil)"
        }
    }
}
