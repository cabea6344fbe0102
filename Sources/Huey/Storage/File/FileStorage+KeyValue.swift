import Foundation

/// Results and other key/value data (`kv/`), counters (`counters/`) and dead letters
/// (`dead/`). A key is stored as one file named by `FileNames.escape(_:)`; a key too
/// long for one file name is split into directories named `<part>+`.
extension FileStorage {
    /// The directories on the way to `key`'s file in `folder`, and the file's path.
    private func keyLocation(_ key: String, in folder: String) -> (directories: [String], file: String) {
        let (parts, file) = FileNames.keyPath(key)
        var directories: [String] = []
        var parent = folder
        for part in parts {
            parent += "/" + part
            directories.append(parent)
        }
        return (directories, parent + "/" + file)
    }

    /// Moves the temp file `temp` to `key`'s file in `folder`: replacing what is there,
    /// or only when nothing is (then returns false, leaving `temp`, if something was).
    /// Creates the directories of a long key, retrying if a concurrent clean-up removed them.
    /// - Throws: ``StorageError``.
    func placeKeyed(_ temp: String, key: String, in folder: String, replacing: Bool) throws -> Bool {
        let (directories, file) = keyLocation(key, in: folder)
        var attempts = 0
        while true {
            attempts += 1
            for directory in directories { try FileSystemCalls.makeDirectory(directory) }
            do {
                if !replacing { return try FileSystemCalls.linkIfAbsent(temp, as: file) }
                if try FileSystemCalls.renameIfPresent(temp, to: file) { return true }
                guard !directories.isEmpty, attempts < 5 else {
                    throw StorageError(code: .io, message: "cannot move \(temp) to \(file)", errno: ENOENT)
                }
            } catch let error as StorageError where error.errno == ENOENT && !directories.isEmpty && attempts < 5 {
                continue
            }
        }
    }

    /// Removes the empty directories of a long key after its file went away.
    private func pruneDirectories(_ directories: [String]) {
        for directory in directories.reversed() {
            if !FileSystemCalls.removeEmptyDirectory(directory) { return }
        }
    }

    /// Removes everything inside `folder` (files and key directories); call holding the lock.
    func removeTree(inside folder: String) throws {
        for name in try FileSystemCalls.listDirectory(folder, missingIsEmpty: true) {
            let path = "\(folder)/\(name)"
            if try FileSystemCalls.entryType(path) == .directory {
                try removeTree(inside: path)
                _ = FileSystemCalls.removeEmptyDirectory(path)
            } else {
                try FileSystemCalls.unlinkIfPresent(path)
            }
        }
    }

    /// Calls `visit` with every key in `folder` and its file's path.
    private func forEachKey(in folder: String, prefix: String = "", _ visit: (String, String) throws -> Void) throws {
        for name in try FileSystemCalls.listDirectory(folder, missingIsEmpty: !prefix.isEmpty) {
            if name.hasSuffix("+") {
                try forEachKey(in: "\(folder)/\(name)", prefix: prefix + name.dropLast(), visit)
            } else if let key = FileNames.unescape(prefix + name) {
                try visit(key, "\(folder)/\(name)")
            }
        }
    }

    // MARK: Key/value data

    /// Stores `value` under `key`, replacing what was there (atomic rename).
    /// - Throws: ``StorageError``.
    public func putData(key: String, value: [UInt8]) throws {
        try pausingWhenFull {
            let temp = try writeTemp(value)
            do {
                _ = try placeKeyed(temp, key: key, in: keyValueDirectory, replacing: true)
            } catch {
                removeQuietly([temp])
                throw error
            }
        }
    }

    /// The value under `key`, if any.
    /// - Throws: ``StorageError``.
    public func peekData(key: String) throws -> [UInt8]? {
        try FileSystemCalls.readFile(keyLocation(key, in: keyValueDirectory).file)
    }

    /// Removes and returns the value under `key`: it is renamed away first, so of two
    /// concurrent pops exactly one gets it.
    /// - Throws: ``StorageError``.
    public func popData(key: String) throws -> [UInt8]? {
        let (directories, file) = keyLocation(key, in: keyValueDirectory)
        let taken = "\(tempDirectory)/\(getpid())-\(FileNames.hex(UInt64.random(in: .min ... .max)))"
        guard try FileSystemCalls.renameIfPresent(file, to: taken) else { return nil }
        pruneDirectories(directories)
        defer { removeQuietly([taken]) }
        do {
            return try FileSystemCalls.readFile(taken)
        } catch {
            _ = try? placeKeyed(taken, key: key, in: keyValueDirectory, replacing: false)  // put it back
            throw error
        }
    }

    /// Removes `key`; says whether it was there.
    /// - Throws: ``StorageError``.
    public func deleteData(key: String) throws -> Bool {
        let (directories, file) = keyLocation(key, in: keyValueDirectory)
        let removed = try FileSystemCalls.unlinkIfPresent(file)
        if removed { pruneDirectories(directories) }
        return removed
    }

    /// Whether `key` has a value.
    /// - Throws: ``StorageError``.
    public func hasData(key: String) throws -> Bool {
        try FileSystemCalls.entryType(keyLocation(key, in: keyValueDirectory).file) == .file
    }

