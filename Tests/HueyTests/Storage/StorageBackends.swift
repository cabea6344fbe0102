import Foundation
import Huey

/// The storages every conformance test runs against.
enum StorageBackend: String, CaseIterable, CustomStringConvertible, Sendable {
    case memory
    case sqlite
    case file

    var description: String { rawValue }

    /// Makes a fresh, empty storage named `name`; `place` is a private scratch folder.
    func make(name: String, in place: ScratchDirectory) throws -> any Storage {
        switch self {
        case .memory: return MemoryStorage(name: name)
        case .sqlite: return try SqliteStorage(name: name, filename: place.file("huey.db"))
        case .file: return try FileStorage(name: name, path: place.file("files"))
        }
    }

    /// Whether two storages made with the same `place` share data (same file or folder).
    var sharesPlace: Bool { self != .memory }
}

/// A temporary directory removed when the value is deinitialised.
final class ScratchDirectory: Sendable {
    let path: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.path
        var template = Array("\(base)/huey-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.EIO) }
        path = String(cString: made)
    }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
