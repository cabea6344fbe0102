import Foundation

/// One queued call of a task, exactly as it travels through storage (DESIGN §3).
///
/// Field names on the wire are Huey's (`retry_delay`, `on_complete`, …). Unknown keys
/// are ignored when reading so newer producers can talk to older consumers.
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

    /// Makes a message; every option defaults to Huey's.
    public init(
        id: String = CallID.make(), name: String, eta: Double? = nil, retries: Int = 0,
        retryDelay: Double = 0, retryBackoff: Double = 1, priority: Double? = nil,
        args: [JSONValue] = [], kwargs: [String: JSONValue] = [:], onComplete: Message? = nil,
        onError: Message? = nil, expires: Expiry? = nil, expiresResolved: Double? = nil,
        timeout: Double? = nil, chordConfig: ChordConfig? = nil
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
    }

    enum CodingKeys: String, CodingKey {
        case id, name, eta, retries, priority, args, kwargs, expires, timeout
        case retryDelay = "retry_delay"
        case retryBackoff = "retry_backoff"
        case onComplete = "on_complete"
        case onError = "on_error"
        case expiresResolved = "expires_resolved"
        case chordConfig = "chord_config"
    }

    /// Decodes a message, filling Huey's defaults for missing optional keys.
    /// - Throws: `DecodingError` when `id` or `name` is missing or a field has the wrong type.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        name = try c.decode(String.self, forKey: .name)
        eta = try c.decodeIfPresent(Double.self, forKey: .eta)
        retries = try c.decodeIfPresent(Int.self, forKey: .retries) ?? 0
        retryDelay = try c.decodeIfPresent(Double.self, forKey: .retryDelay) ?? 0
        retryBackoff = try c.decodeIfPresent(Double.self, forKey: .retryBackoff) ?? 1
        priority = try c.decodeIfPresent(Double.self, forKey: .priority)
        args = try c.decodeIfPresent([JSONValue].self, forKey: .args) ?? []
        kwargs = try c.decodeIfPresent([String: JSONValue].self, forKey: .kwargs) ?? [:]
        onComplete = try c.decodeIfPresent(Box<Message>.self, forKey: .onComplete)
        onError = try c.decodeIfPresent(Box<Message>.self, forKey: .onError)
        expires = try c.decodeIfPresent(Expiry.self, forKey: .expires)
        expiresResolved = try c.decodeIfPresent(Double.self, forKey: .expiresResolved)
        timeout = try c.decodeIfPresent(Double.self, forKey: .timeout)
        chordConfig = try c.decodeIfPresent(ChordConfig.self, forKey: .chordConfig)
    }

    /// Encodes every key, writing `null` for absent options as Huey does.
    /// - Throws: `EncodingError` for non-finite numbers.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(eta, forKey: .eta)
        try c.encode(retries, forKey: .retries)
        try c.encode(retryDelay, forKey: .retryDelay)
        try c.encode(retryBackoff, forKey: .retryBackoff)
        try c.encode(priority, forKey: .priority)
        try c.encode(args, forKey: .args)
        try c.encode(kwargs, forKey: .kwargs)
        try c.encode(onComplete, forKey: .onComplete)
        try c.encode(onError, forKey: .onError)
        try c.encode(expires, forKey: .expires)
        try c.encode(expiresResolved, forKey: .expiresResolved)
        try c.encode(timeout, forKey: .timeout)
        try c.encode(chordConfig, forKey: .chordConfig)
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
public enum Expiry: Sendable, Hashable, Codable {
    /// Expires this many seconds after it was enqueued (a number on the wire).
    case seconds(Double)
    /// Expires at this Unix time (`{"at": seconds}` on the wire).
    case at(Double)

    enum CodingKeys: String, CodingKey { case at }

    /// Decodes a number or `{"at": seconds}`.
    /// - Throws: `DecodingError` for any other shape.
    public init(from decoder: any Decoder) throws {
        if let object = try? decoder.container(keyedBy: CodingKeys.self),
            let at = try? object.decode(Double.self, forKey: .at)
        {
            self = .at(at)
            return
        }
        self = .seconds(try decoder.singleValueContainer().decode(Double.self))
    }

    /// Encodes as a number or `{"at": seconds}`.
    /// - Throws: `EncodingError` for non-finite numbers.
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .seconds(let seconds):
            var single = encoder.singleValueContainer()
            try single.encode(seconds)
        case .at(let at):
            var object = encoder.container(keyedBy: CodingKeys.self)
            try object.encode(at, forKey: .at)
        }
    }

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
public struct ChordConfig: Sendable, Hashable, Codable {
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
