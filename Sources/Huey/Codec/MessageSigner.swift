import Foundation
import Synchronization

/// Signs queued messages and checks them before they run (Huey's `SignedSerializer`).
///
/// With a signer set on a ``Huey`` (``Huey/messageSigner``), every message it enqueues is
/// signed, and a consumer refuses — keeping it as a dead letter with the reason — any
/// message whose signature is missing or wrong. A process that can write the database
/// but does not know the secret cannot make a worker run a forged call.
/// `HueySigning.HMACSigner` is the implementation (HMAC-SHA256 through swift-crypto).
public protocol MessageSigner: Sendable {
    /// Returns `payload` with its signature attached.
    func sign(_ payload: [UInt8]) -> [UInt8]
    /// Checks the signature of `signed` and returns the payload.
    /// - Throws: ``SignatureError`` when the signature is missing or wrong.
    func verify(_ signed: [UInt8]) throws -> [UInt8]
}

/// A message's signature is missing or does not match: it was not enqueued by a holder
/// of the secret, or was changed after.
public struct SignatureError: Error, Sendable, CustomStringConvertible {
    /// What was wrong ("no signature", "signature mismatch", …).
    public var reason: String
    /// Makes the error.
    public init(reason: String) { self.reason = reason }
    public var description: String { "refused message: \(reason)" }
}

extension Huey {
    /// Signs every enqueued message and refuses unsigned or badly signed ones before they
    /// run (they go to the dead letters with the reason). `nil` (the default): no signing.
    public var messageSigner: (any MessageSigner)? {
        get { state.withLock { $0.messageSigner } }
        set { state.withLock { $0.messageSigner = newValue } }
    }

    /// Encodes (and signs, with a signer) a message for the storage.
    /// - Throws: ``CodecError``.
    func encodeMessage(_ message: Message) throws -> [UInt8] {
        let bytes = try MessageCodec.encode(message)
        guard let signer = messageSigner else { return bytes }
        return signer.sign(bytes)
    }

    /// Checks the signature (with a ``messageSigner``) and decodes a message read from the
    /// storage. The one decoder for queued, scheduled and claimed bytes: workers, the
    /// consumer's scheduler, its claim recovery and its admin commands all read through it.
    /// - Throws: ``SignatureError``; ``CodecError`` (`.malformed`).
    public func decodeMessage(_ bytes: [UInt8]) throws -> Message {
        guard let signer = messageSigner else { return try MessageCodec.decode(bytes) }
        return try MessageCodec.decode(try signer.verify(bytes))
    }
}
