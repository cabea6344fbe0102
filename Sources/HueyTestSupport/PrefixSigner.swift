import Huey

/// A stand-in ``MessageSigner`` for process tests (HMAC needs swift-crypto, which the
/// test helper does not link): a signed message is `huey-test-signed:` followed by the
/// payload. It proves nothing cryptographically; it makes signed bytes differ from plain
/// JSON, so code that reads the storage without the signer cannot parse them.
public struct PrefixSigner: MessageSigner {
    /// What a signed message starts with.
    public static let prefix = Array("huey-test-signed:".utf8)

    /// Makes the signer.
    public init() {}

    /// Returns ``prefix`` + `payload`.
    public func sign(_ payload: [UInt8]) -> [UInt8] { Self.prefix + payload }

    /// Returns the payload after ``prefix``.
    /// - Throws: ``SignatureError`` when `signed` does not start with it.
    public func verify(_ signed: [UInt8]) throws -> [UInt8] {
        guard signed.starts(with: Self.prefix) else { throw SignatureError(reason: "no test signature") }
        return Array(signed.dropFirst(Self.prefix.count))
    }
}