    /// Stores `value` only when `key` has none (atomic: a hard link fails if the name exists).
    /// - Throws: ``StorageError``.
    public func putIfEmpty(key: String, value: [UInt8]) throws -> Bool {
        try pausingWhenFull {
            let temp = try writeTemp(value)
            defer { removeQuietly([temp]) }
            return try placeKeyed(temp, key: key, in: keyValueDirectory, replacing: false)
        }
    }

    /// The values of `keys`, in order, `nil` where a key has none.
    /// - Throws: ``StorageError``.
    public func peekMany(keys: [String]) throws -> [[UInt8]?] {
        try keys.map { try peekData(key: $0) }
    }

    /// The number of stored keys.
    /// - Throws: ``StorageError``.
    public func resultStoreSize() throws -> Int {
        var count = 0
        try forEachKey(in: keyValueDirectory) { _, _ in count += 1 }
        return count
    }

    /// Every stored key (as given) and value.
    /// - Throws: ``StorageError``.
    public func resultItems() throws -> [String: [UInt8]] {
        var items: [String: [UInt8]] = [:]
        try forEachKey(in: keyValueDirectory) { key, path in
            if let value = try FileSystemCalls.readFile(path) { items[key] = value }
        }
        return items
    }

    /// Removes every stored key.
    /// - Throws: ``StorageError``.
    public func flushResults() throws {
        try exclusive { _, _ in try removeTree(inside: keyValueDirectory) }
    }

    // MARK: Counters

    /// Adds `amount` to the counter `key` (missing = 0) and returns the new value.
    /// - Throws: ``StorageError``; code `.corrupt` when the counter file is not a number
    ///   or the sum overflows.
    public func increment(key: String, by amount: Int) throws -> Int {
        try pausingWhenFull {
            try exclusive { _, _ in
                let path = keyLocation(key, in: counterDirectory).file
                var current = 0
                if let bytes = try FileSystemCalls.readFile(path) {
                    guard let value = Int(String(decoding: bytes, as: UTF8.self)) else {
                        throw StorageError(code: .corrupt, message: "counter file \(path) does not hold a number")
                    }
                    current = value
                }
                let (sum, overflow) = current.addingReportingOverflow(amount)
                if overflow { throw StorageError(code: .corrupt, message: "counter \(key) would overflow") }
                let temp = try writeTemp(Array(String(sum).utf8))
                do {
                    _ = try placeKeyed(temp, key: key, in: counterDirectory, replacing: true)
                } catch {
                    removeQuietly([temp])
                    throw error
                }
                return sum
            }
        }
    }

    /// Removes the counter `key`.
    /// - Throws: ``StorageError``.
    public func deleteCounter(key: String) throws {
        try exclusive { _, _ in
            let (directories, file) = keyLocation(key, in: counterDirectory)
            if try FileSystemCalls.unlinkIfPresent(file) { pruneDirectories(directories) }
        }
    }

    // MARK: Dead letters

    /// A dead letter's file: `<timestamp bits, 16 hex>\n<reason byte count>\n<reason><data>`.
    static func deadContent(_ data: [UInt8], reason: String, at timestamp: Double) -> [UInt8] {
        Array("\(FileNames.hex(timestamp.bitPattern))\n\(reason.utf8.count)\n\(reason)".utf8) + data
    }

    /// Decodes a dead letter's file, or `nil` when it is not one.
    static func parseDead(_ bytes: [UInt8]) -> DeadLetter? {
        let newline = UInt8(ascii: "\n")
        guard let first = bytes.firstIndex(of: newline),
            let second = bytes[(first + 1)...].firstIndex(of: newline),
            let bits = UInt64(String(decoding: bytes[..<first], as: UTF8.self), radix: 16),
            let length = Int(String(decoding: bytes[(first + 1)..<second], as: UTF8.self)),
            length >= 0, second + 1 + length <= bytes.count
        else { return nil }
        let reasonEnd = second + 1 + length
        return DeadLetter(
            data: Array(bytes[reasonEnd...]), reason: String(decoding: bytes[(second + 1)..<reasonEnd], as: UTF8.self),
            timestamp: Double(bitPattern: bits))
    }

    /// Keeps a message that cannot be run, with the reason.
    /// - Throws: ``StorageError``.
    public func addDead(_ data: [UInt8], reason: String) throws {
        try pausingWhenFull {
            let temp = try writeTemp(Self.deadContent(data, reason: reason, at: Date().timeIntervalSince1970))
            do {
                try exclusive { counters, _ in
                    let entry = FileNames.deadEntry(sequence: try counters.reserve(.entries))
                    try moveTemp(temp, to: "\(deadDirectory)/\(entry)")
                }
            } catch {
                removeQuietly([temp])
                throw error
            }
        }
    }

    /// Every dead letter, oldest first.
    /// - Throws: ``StorageError``.
    public func deadItems() throws -> [DeadLetter] {
        try sortedEntries(deadDirectory) { $0.count == 25 }.compactMap { name in
            guard let bytes = try FileSystemCalls.readFile("\(deadDirectory)/\(name)"), var letter = Self.parseDead(bytes)
            else { return nil }
            letter.id = name
            return letter
        }
    }

    /// Removes every dead letter.
    /// - Throws: ``StorageError``.
    public func flushDead() throws {
        try exclusive { _, _ in try removeEntries(deadDirectory) }
    }
}
