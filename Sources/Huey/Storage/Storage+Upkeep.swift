import Foundation

/// The bytes a storage takes on the disk, by part.
public struct DiskUsage: Sendable, Hashable, Codable {
    /// Each part and its size in bytes, in a fixed order ("database", "wal"; "files").
    public var parts: [Part]

    /// One file or group of files.
    public struct Part: Sendable, Hashable, Codable {
        /// What it is: "database", "wal", "shm", "files".
        public var name: String
        /// Its size in bytes (allocated on the disk, so sparse files count what they use).
        public var bytes: Int

        /// Makes a part.
        public init(name: String, bytes: Int) {
            self.name = name
            self.bytes = bytes
        }
    }

    /// Makes a usage from its parts.
    public init(parts: [Part]) {
        self.parts = parts
    }

    /// The total in bytes.
    public var bytes: Int { parts.reduce(0) { $0 + $1.bytes } }

    /// "6.0 MiB (database 5.9 MiB, wal 132 KiB)".
    public var summary: String {
        let detail = parts.map { "\($0.name) \(Self.format(bytes: $0.bytes))" }.joined(separator: ", ")
        return parts.count > 1 ? "\(Self.format(bytes: bytes)) (\(detail))" : Self.format(bytes: bytes)
    }

    /// `bytes` for a person: "512 B", "132 KiB", "6.0 MiB", "1.2 GiB".
    public static func format(bytes: Int) -> String {
        let units = ["KiB", "MiB", "GiB", "TiB"]
        guard bytes >= 1024 else { return "\(bytes) B" }
        var value = Double(bytes) / 1024
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return value >= 100 ? "\(Int(value.rounded())) \(units[unit])" : String(format: "%.1f", value) + " " + units[unit]
    }
}

extension Storage {
    /// Nothing to maintain.
    public func maintain(final: Bool) throws {}
    /// Nothing on this machine's disk.
    public func diskUsage() throws -> DiskUsage? { nil }
    /// Nothing to verify.
    public func verifyWritable() throws {}
    /// Nothing to check.
    public func integrityProblems() throws -> [String] { [] }
    /// No disk of its own: ignored.
    public func pauseWhenFull(_ pause: FullDiskPause?) {}
}

/// Sizes of files on the disk, for ``Storage/diskUsage()``.
enum DiskFiles {
    /// The bytes allocated to the file at `path`; 0 when it does not exist.
    static func allocatedBytes(_ path: String) -> Int {
        var info = stat()
        guard stat(path, &info) == 0 else { return 0 }
        return Int(info.st_blocks) * 512
    }

    /// The length of the file at `path`; 0 when it does not exist.
    static func length(_ path: String) -> Int {
        var info = stat()
        guard stat(path, &info) == 0 else { return 0 }
        return Int(info.st_size)
    }
}
