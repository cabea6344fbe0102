/// The small pieces of the message reader (`JSONReader+Message.swift`) that read from a
/// ``JSONValue``: an expiry, a chord membership and typed fields whose errors name the field.
extension Expiry {
    /// Reads a number (seconds after enqueue) or `{"at": unix seconds}`.
    /// - Throws: ``CodecError`` (`.malformed`) naming the field for any other shape.
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
    /// Reads `{"callback": message, "cid": id, "idx": n, "size": n}`; the callback goes
    /// through the message reader.
    /// - Throws: ``CodecError`` (`.malformed`) naming the field.
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
            callback: try Message(tree: callback, path: fields.path("callback")))
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

    /// An object whose values are all strings (a trace context); an empty one reads as nil.
    func strings(_ value: JSONValue?, _ key: String) throws -> [String: String]? {
        guard let members = try object(value, key), !members.isEmpty else { return nil }
        var strings: [String: String] = [:]
        strings.reserveCapacity(members.count)
        for (name, member) in members {
            guard case .string(let text) = member else {
                throw wrongType(key, expected: "an object of strings", found: member)
            }
            strings[name] = text
        }
        return strings
    }

    func object(_ value: JSONValue?, _ key: String) throws -> [String: JSONValue]? {
        guard let value, !value.isNull else { return nil }
        guard case .object(let members) = value else { throw wrongType(key, expected: "an object", found: value) }
        return members
    }
}
