import Foundation

/// One queued call of a task, exactly as it travels through storage (DESIGN §3).
///
/// Field names on the wire are Huey's (`retry_delay`, `on_complete`, …). Unknown keys
/// are ignored when reading so newer producers can talk to older consumers. The wire
/// format has one definition: the writer in `Message+JSONWriter.swift` and the reader in
/// `JSONReader+Message.swift`; `Codable` goes through them.
public struct Message: Sendable, Hashable, Codable {
    /// The call's unique id (a UUID string); also the key of its result.
    public var id: String
    /// The registered task name.
    public var name: String
    /// When the call becomes due, in Unix seconds (UTC); `nil` means now.
    public var eta: Double?
    /// Retries left.
    public var retries: Int
    /// Seconds to wait before a retry.
    public var retryDelay: Double
    /// Factor applied to `retryDelay` after each retry (1 = constant).
    public var retryBackoff: Double
    /// Higher runs first; `nil` is 0.
    public var priority: Double?
    /// Positional arguments.
    public var args: [JSONValue]
    /// Keyword arguments (kept for Python producers; Swift tasks take positional args).
    public var kwargs: [String: JSONValue]
    /// Called with this call's result appended to its args when it succeeds.
    public var onComplete: Box<Message>?
    /// Called with the error appended to its args when it fails for good.
    public var onError: Box<Message>?
    /// How the call expires, as given by the caller.
    public var expires: Expiry?
    /// The absolute expiry time (Unix seconds), fixed at enqueue.
    public var expiresResolved: Double?
    /// Seconds the body may run before the consumer stops it.
    public var timeout: Double?
    /// Membership of a chord (a group whose results feed one callback).
    public var chordConfig: ChordConfig?
    /// When it was last queued or scheduled (Unix seconds), for the statistics' queue wait;
    /// `enqueued_at` on the wire, written only when set (Python producers leave it out).
    public var enqueuedAt: Double?
    /// Which run of the call this is: 1 for the first, one more for each retry. `attempt` on
    /// the wire, written only after a retry (Python huey ignores it and starts again at 1).
    public var attempt: Int
    /// The producer's trace context (swift-distributed-tracing), as its instrument injected
    /// it: `trace_context` on the wire, an object of strings, written only when not empty, so
    /// a call made without tracing costs no byte (Python huey ignores it). See ``CallTrace``.
    public var traceContext: [String: String]?

    /// Makes a message; every option defaults to Huey's.
    public init(
        id: String = CallID.make(), name: String, eta: Double? = nil, retries: Int = 0,
        retryDelay: Double = 0, retryBackoff: Double = 1, priority: Double? = nil,
        args: [JSONValue] = [], kwargs: [String: JSONValue] = [:], onComplete: Message? = nil,
        onError: Message? = nil, expires: Expiry? = nil, expiresResolved: Double? = nil,
        timeout: Double? = nil, chordConfig: ChordConfig? = nil, enqueuedAt: Double? = nil, attempt: Int = 1,
        traceContext: [String: String]? = nil
    ) {
        self.id = id
        self.name = name
        self.eta = eta
        self.retries = retries
        self.retryDelay = retryDelay
        self.retryBackoff = retryBackoff
        self.priority = priority
        self.args = args
        self.kwargs = kwargs
        self.onComplete = onComplete.map(Box.init)
        self.onError = onError.map(Box.init)
        self.expires = expires
        self.expiresResolved = expiresResolved
        self.timeout = timeout
        self.chordConfig = chordConfig
        self.enqueuedAt = enqueuedAt
        self.attempt = attempt
        self.traceContext = traceContext
    }

    /// Encodes the message through the wire writer (``MessageCodec/encode(_:)``), so a message
    /// inside any `Codable` value has Huey's keys, options at their default left out, exactly as
    /// it is queued.
    /// - Throws: `EncodingError` (`invalidValue`) for a NaN or infinite number.
    public func encode(to encoder: any Encoder) throws {
        let tree: JSONValue
        do {
            tree = try JSONReader.parse(MessageCodec.encode(self))
        } catch {
            throw EncodingError.invalidValue(
                self,
                EncodingError.Context(
                    codingPath: encoder.codingPath, debugDescription: "\(error)", underlyingError: error))
        }
        var single = encoder.singleValueContainer()
        try single.encode(tree)
    }

    /// Decodes a message through the wire reader (``MessageCodec/decode(_:)``): the same
    /// defaults for missing or `null` options, unknown keys ignored, the same errors.
    /// - Throws: `DecodingError` (`dataCorrupted`, with the ``CodecError`` naming the field
    ///   as underlying error) when `id` or `name` is missing or a field has the wrong type.
    public init(from decoder: any Decoder) throws {
        let tree = try JSONValue(from: decoder)
        do {
            self = try Message(tree: tree, path: "")
        } catch let error as CodecError {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: decoder.codingPath, debugDescription: error.message, underlyingError: error))
        }
    }

    /// Reads a message held as a tree by writing the tree out and reading it with the wire
    /// reader, so there is one definition of what a message is.
    /// - Throws: ``CodecError``.
    init(tree: JSONValue, path: String) throws {
        self = try JSONReader.parseMessage(JSONWriter.encode(tree), path: path)
    }

    /// The message's callback (`on_complete`), unboxed.
    public var completionCallback: Message? {
        get { onComplete?.value }
        set { onComplete = newValue.map(Box.init) }
    }

    /// The message's error callback (`on_error`), unboxed.
    public var errorCallback: Message? {
        get { onError?.value }
        set { onError = newValue.map(Box.init) }
    }
}

/// An indirect holder so a message can contain messages (callbacks).
public final class Box<Value: Sendable & Hashable & Codable>: Sendable, Hashable, Codable {
    /// The held value.
    public let value: Value
    /// Holds `value`.
    public init(_ value: Value) { self.value = value }
    /// Decodes the held value directly (no wrapper on the wire).
    /// - Throws: what decoding `Value` throws.
    public init(from decoder: any Decoder) throws { value = try Value(from: decoder) }
    /// Encodes the held value directly.
    /// - Throws: what encoding `Value` throws.
    public func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
    public static func == (lhs: Box, rhs: Box) -> Bool { lhs.value == rhs.value }
    public func hash(into hasher: inout Hasher) { hasher.combine(value) }
}

/// When a call expires: seconds after enqueue, or an absolute time.
public enum Expiry: Sendable, Hashable {
    /// Expires this many seconds after it was enqueued (a number on the wire).
    case seconds(Double)
    /// Expires at this Unix time (`{"at": seconds}` on the wire).
    case at(Double)

    /// The absolute expiry time for a call enqueued at `enqueuedAt`.
    public func resolved(enqueuedAt: Double) -> Double {
        switch self {
        case .seconds(let seconds): return enqueuedAt + seconds
        case .at(let at): return at
        }
    }
}

/// A call's place in a chord: `size` members share the id `cid`; when all have
/// finished, `callback` runs with the list of their results.
public struct ChordConfig: Sendable, Hashable {
    /// The chord's id (a counter and result-key prefix).
    public var cid: String
    /// How many members the chord has.
    public var size: Int
    /// This member's index in the group.
    public var idx: Int
    /// The message run with all results once every member has finished.
    public var callback: Box<Message>

    /// Makes a chord membership.
    public init(cid: String, size: Int, idx: Int, callback: Message) {
        self.cid = cid
        self.size = size
        self.idx = idx
        self.callback = Box(callback)
    }
}
