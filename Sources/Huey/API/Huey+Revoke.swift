import Foundation

extension Huey {
    /// The key of one call's revocation (Huey's `r:<id>`).
    static func revokeKey(_ id: String) -> String { "r:\(id)" }
    /// The key of a whole task's revocation (Huey's `rt:<name>`).
    static func taskRevokeKey(_ name: String) -> String { "rt:\(name)" }
    /// What every revocation key starts with.
    static let revocationPrefixes = [revokeKey(""), taskRevokeKey("")]

    /// Revokes the call `id`: a consumer skips it (signal `revoked`).
    /// - Parameters:
    ///   - until: revoked only until this time.
    ///   - once: skip one run, then run normally again.
    /// - Throws: ``StorageError``.
    public func revoke(id: String, until: Date? = nil, once: Bool = false) throws {
        try storage.putData(key: Huey.revokeKey(id), value: Huey.revocation(until: until, once: once))
    }

    /// Undoes ``revoke(id:until:once:)``; says whether the call was revoked.
    /// - Throws: ``StorageError``.
    @discardableResult
    public func restore(id: String) throws -> Bool {
        try storage.deleteData(key: Huey.revokeKey(id))
    }

    /// Revokes every call of the task `name` (Huey's `revoke_all`): a consumer skips them
    /// (signal `revoked`).
    /// - Parameters:
    ///   - until: revoked only until this time.
    ///   - once: skip one run, then run normally again.
    /// - Throws: ``StorageError``.
    public func revokeAll(task name: String, until: Date? = nil, once: Bool = false) throws {
        try storage.putData(key: Huey.taskRevokeKey(name), value: Huey.revocation(until: until, once: once))
    }

    /// Undoes ``revokeAll(task:until:once:)``; says whether the task was revoked (Huey's `restore_all`).
    /// - Throws: ``StorageError``.
    @discardableResult
    public func restoreAll(task name: String) throws -> Bool {
        try storage.deleteData(key: Huey.taskRevokeKey(name))
    }

    /// Whether the call `id` itself is revoked now (Huey's `is_revoked(id)`: a revocation of
    /// its whole task is not seen from an id; ask ``TaskResult/isRevoked()``).
    /// - Throws: ``StorageError``.
    public func isRevoked(id: String) throws -> Bool {
        try isRevoked(keys: [Huey.revokeKey(id)])
    }

    /// Whether the task `name` as a whole is revoked now.
    /// - Throws: ``StorageError``.
    public func isRevoked(task name: String) throws -> Bool {
        try isRevoked(keys: [Huey.taskRevokeKey(name)])
    }

    /// Huey's revocation value: the JSON array `[until or null, once]`.
    private static func revocation(until: Date?, once: Bool) -> [UInt8] {
        let until: JSONValue = until.map { .double($0.timeIntervalSince1970) } ?? .null
        return (try? JSONCodec.encode(JSONValue.array([until, .bool(once)]))) ?? Array("[null,false]".utf8)
    }

    /// Whether any of `keys` revokes now, without consuming a `once` revocation.
    func isRevoked(keys: [String]) throws -> Bool {
        try checkRevoked(keys: keys, consume: false)
    }

    /// Whether any of `keys` revokes now. With `consume`, a `once` revocation is used up
    /// and an expired `until` revocation is removed (as Huey does when it skips a run).
    func checkRevoked(keys: [String], consume: Bool) throws -> Bool {
        let opened = capabilities
        let storage = opened.storage
        if let indexed = opened.keyPrefix, try !indexed.hasKey(withAnyPrefixOf: Huey.revocationPrefixes) {
            return false  // nothing is revoked at all: no need to look the keys up
        }
        let values = try storage.peekMany(keys: keys)
        let now = clock().timeIntervalSince1970
        for (key, raw) in zip(keys, values) {
            guard let raw else { continue }
            // An unreadable revocation is treated as a plain revoke: never run by accident.
            let fields = (try? JSONCodec.decode(JSONValue.self, from: raw))?.arrayValue ?? []
            let until = fields.first?.doubleValue
            let once = fields.count > 1 && fields[1] == .bool(true)
            if once {
                if consume { _ = try storage.deleteData(key: key) }
                return true
            }
            if let until, until <= now {
                if consume { _ = try storage.deleteData(key: key) }
                continue
            }
            return true
        }
        return false
    }
}
