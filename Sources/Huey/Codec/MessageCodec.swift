import Foundation

/// Turns messages and results into bytes and back (DESIGN §3).
public enum MessageCodec {
    /// The largest message accepted at enqueue, in bytes (16 MiB).
    public static let defaultMaxMessageSize = 16 << 20

    /// Encodes a message as one JSON object.
    /// - Throws: ``CodecError`` when a value cannot be encoded.
    public static func encode(_ message: Message) throws -> [UInt8] {
        do {
            var writer = JSONWriter(capacity: 512)
            try writer.write(message)
            // An exact-size copy: a batch keeps thousands of these until its transaction,
            // and 512-byte buffers holding ~270 bytes would double its memory.
            return Array(writer.takeBytes()[...])
        } catch {
            throw CodecError(code: .unencodable, message: "cannot encode task \(message.name): \(error)")
        }
    }

    /// Decodes one message.
    /// - Throws: ``CodecError`` with `.malformed` when the bytes are not a message.
    public static func decode(_ bytes: [UInt8]) throws -> Message {
        do {
            return try JSONReader.parseMessage(bytes)
        } catch {
            let preview = String(decoding: bytes.prefix(80), as: UTF8.self)
            throw CodecError(
                code: .malformed,
                message: "malformed message (\(bytes.count) bytes, starts \(preview.debugDescription)): \(describe(error))")
        }
    }

    /// Encodes a task's stored outcome: the value's JSON, or the error envelope.
    /// - Throws: ``CodecError`` when the value cannot be encoded.
    public static func encode(_ outcome: StoredOutcome) throws -> [UInt8] {
        do {
            var writer = JSONWriter()
            switch outcome {
            case .value(let value): try writer.write(value)
            case .error(let error): writer.writeErrorEnvelope(error)
            }
            return writer.takeBytes()
        } catch {
            throw CodecError(code: .unencodable, message: "cannot encode result: \(error)")
        }
    }

    /// Decodes a stored outcome; an object with the single key `__huey_error__` is an error.
    /// - Throws: ``CodecError`` with `.malformed` when the bytes are not JSON.
    public static func decodeOutcome(_ bytes: [UInt8]) throws -> StoredOutcome {
        let value: JSONValue
        do {
            value = try JSONReader.parse(bytes)
        } catch {
            throw CodecError(code: .malformed, message: "malformed result: \(describe(error))")
        }
        if case .object(let object) = value, object.count == 1, let envelope = object["__huey_error__"] {
            do {
                return .error(try ErrorInfo(jsonValue: envelope))
            } catch {
                throw CodecError(code: .malformed, message: "malformed error result: \(describe(error))")
            }
        }
        return .value(value)
    }

    /// A short text for a decoding error (Foundation's are long).
    static func describe(_ error: any Error) -> String {
        if let error = error as? CodecError { return error.message }
        guard let error = error as? DecodingError else { return String(describing: error) }
        switch error {
        case .dataCorrupted(let context): return context.debugDescription
        case .keyNotFound(let key, _): return "missing key \(key.stringValue)"
        case .typeMismatch(let type, let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return "expected \(type) at \(path.isEmpty ? "top level" : path)"
        case .valueNotFound(let type, let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return "missing \(type) at \(path.isEmpty ? "top level" : path)"
        @unknown default: return String(describing: error)
        }
    }
}

/// What a finished call leaves in the result store.
public enum StoredOutcome: Sendable, Hashable {
    /// The task's return value.
    case value(JSONValue)
    /// The task failed for good.
    case error(ErrorInfo)
}

/// The error envelope stored for a failed call (`{"__huey_error__": {...}}`).
public struct ErrorInfo: Sendable, Hashable, Codable {
    /// `String(describing:)` of the error.
    public var error: String
    /// Retries that were left when it failed.
    public var retries: Int
    /// Where it happened, as text (Swift has no traceback; we store the task and the error type).
    public var traceback: String
    /// The failed call's id.
    public var taskID: String
    /// The error's type name (`WorkerCrashed`, `TaskTimeout`, a user error's type…).
    public var type: String

    enum CodingKeys: String, CodingKey {
        case error, retries, traceback, type
        case taskID = "task_id"
    }

    /// Makes an error envelope.
    public init(error: String, retries: Int, traceback: String, taskID: String, type: String) {
        self.error = error
        self.retries = retries
        self.traceback = traceback
        self.taskID = taskID
        self.type = type
    }

    /// Decodes, tolerating missing fields from other producers.
    /// - Throws: `DecodingError` when a present field has the wrong type.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        error = try c.decodeIfPresent(String.self, forKey: .error) ?? "unknown error"
        retries = try c.decodeIfPresent(Int.self, forKey: .retries) ?? 0
        traceback = try c.decodeIfPresent(String.self, forKey: .traceback) ?? ""
        taskID = try c.decodeIfPresent(String.self, forKey: .taskID) ?? ""
        type = try c.decodeIfPresent(String.self, forKey: .type) ?? "Error"
    }
}
