/// The message writer: the one definition of a message's bytes on the wire (DESIGN §3),
/// used by ``MessageCodec/encode(_:)``, ``JSONCodec/encode(_:)`` and `Message`'s
/// `Encodable`. Also the error envelope. Keys in sorted order, written straight to bytes
/// without building a ``JSONValue`` tree first.
///
/// A field at its default is left out — no eta, priority, expiry, timeout, callbacks or
/// chord, no arguments, 0 retries and retry delay, a retry backoff of 1, a first attempt, no
/// trace context — and every reader
/// fills it back in (this project's, and Python huey's through `python/swift_huey`), so a
/// call without options costs `id`, `name` and `args` only: about 70 bytes instead of 270.
/// Messages written in full (by earlier versions, or by Python) read the same.
extension JSONWriter {
    /// Appends a message as one JSON object with Huey's keys (DESIGN §3).
    /// - Throws: ``CodecError`` (`.unencodable`) for a NaN or infinite number.
    mutating func write(_ message: Message) throws {
        var separator = UInt8(ascii: "{")
        /// Starts the member `key` (a literal `"key":`), after a `{` or a `,`.
        func key(_ literal: StaticString, _ writer: inout JSONWriter) {
            writer.append(separator)
            separator = UInt8(ascii: ",")
            writer.writeRaw(literal)
        }
        if !message.args.isEmpty {
            key("\"args\":", &self)
            append(UInt8(ascii: "["))
            var first = true
            for argument in message.args {
                if !first { append(UInt8(ascii: ",")) }
                first = false
                try write(argument)
            }
            append(UInt8(ascii: "]"))
        }
        if message.attempt > 1 {
            key("\"attempt\":", &self)
            writeInt(message.attempt)
        }
        if let chord = message.chordConfig {
            key("\"chord_config\":", &self)
            writeRaw("{\"callback\":")
            try write(chord.callback.value)
            writeRaw(",\"cid\":")
            writeString(chord.cid)
            writeRaw(",\"idx\":")
            writeInt(chord.idx)
            writeRaw(",\"size\":")
            writeInt(chord.size)
            writeRaw("}")
        }
        // Only when known, so messages without it keep Huey's exact keys (Python ignores it).
        if let enqueuedAt = message.enqueuedAt {
            key("\"enqueued_at\":", &self)
            try writeDouble(enqueuedAt)
        }
        if let eta = message.eta {
            key("\"eta\":", &self)
            try writeDouble(eta)
        }
        if let expires = message.expires {
            key("\"expires\":", &self)
            switch expires {
            case .seconds(let seconds): try writeDouble(seconds)
            case .at(let at):
                writeRaw("{\"at\":")
                try writeDouble(at)
                writeRaw("}")
            }
        }
        if let resolved = message.expiresResolved {
            key("\"expires_resolved\":", &self)
            try writeDouble(resolved)
        }
        key("\"id\":", &self)
        writeString(message.id)
        if !message.kwargs.isEmpty {
            key("\"kwargs\":", &self)
            try write(.object(message.kwargs))
        }
        key("\"name\":", &self)
        writeString(message.name)
        if let callback = message.onComplete {
            key("\"on_complete\":", &self)
            try write(callback.value)
        }
        if let callback = message.onError {
            key("\"on_error\":", &self)
            try write(callback.value)
        }
        if let priority = message.priority {
            key("\"priority\":", &self)
            try writeDouble(priority)
        }
        if message.retries != 0 {
            key("\"retries\":", &self)
            writeInt(message.retries)
        }
        if message.retryBackoff != 1 {
            key("\"retry_backoff\":", &self)
            try writeDouble(message.retryBackoff)
        }
        if message.retryDelay != 0 {
            key("\"retry_delay\":", &self)
            try writeDouble(message.retryDelay)
        }
        if let timeout = message.timeout {
            key("\"timeout\":", &self)
            try writeDouble(timeout)
        }
        // Only when a tracer injected something: a call made without tracing costs no byte.
        if let context = message.traceContext, !context.isEmpty {
            key("\"trace_context\":", &self)
            var first = true
            for (name, value) in context.sorted(by: { $0.key < $1.key }) {
                append(UInt8(ascii: first ? "{" : ","))
                first = false
                writeString(name)
                append(UInt8(ascii: ":"))
                writeString(value)
            }
            append(UInt8(ascii: "}"))
        }
        append(UInt8(ascii: "}"))
    }

    /// Appends `{"__huey_error__": {...}}` for a failed call.
    mutating func writeErrorEnvelope(_ info: ErrorInfo) {
        writeRaw("{\"__huey_error__\":{\"error\":")
        writeString(info.error)
        writeRaw(",\"retries\":")
        writeInt(info.retries)
        writeRaw(",\"task_id\":")
        writeString(info.taskID)
        writeRaw(",\"traceback\":")
        writeString(info.traceback)
        writeRaw(",\"type\":")
        writeString(info.type)
        writeRaw("}}")
    }

}

extension ErrorInfo {
    /// Reads the fields of an error envelope, with defaults for missing or null ones.
    /// - Throws: ``CodecError`` (`.malformed`) when a field has the wrong type.
    init(jsonValue: JSONValue) throws {
        guard case .object(let members) = jsonValue else {
            throw CodecError(code: .malformed, message: "__huey_error__ must be an object, found \(jsonValue.kindName)")
        }
        let fields = MessageFields(members: members, path: "__huey_error__")
        self.init(
            error: try fields.string("error") ?? "unknown error", retries: try fields.int("retries") ?? 0,
            traceback: try fields.string("traceback") ?? "", taskID: try fields.string("task_id") ?? "",
            type: try fields.string("type") ?? "Error")
    }
}
