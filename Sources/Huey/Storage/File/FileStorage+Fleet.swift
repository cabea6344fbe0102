import Foundation

/// Fleet state (periodic slots, the consumer registry, the pause flag) in `fleet/`: one
/// file per key, named by `FileNames.escape(_:)`, holding a ``FleetEntry`` (expiry, then
/// value). Writes hold the storage's `flock`, so a put-if-empty is atomic across
/// processes; so do claims, which look for `fleet/paused` first (one `stat`).
extension FileStorage {
    /// The folder of fleet entries (made on first write).
    var fleetDirectory: String { directory + "/fleet" }

    private func fleetPath(_ key: String) -> String { "\(fleetDirectory)/\(FileNames.escape(key))" }

    /// Stores `value` under `key` (temp file renamed into place, under the lock); with
    /// `onlyIfAbsent` only when no live entry is there, removing expired entries first.
    /// - Throws: ``StorageError``.
    public func putFleetValue(key: String, value: [UInt8], expiresAt: Double?, onlyIfAbsent: Bool, now: Double) throws
        -> Bool
    {
        try pausingWhenFull {
            try FileSystemCalls.makeDirectory(fleetDirectory)
            let temp = try writeTemp(FleetEntry.encode(value, expiresAt: expiresAt))
            defer { removeQuietly([temp]) }
            return try lockFile.exclusive { _, _ in
                if onlyIfAbsent {
                    try sweepExpiredFleetEntries(now: now)
                    if try FileSystemCalls.entryType(fleetPath(key)) != nil { return false }
                }
                try moveTemp(temp, to: fleetPath(key))
                try syncDirectories(fleetDirectory)
                return true
            }
        }
    }

    /// Removes expired entries; call holding the lock.
    private func sweepExpiredFleetEntries(now: Double) throws {
        for name in try FileSystemCalls.listDirectory(fleetDirectory, missingIsEmpty: true) {
            let path = "\(fleetDirectory)/\(name)"
            guard let bytes = try FileSystemCalls.readFile(path), let entry = FleetEntry.decode(bytes),
                entry.isExpired(at: now)
            else { continue }
            try FileSystemCalls.unlinkIfPresent(path)
        }
    }

    /// The live values under `prefix`.
    /// - Throws: ``StorageError``.
    public func fleetValues(prefix: String, now: Double) throws -> [String: [UInt8]] {
        var values: [String: [UInt8]] = [:]
        for name in try FileSystemCalls.listDirectory(fleetDirectory, missingIsEmpty: true) {
            guard let key = FileNames.unescape(name), key.hasPrefix(prefix),
                let bytes = try FileSystemCalls.readFile("\(fleetDirectory)/\(name)"),
                let entry = FleetEntry.decode(bytes), !entry.isExpired(at: now)
            else { continue }
            values[key] = entry.value
        }
        return values
    }

    /// Removes `key`; says whether it was there.
    /// - Throws: ``StorageError``.
    /// Deleting the pause flag (a resume) wakes idle workers: it creates and removes a
    /// file in `queue/`, which their watches see.
    /// - Throws: ``StorageError``.
    public func deleteFleetValue(key: String) throws -> Bool {
        let removed = try lockFile.exclusive { _, _ in try FileSystemCalls.unlinkIfPresent(fleetPath(key)) }
        if removed && key == FleetKeys.paused {
            let nudge = "\(queueDirectory)/.resumed-\(getpid())"
            try FileSystemCalls.createFile(nudge, [], sync: false)
            try FileSystemCalls.unlinkIfPresent(nudge)
        }
        return removed
    }

    /// ``claim(owner:now:)`` looks for `fleet/paused` under the lock.
    public var claimsHonorPause: Bool { true }

    /// Whether `fleet/paused` exists; claims call it holding the lock.
    func isPaused() throws -> Bool {
        try FileSystemCalls.entryType(fleetPath(FleetKeys.paused)) != nil
    }

    // MARK: One dead letter

    /// The path of dead letter `id` (its file name), or nil when `id` is not one.
    private func deadPath(_ id: String) -> String? {
        id.count == 25 && !id.contains("/") ? "\(deadDirectory)/\(id)" : nil
    }

    /// Under the lock: queues the message of dead letter `id` (its file name), then removes
    /// the letter. A crash between the two leaves the message both queued and dead, never lost.
    /// - Throws: ``StorageError``.
    public func requeueDead(id: String, priority: Double) throws -> Bool {
        guard let path = deadPath(id) else { return false }
        return try pausingWhenFull {
            try lockFile.exclusive { counters, _ in
                guard let bytes = try FileSystemCalls.readFile(path) else { return false }
                guard let letter = Self.parseDead(bytes) else {
                    throw StorageError(code: .corrupt, message: "dead letter file \(path) cannot be read")
                }
                let temp = try writeTemp(letter.data)
                do {
                    let entry = FileNames.queueEntry(priority: priority, sequence: try counters.reserve(.entries))
                    try moveTemp(temp, to: "\(queueDirectory)/\(entry)")
                } catch {
                    removeQuietly([temp])
                    throw error
                }
                try syncDirectories(queueDirectory)
                try FileSystemCalls.unlinkIfPresent(path)
                return true
            }
        }
    }

    /// Removes dead letter `id` (its file name).
    /// - Throws: ``StorageError``.
    public func discardDead(id: String) throws -> Bool {
        guard let path = deadPath(id) else { return false }
        return try lockFile.exclusive { _, _ in try FileSystemCalls.unlinkIfPresent(path) }
    }
}
