import Huey

/// Opens the storage a test names on the helper's command line.
enum HelperStorage {
    /// `kind` is `memory`, `sqlite` (path = database file) or `file` (path = directory).
    static func open(kind: String, path: String, name: String = "test") throws -> any Storage {
        switch kind {
        case "memory": return MemoryStorage(name: name)
        case "sqlite": return try SqliteStorage(name: name, filename: path)
        case "file": return try FileStorage(name: name, path: path)
        default: throw StorageError(code: .unsupported, message: "unknown storage kind \(kind)")
        }
    }
}
