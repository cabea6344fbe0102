import Foundation

/// A storage operation failed.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: Sendable, Hashable {
        /// The database or directory could not be opened or is not one.
        case open
        /// A read or write failed.
        case io
        /// The disk is full.
        case full
        /// The storage is read-only.
        case readOnly
        /// Another process held a lock longer than the busy timeout.
        case busy
        /// Stored data is corrupt.
        case corrupt
        /// The operation is not possible with this storage.
        case unsupported
    }

    /// The kind of failure.
    public var code: Code
    /// A sentence for a person, naming what was being done.
    public var message: String
    /// The SQLite result code, when SQLite reported it.
    public var sqliteCode: Int32?
    /// The errno, when the OS reported it.
    public var errno: Int32?

    /// Makes a storage error.
    public init(code: Code, message: String, sqliteCode: Int32? = nil, errno: Int32? = nil) {
        self.code = code
        self.message = message
        self.sqliteCode = sqliteCode
        self.errno = errno
    }

    public var description: String {
        var text = message
        if let sqliteCode { text += " (sqlite code \(sqliteCode))" }
        if let errno { text += " (errno \(errno): \(String(cString: strerror(errno))))" }
        return text
    }
}
