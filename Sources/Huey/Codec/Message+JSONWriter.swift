/// The message writer: the one definition of a message's bytes on the wire (DESIGN §3),
/// used by ``MessageCodec/encode(_:)``, ``JSONCodec/encode(_:)`` and `Message`'s
/// `Encodable`. Also the error envelope. Keys in sorted order, absent options `null`,
/// written straight to bytes without building a ``JSONValue`` tree first.
extension JSONWriter {
    /// Appends a message as one JSON object with Huey's keys (DESIGN §3).
    /// - Throws: ``CodecError`` (`.unencodable`) for a NaN or infinite number.
    mutating func write(_ message: Message) throws {
        writeRaw("{\"args\":[")
        var first = true
        for argument in message.args {
            if !first { append(UInt8(ascii: ",")) }
            first = false
            try write(argument)
        }
        writeRaw("],\"chord_config\":")
        if let chord = message.chordConfig {
            writeRaw("{\"callback\":")
            try write(chord.callback.value)
            writeRaw(",\"cid\":")
            writeString(chord.cid)
            writeRaw(",\"idx\":")
            writeInt(chord.idx)
            writeRaw(",\"size\":")
            writeInt(chord.size)
            writeRaw("}")
        } else {
            writeNull()
        }
        // Only when known, so messages without it keep Huey's exact keys (Python ignores it).
        if let enqueuedAt = message.enqueuedAt {
            writeRaw(",\"enqueued_at\":")
            try writeDouble(enqueuedAt)
        }
        writeRaw(",\"eta\":")
        try writeOptional(message.eta)
        writeRaw(",\"expires\":")
        switch message.expires {
        case nil: writeNull()
        case .seconds(let seconds): try writeDouble(seconds)
        case .at(let at):
            writeRaw("{\"at\":")
            try writeDouble(at)
            writeRaw("}")
        }
        writeRaw(",\"expires_resolved\":")
        try writeOptional(message.expiresResolved)
        writeRaw(",\"id\":")
        writeString(message.id)
        writeRaw(",\"kwargs\":")
        try write(.object(message.kwargs))
        writeRaw(",\"name\":")
        writeString(message.name)
        writeRaw(",\"on_complete\":")
        if let callback = message.onComplete { try write(callback.value) } else { writeNull() }
        writeRaw(",\"on_error\":")
        if let callback = message.onError { try write(callback.value) } else { writeNull() }
        writeRaw(",\"priority\":")
        try writeOptional(message.priority)
        writeRaw(",\"retries\":")
        writeInt(message.retries)
        writeRaw(",\"retry_backoff\":")
        try writeDouble(message.retryBackoff)
        writeRaw(",\"retry_delay\":")
        try writeDouble(message.retryDelay)
        writeRaw(",\"timeout\":")
        try writeOptional(message.timeout)
        writeRaw("}")
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

    private mutating func writeOptional(_ number: Double?) throws {
        if let number { try writeDouble(number) } else { writeNull() }
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
