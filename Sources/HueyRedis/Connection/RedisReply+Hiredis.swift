import CHiredis

extension RedisReply {
    /// Copies a hiredis reply tree into a ``RedisReply``; the caller frees `reply`.
    /// - Throws: ``RedisError`` with kind ``RedisError/Kind/server`` for an error reply,
    ///   also one nested in an array (as `EXEC` may return), and
    ///   ``RedisError/Kind/protocolError`` for a reply type hiredis 0.14 does not produce.
    init(hiredis reply: UnsafePointer<redisReply>) throws {
        let reply = reply.pointee
        switch reply.type {
        case REDIS_REPLY_STRING:
            self = .bulk(Self.bytes(reply))
        case REDIS_REPLY_STATUS:
            self = .status(String(decoding: Self.bytes(reply), as: UTF8.self))
        case REDIS_REPLY_INTEGER:
            self = .integer(Int(reply.integer))
        case REDIS_REPLY_NIL:
            self = .null
        case REDIS_REPLY_ARRAY:
            var elements: [RedisReply] = []
            elements.reserveCapacity(reply.elements)
            for index in 0..<reply.elements {
                guard let element = reply.element[index] else {
                    throw RedisError(kind: .protocolError, message: "array reply with a missing element \(index)")
                }
                elements.append(try RedisReply(hiredis: element))
            }
            self = .array(elements)
        case REDIS_REPLY_ERROR:
            throw RedisError(kind: .server, message: String(decoding: Self.bytes(reply), as: UTF8.self))
        default:
            throw RedisError(kind: .protocolError, message: "unknown reply type \(reply.type)")
        }
    }

    /// The `str`/`len` bytes of a string, status or error reply.
    private static func bytes(_ reply: redisReply) -> [UInt8] {
        guard let start = reply.str, reply.len > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: start, count: reply.len))
    }
}
