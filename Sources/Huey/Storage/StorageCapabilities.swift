/// A storage with its optional capabilities looked up once, when it is opened, rather than
/// cast for on every task: whether it can acknowledge a claim and claim the next call in one
/// transaction (``ChainingStorage``), and whether it can tell cheaply that no key with a
/// prefix exists (``KeyPrefixStorage``, used to skip revocation lookups).
///
/// A ``Huey`` makes one for its storage (and one for immediate mode's memory storage);
/// a ``TaskRunner`` makes one for the storage it claims from.
public struct StorageCapabilities: Sendable {
    /// The storage itself.
    public let storage: any Storage
    /// The storage as a ``ChainingStorage``, when it is one.
    public let chaining: (any ChainingStorage)?
    /// The storage as a ``KeyPrefixStorage``, when it is one.
    public let keyPrefix: (any KeyPrefixStorage)?

    /// Looks up what `storage` can do.
    public init(_ storage: any Storage) {
        self.storage = storage
        chaining = storage as? any ChainingStorage
        keyPrefix = storage as? any KeyPrefixStorage
    }
}
