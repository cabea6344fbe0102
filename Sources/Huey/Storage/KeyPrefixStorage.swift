/// A storage that can tell cheaply whether any key with a given prefix is stored.
///
/// Workers ask it before every call whether any revocation (Huey's `r:` and `rt:` keys)
/// exists at all, and look up the call's own revocation keys only when one does: while
/// nothing is revoked, a call costs no revocation lookups. The answer covers keys written
/// by any process, Python Huey's included.
public protocol KeyPrefixStorage: Storage {
    /// Whether any stored key (see ``Storage/putData(key:value:)``) starts with one of
    /// `prefixes`, compared as UTF-8 bytes.
    /// - Throws: ``StorageError``.
    func hasKey(withAnyPrefixOf prefixes: [String]) throws -> Bool
}
