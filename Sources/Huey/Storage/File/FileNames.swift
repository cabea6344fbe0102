/// The file names of ``FileStorage``: how priorities, times and sequence numbers become
/// names that sort correctly by plain byte order, and how arbitrary keys become
/// reversible file names.
///
/// - Queue entry: `<priority, inverted>-<sequence>-<random>`, each part 16 (random: 8)
///   lowercase hex digits, so names sort by priority descending, then FIFO.
/// - Schedule entry: `<timestamp>-<sequence>-<random>`: by time, then FIFO.
/// - Claim: `<claim sequence>-<queue entry name>-<pid>-<start time>-<claimed at>`, so
///   claims sort oldest first and carry their owner and priority.
/// - Dead letter: `<sequence>-<random>`.
///
/// A number becomes 16 hex digits through an order-preserving map of its IEEE 754 bits
/// (flip every bit of a negative number, set the sign bit of a positive one), so
/// negative, fractional and infinite values all sort right and decode exactly.
enum FileNames {
    /// Order-preserving 64-bit key for `value` (ascending); -0 is 0, NaN sorts lowest.
    static func orderKey(_ value: Double) -> UInt64 {
        let normalized = value.isNaN ? -Double.nan : (value == 0 ? 0 : value)
        let bits = normalized.bitPattern
        return bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63)
    }

    /// The value whose ``orderKey(_:)`` is `key`.
    static func value(ofOrderKey key: UInt64) -> Double {
        Double(bitPattern: key & (1 << 63) != 0 ? key & ~(1 << 63) : ~key)
    }

    /// `value` as `width` lowercase hex digits.
    static func hex(_ value: UInt64, width: Int = 16) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// A random 8-hex-digit suffix that keeps names unique even if sequences repeat.
    static func randomSuffix() -> String { hex(UInt64(UInt32.random(in: .min ... .max)), width: 8) }

    // MARK: Queue and schedule

    /// The name of a queue entry: priority descending, then `sequence` ascending.
    static func queueEntry(priority: Double, sequence: UInt64) -> String {
        "\(hex(~orderKey(priority)))-\(hex(sequence))-\(randomSuffix())"
    }

    /// The priority of the queue entry `name`, or `nil` if it is not one.
    static func priority(ofQueueEntry name: Substring) -> Double? {
        let parts = name.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 16, let key = UInt64(parts[0], radix: 16) else { return nil }
        return value(ofOrderKey: ~key)
    }

    /// The name of a schedule entry: `timestamp` ascending, then `sequence` ascending.
    static func scheduleEntry(timestamp: Double, sequence: UInt64) -> String {
        "\(hex(orderKey(timestamp)))-\(hex(sequence))-\(randomSuffix())"
    }

    /// The timestamp of the schedule entry `name`, or `nil` if it is not one.
    static func timestamp(ofScheduleEntry name: String) -> Double? {
        let parts = name.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 16, let key = UInt64(parts[0], radix: 16) else { return nil }
        return value(ofOrderKey: key)
    }

    /// The name of a dead letter, in arrival order.
    static func deadEntry(sequence: UInt64) -> String { "\(hex(sequence))-\(randomSuffix())" }

    // MARK: Claims

    /// What a claim's file name records.
    struct ClaimName {
        var priority: Double
        var owner: ClaimOwner
        var claimedAt: Double
    }

    /// The suffix of a claim's deadline file (`<claim name>.deadline`).
    static let deadlineSuffix = ".deadline"

    /// The name of a claim on the queue entry `entry`.
    static func claim(sequence: UInt64, entry: String, owner: ClaimOwner, claimedAt: Double) -> String {
        "\(hex(sequence))-\(entry)-\(owner.pid)-\(owner.startTime)-\(hex(claimedAt.bitPattern))"
    }

    /// Decodes a claim's file name, or `nil` if `name` is not one.
    static func parseClaim(_ name: String) -> ClaimName? {
        let parts = name.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 7, parts[0].count == 16,
            let priority = priority(ofQueueEntry: name[parts[1].startIndex..<parts[3].endIndex]),
            let pid = Int32(parts[4]), let start = UInt64(parts[5]),
            parts[6].count == 16, let at = UInt64(parts[6], radix: 16)
        else { return nil }
        return ClaimName(
            priority: priority, owner: ClaimOwner(pid: pid, startTime: start), claimedAt: Double(bitPattern: at))
    }

    // MARK: Keys

    /// A single file name for any text: letters, digits and `-_.:@` are kept (a leading
    /// `.` is escaped), every other UTF-8 byte becomes `%XX`; the empty text is `%`.
    /// Never contains `/` or `+`, never is `.` or `..`, and ``unescape(_:)`` reverses it.
    static func escape(_ text: String) -> String {
        if text.isEmpty { return "%" }
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if isKept(byte) && !(byte == UInt8(ascii: ".") && result.isEmpty) {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                result += "%" + hex(UInt64(byte), width: 2).uppercased()
            }
        }
        return result
    }

    /// The text ``escape(_:)`` made `name` from, or `nil` if `name` is not such a name.
    static func unescape(_ name: String) -> String? {
        if name == "%" { return "" }
        var bytes: [UInt8] = []
        var utf8 = name.utf8.makeIterator()
        while let byte = utf8.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = utf8.next(), let low = utf8.next(),
                    let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
                else { return nil }
                bytes.append(value)
            } else {
                guard isKept(byte) else { return nil }
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func isKept(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: ":"), UInt8(ascii: "@"):
            return true
        default:
            return false
        }
    }

    /// The longest file name a key part may take (below NAME_MAX 255, leaving room for `+`).
    static let maxComponent = 240

    /// The relative path of `key` inside a key directory: its escaped name, split into
    /// directories named `<part>+` when longer than ``maxComponent`` (`+` never appears
    /// in an escaped name, so a file and a directory can never collide).
    static func keyPath(_ key: String) -> (directories: [String], file: String) {
        let escaped = Array(escape(key).utf8)
        guard escaped.count > maxComponent else { return ([], String(decoding: escaped, as: UTF8.self)) }
        var parts: [String] = []
        var start = 0
        while start < escaped.count {
            let end = min(start + maxComponent, escaped.count)
            parts.append(String(decoding: escaped[start..<end], as: UTF8.self))
            start = end
        }
        let file = parts.removeLast()
        return (parts.map { $0 + "+" }, file)
    }
}
