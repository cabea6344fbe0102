/// Commands in RESP, Redis' wire format, as bytes ready to send: `*<count>\r\n` then
/// `$<length>\r\n<bytes>\r\n` per argument. Binary-safe.
///
/// ``RedisConnection`` writes these itself (with `MSG_NOSIGNAL`) and leaves only the
/// reading of replies to hiredis, so a command costs one `send` and one `read`.
enum RESPCommand {
    /// Appends `arguments` (a command name and its arguments) to `buffer`.
    static func append(_ arguments: [[UInt8]], to buffer: inout [UInt8]) {
        appendHeader(count: arguments.count, to: &buffer)
        for argument in arguments { appendBulk(argument, to: &buffer) }
    }

    /// Appends the start of a command of `count` arguments; ``appendBulk(_:to:)`` each follows.
    static func appendHeader(count: Int, to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "*"))
        appendDecimal(count, to: &buffer)
    }

    /// Appends one argument.
    static func appendBulk(_ argument: some Collection<UInt8>, to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "$"))
        appendDecimal(argument.count, to: &buffer)
        buffer.append(contentsOf: argument)
        buffer.append(13)
        buffer.append(10)
    }

    /// The bytes of one command.
    static func encode(_ arguments: [[UInt8]]) -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(arguments.reduce(16) { $0 + $1.count + 16 })
        append(arguments, to: &buffer)
        return buffer
    }

    /// Appends `value` in decimal, then CR LF.
    private static func appendDecimal(_ value: Int, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: String(value).utf8)  // a small string: no allocation
        buffer.append(13)
        buffer.append(10)
    }
}
