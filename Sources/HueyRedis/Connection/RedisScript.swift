/// A Lua script for ``RedisConnection/run(_:keys:arguments:)``, named by the SHA-1 of its
/// source as Redis names it, so it is sent in full only when the server lacks it.
public struct RedisScript: Sendable, Hashable {
    /// The Lua source.
    public let source: String
    /// The SHA-1 of ``source`` as 40 lowercase hex digits (the name `EVALSHA` takes).
    public let sha1: String

    /// Makes a script from its Lua source and computes its SHA-1.
    public init(_ source: String) {
        self.source = source
        self.sha1 = SHA1.hex(Array(source.utf8))
    }
}
