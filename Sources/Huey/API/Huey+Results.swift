import Foundation

extension Huey {
    /// Reads the stored outcome of call `id`: removes it unless `preserve`.
    /// - Throws: ``StorageError``; ``CodecError`` when the stored bytes are not JSON.
    func readOutcome(id: String, preserve: Bool) throws -> StoredOutcome? {
        let storage = self.storage
        guard let raw = preserve ? try storage.peekData(key: id) : try storage.popData(key: id) else { return nil }
        return try MessageCodec.decodeOutcome(raw)
    }

    /// Reads the result of call `id` as `T` (Huey's `huey.result(id)`).
    /// - Returns: the value, or `nil` when not blocking and not ready.
    /// - Throws: ``ResultTimeout``, ``TaskException``, ``CodecError``, ``StorageError``.
    public func result<T: Decodable & Sendable>(
        id: String, as type: T.Type, blocking: Bool = false, timeout: Double? = nil, backoff: Double = 1.15,
        maxDelay: Double = 1.0, revokeOnTimeout: Bool = false, preserve: Bool = false
    ) throws -> T? {
        try typedResult(id: id, as: T.self).get(
            blocking: blocking, timeout: timeout, backoff: backoff, maxDelay: maxDelay,
            revokeOnTimeout: revokeOnTimeout, preserve: preserve)
    }

    /// Stores any Codable value under `key` in the result store (Huey's `put`).
    /// - Throws: ``CodecError``, ``StorageError``.
    public func put<T: Encodable>(_ key: String, _ value: T) throws {
        let data: [UInt8]
        do { data = try JSONCodec.encode(value) } catch {
            throw CodecError(code: .unencodable, message: "cannot encode value for \(key): \(error)")
        }
        try storage.putData(key: key, value: data)
    }

    /// Reads the value under `key` as `T`, removing it unless `peek` (Huey's `get`).
    /// - Throws: ``CodecError`` when it is not a `T`; ``StorageError``.
    public func get<T: Decodable>(_ key: String, as type: T.Type, peek: Bool = false) throws -> T? {
        let storage = self.storage
        guard let raw = peek ? try storage.peekData(key: key) : try storage.popData(key: key) else { return nil }
        do { return try JSONCodec.decode(T.self, from: raw) } catch {
            throw CodecError(code: .malformed, message: "value under \(key) is not a \(T.self): \(error)")
        }
    }

    /// Removes the value under `key` from the result store (Huey's `delete`); says whether
    /// there was one.
    /// - Throws: ``StorageError``.
    @discardableResult
    public func delete(_ key: String) throws -> Bool {
        try storage.deleteData(key: key)
    }

    /// The queued calls, in the order they will run (undecodable entries are left out).
    /// - Throws: ``StorageError``.
    public func pending(limit: Int? = nil) throws -> [TaskCall] {
        try storage.enqueuedItems(limit: limit).compactMap { try? TaskCall(message: decodeMessage($0)) }
    }

    /// The scheduled calls, earliest first (undecodable entries are left out).
    /// - Throws: ``StorageError``.
    public func scheduled(limit: Int? = nil) throws -> [TaskCall] {
        try storage.scheduledItems(limit: limit).compactMap { try? TaskCall(message: decodeMessage($0)) }
    }

    /// The number of queued calls. - Throws: ``StorageError``.
    public var pendingCount: Int { get throws { try storage.queueSize() } }
    /// The number of scheduled calls. - Throws: ``StorageError``.
    public var scheduledCount: Int { get throws { try storage.scheduleSize() } }
    /// The number of keys in the result store. - Throws: ``StorageError``.
    public var resultCount: Int { get throws { try storage.resultStoreSize() } }

    /// Every key in the result store with its value as JSON (error results as their
    /// `__huey_error__` envelope; values that are not JSON as their text).
    /// - Throws: ``StorageError``.
    public func allResults() throws -> [String: JSONValue] {
        try storage.resultItems().mapValues { raw in
            (try? JSONCodec.decode(JSONValue.self, from: raw)) ?? .string(String(decoding: raw, as: UTF8.self))
        }
    }

    /// Removes everything from the storage: queue, schedule, results, claims, dead letters.
    /// - Throws: ``StorageError``.
    public func flush() throws { try storage.flushAll() }
}
