/// A fleet value with its expiry, as the defaults and the File storage keep it in one
/// blob: the expiry (`-` for none, else the `Double`'s bit pattern in hex), a newline, then
/// the value.
public struct FleetEntry: Sendable, Hashable {
    /// The stored value.
    public var value: [UInt8]
    /// When it expires (Unix seconds), or nil.
    public var expiresAt: Double?

    /// Whether it has expired at `now`.
    public func isExpired(at now: Double) -> Bool { expiresAt.map { $0 <= now } ?? false }

    /// The blob for `value` expiring at `expiresAt`.
    public static func encode(_ value: [UInt8], expiresAt: Double?) -> [UInt8] {
        let header = expiresAt.map { String($0.bitPattern, radix: 16) } ?? "-"
        return Array(header.utf8) + [UInt8(ascii: "\n")] + value
    }

    /// Reads a blob made by ``encode(_:expiresAt:)``; nil when it is not one.
    public static func decode(_ bytes: [UInt8]) -> FleetEntry? {
        guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let header = String(decoding: bytes[..<newline], as: UTF8.self)
        let value = Array(bytes[(newline + 1)...])
        if header == "-" { return FleetEntry(value: value, expiresAt: nil) }
        guard let bits = UInt64(header, radix: 16) else { return nil }
        return FleetEntry(value: value, expiresAt: Double(bitPattern: bits))
    }
}
