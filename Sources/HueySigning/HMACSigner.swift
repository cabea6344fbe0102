import Crypto
import Foundation
import Huey

/// Signs messages with HMAC-SHA256 and a shared secret (Huey's `SignedSerializer`, done
/// with a constant-time check).
///
/// ```swift
/// huey.messageSigner = try HMACSigner(secret: secretBytes)
/// ```
/// A signed message on the wire is `hmac-sha256:<64 hex digits>:<the JSON message>`. Every
/// producer and consumer of the queue must use the same secret.
public struct HMACSigner: MessageSigner {
    private static let prefix = Array("hmac-sha256:".utf8)
    private static let digestHexLength = 64
    // The secret's bytes; the key is made per use (SymmetricKey is not Sendable here).
    private let secret: [UInt8]
    private var key: SymmetricKey { SymmetricKey(data: secret) }

    /// Makes a signer from a secret of at least 16 bytes.
    /// - Throws: ``ConfigurationError`` when the secret is shorter.
    public init(secret: [UInt8]) throws {
        guard secret.count >= 16 else {
            throw ConfigurationError("a signing secret needs at least 16 bytes, got \(secret.count)")
        }
        self.secret = secret
    }

    /// Makes a signer from a secret string (its UTF-8 bytes; at least 16).
    /// - Throws: ``ConfigurationError`` when the secret is shorter.
    public init(secret: String) throws {
        try self.init(secret: Array(secret.utf8))
    }

    /// Returns `hmac-sha256:<hex>:<payload>`.
    public func sign(_ payload: [UInt8]) -> [UInt8] {
        let mac = HMAC<SHA256>.authenticationCode(for: payload, using: key)
        return Self.prefix + Array(Self.hex(Array(mac)).utf8) + [UInt8(ascii: ":")] + payload
    }

    /// Checks the signature and returns the payload.
    /// - Throws: ``SignatureError`` when the signature is missing, malformed or wrong.
    public func verify(_ signed: [UInt8]) throws -> [UInt8] {
        let headerLength = Self.prefix.count + Self.digestHexLength + 1
        guard signed.count >= headerLength, signed.starts(with: Self.prefix) else {
            throw SignatureError(reason: "no signature (the queue requires signed messages)")
        }
        let hexDigits = signed[Self.prefix.count..<(Self.prefix.count + Self.digestHexLength)]
        guard signed[headerLength - 1] == UInt8(ascii: ":"), let mac = Self.bytes(fromHex: hexDigits) else {
            throw SignatureError(reason: "malformed signature")
        }
        let payload = Array(signed[headerLength...])
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: payload, using: key) else {
            throw SignatureError(reason: "signature mismatch (wrong secret, or the message was changed)")
        }
        return payload
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func bytes(fromHex hex: ArraySlice<UInt8>) -> [UInt8]? {
        func value(_ digit: UInt8) -> UInt8? {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
            default: return nil
            }
        }
        var result: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            guard let high = value(hex[index]), let low = value(hex[index + 1]) else { return nil }
            result.append(high << 4 | low)
            index += 2
        }
        return result
    }
}
