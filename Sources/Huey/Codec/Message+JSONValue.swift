/// Messages to and from JSON by hand (no `Codable` machinery): the hot path of
/// every enqueue and every task a worker runs.
extension Message {
    /// This message as a JSON object with Huey's keys (DESIGN §3); absent options are `null`.
    public var jsonValue: JSONValue {
        var members: [String: JSONValue] = [:]
        members.reserveCapacity(15)
        members["id"] = .string(id)
        members["name"] = .string(name)
        members["eta"] = Message.number(eta)
        members["retries"] = .int(retries)
        members["retry_delay"] = Message.number(retryDelay)
        members["retry_backoff"] = Message.number(retryBackoff)
        members["priority"] = Message.number(priority)
        members["args"] = .array(args)
        members["kwargs"] = .object(kwargs)
        members["on_complete"] = onComplete?.value.jsonValue ?? .null
        members["on_error"] = onError?.value.jsonValue ?? .null
        members["expires"] = expires?.jsonValue ?? .null
        members["expires_resolved"] = Message.number(expiresResolved)
        members["timeout"] = Message.number(timeout)
        members["chord_config"] = chordConfig?.jsonValue ?? .null
        return .object(members)
    }

    /// Reads a message from a JSON object with Huey's keys.
    ///
    /// Unknown keys are ignored; missing or `null` optional keys take Huey's defaults
    /// (`retries` 0, `retry_delay` 0, `retry_backoff` 1, no eta, priority, expiry or
    /// callbacks). Whole-number doubles are accepted where an integer is expected.
    /// - Throws: ``CodecError`` (`.malformed`) naming the field when `id` or `name` is
    ///   missing or a field has the wrong type.
    public init(jsonValue: JSONValue) throws {
        try self.init(json: jsonValue, path: "")
    }

    fileprivate init(json: JSONValue, path: String) throws {
        guard case .object(let members) = json else {
            throw CodecError(
                code: .malformed,
                message: "\(path.isEmpty ? "a message" : "field \(path)") must be a JSON object, found \(json.kindName)")
        }
        let fields = MessageFields(members: members, path: path)
        self.init(
            id: try fields.requiredString("id"), name: try fields.requiredString("name"), eta: try fields.double("eta"),
            retries: try fields.int("retries") ?? 0, retryDelay: try fields.double("retry_delay") ?? 0,
            retryBackoff: try fields.double("retry_backoff") ?? 1, priority: try fields.double("priority"),
            args: try fields.array("args") ?? [], kwargs: try fields.object("kwargs") ?? [:],
            onComplete: try fields.present("on_complete").map { try Message(json: $0, path: fields.path("on_complete")) },
            onError: try fields.present("on_error").map { try Message(json: $0, path: fields.path("on_error")) },
            expires: try fields.present("expires").map { try Expiry(json: $0, path: fields.path("expires")) },
            expiresResolved: try fields.double("expires_resolved"), timeout: try fields.double("timeout"),
            chordConfig: try fields.present("chord_config").map {
                try ChordConfig(json: $0, path: fields.path("chord_config"))
            })
    }

    /// A number field as it reads back from the wire (whole numbers up to 2^53 are ints).
    static func number(_ value: Double?) -> JSONValue {
        guard let value else { return .null }
        if let whole = JSONWriter.wholeNumber(value) { return .int(whole) }
        return .double(value)
    }
}

extension Expiry {
    /// A number (seconds after enqueue) or `{"at": unix seconds}`.
    var jsonValue: JSONValue {
        switch self {
        case .seconds(let seconds): return Message.number(seconds)
        case .at(let at): return .object(["at": Message.number(at)])
        }
    }

    init(json: JSONValue, path: String) throws {
        if let seconds = json.doubleValue {
            self = .seconds(seconds)
        } else if case .object(let members) = json, let at = members["at"]?.doubleValue {
            self = .at(at)
        } else {
            throw CodecError(
                code: .malformed, message: "field \(path): expected a number or {\"at\": number}, found \(json.kindName)")
        }
    }
}

extension ChordConfig {
    /// `{"callback": message, "cid": id, "idx": n, "size": n}`.
    var jsonValue: JSONValue {
        .object(["cid": .string(cid), "size": .int(size), "idx": .int(idx), "callback": callback.value.jsonValue])
    }

    init(json: JSONValue, path: String) throws {
        guard case .object(let members) = json else {
            throw CodecError(code: .malformed, message: "field \(path): expected an object, found \(json.kindName)")
        }
        let fields = MessageFields(members: members, path: path)
        guard let size = try fields.int("size"), let idx = try fields.int("idx") else {
            throw CodecError(code: .malformed, message: "field \(path): missing size or idx")
        }
        guard let callback = fields.present("callback") else {
            throw CodecError(code: .malformed, message: "field \(fields.path("callback")): missing")
        }
        self.init(
            cid: try fields.requiredString("cid"), size: size, idx: idx,
            callback: try Message(json: callback, path: fields.path("callback")))
    }
}

/// Typed reads of an object's fields, with errors that name the field's path.
struct MessageFields {
    let members: [String: JSONValue]
    /// The dotted path of the object read (empty at the top).
    let prefix: String

    init(members: [String: JSONValue], path: String) {
        self.members = members
        self.prefix = path
    }

    func path(_ key: String) -> String { prefix.isEmpty ? key : "\(prefix).\(key)" }

    /// The value at `key`; nil when missing or null.
    func present(_ key: String) -> JSONValue? {
        guard let value = members[key], !value.isNull else { return nil }
        return value
    }

    func wrongType(_ key: String, expected: String, found: JSONValue) -> CodecError {
        CodecError(code: .malformed, message: "field \(path(key)): expected \(expected), found \(found.kindName)")
    }

    func requiredString(_ key: String) throws -> String {
        guard let value = members[key] else { throw CodecError(code: .malformed, message: "missing key \(path(key))") }
        guard case .string(let text) = value else { throw wrongType(key, expected: "a string", found: value) }
        return text
    }

    func string(_ key: String) throws -> String? { try string(members[key], key) }
    func double(_ key: String) throws -> Double? { try double(members[key], key) }
    func int(_ key: String) throws -> Int? { try int(members[key], key) }
    func array(_ key: String) throws -> [JSONValue]? { try array(members[key], key) }
    func object(_ key: String) throws -> [String: JSONValue]? { try object(members[key], key) }

    // The checks on one value (nil or null reads as nil), shared with the streaming reader.

    func string(_ value: JSONValue?, _ key: String) throws -> String? {
        guard let value, !value.isNull else { return nil }
        guard case .string(let text) = value else { throw wrongType(key, expected: "a string", found: value) }
        return text
    }

    func double(_ value: JSONValue?, _ key: String) throws -> Double? {
        guard let value, !value.isNull else { return nil }
        switch value {
        case .double(let number): return number
        case .int(let number): return Double(number)
        default: throw wrongType(key, expected: "a number", found: value)
        }
    }

    func int(_ value: JSONValue?, _ key: String) throws -> Int? {
        guard let value, !value.isNull else { return nil }
        switch value {
        case .int(let number): return number
        case .double(let number): if let exact = Int(exactly: number) { return exact }
        default: break
        }
        throw wrongType(key, expected: "an integer", found: value)
    }

    func array(_ value: JSONValue?, _ key: String) throws -> [JSONValue]? {
        guard let value, !value.isNull else { return nil }
        guard case .array(let elements) = value else { throw wrongType(key, expected: "an array", found: value) }
        return elements
    }

    func object(_ value: JSONValue?, _ key: String) throws -> [String: JSONValue]? {
        guard let value, !value.isNull else { return nil }
        guard case .object(let members) = value else { throw wrongType(key, expected: "an object", found: value) }
        return members
    }
}
