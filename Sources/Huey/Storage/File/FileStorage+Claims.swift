import Foundation

/// Claims: a queue entry renamed into `claimed/` under a name that records its owner.
extension FileStorage {
    /// The path of the claim `token` in `claimed/`, or `nil` when `token` is not a claim
    /// name this storage made (so a foreign token can never name another file).
    private func claimPath(_ token: String) -> String? {
        FileNames.parseClaim(token) == nil ? nil : "\(claimedDirectory)/\(token)"
    }

    /// Takes the next message (priority desc, FIFO) and keeps it as a claim owned by `owner`.
    /// - Throws: ``StorageError``.
    public func claim(owner: ClaimOwner, now: Double) throws -> Claim? {
        try pausingWhenFull {
            try exclusive { counters, cache in
                guard try !isPaused() else { return nil }  // FileStorage+Fleet
                while let entry = try nextQueueEntry(counters, &cache) {
                    guard let priority = FileNames.priority(ofQueueEntry: entry[...]) else { continue }
                    let token = FileNames.claim(
                        sequence: try counters.reserve(.claims), entry: entry, owner: owner, claimedAt: now)
                    let source = "\(queueDirectory)/\(entry)"
                    let path = "\(claimedDirectory)/\(token)"
                    guard try FileSystemCalls.renameIfPresent(source, to: path) else { continue }  // taken by another
                    let data: [UInt8]?
                    do {
                        data = try FileSystemCalls.readFile(path)
                    } catch {
                        _ = try? FileSystemCalls.renameIfPresent(path, to: source)  // give it back
                        throw error
                    }
                    guard let data else { continue }
                    try syncDirectories(claimedDirectory, queueDirectory)
                    return Claim(token: token, data: data, priority: priority, owner: owner, claimedAt: now)
                }
                return nil
            }
        }
    }

    /// Records (or with `nil` removes) the claim's deadline in `<token>.deadline`; no
    /// effect when the claim is gone.
    /// - Throws: ``StorageError``.
    public func setDeadline(_ claim: Claim, deadline: Double?) throws {
        try pausingWhenFull {
            guard let path = claimPath(claim.token) else { return }
            let sidecar = path + FileNames.deadlineSuffix
            try exclusive { _, _ in
                guard try FileSystemCalls.entryType(path) != nil else { return }
                guard let deadline else {
                    try FileSystemCalls.unlinkIfPresent(sidecar)
                    return
                }
                let temp = try writeTemp(Array(FileNames.hex(deadline.bitPattern).utf8))
                do {
                    try moveTemp(temp, to: sidecar)
                } catch {
                    removeQuietly([temp])
                    throw error
                }
            }
        }
    }

    /// The file content of a write's temp file (a chord completion has none of its own).
    private func content(of write: StorageWrite) -> [UInt8] {
        switch write {
        case .put(_, let value): return value
        case .enqueue(let data, _): return data
        case .schedule(let data, _): return data
        case .dead(let data, let reason):
            return Self.deadContent(data, reason: reason, at: Date().timeIntervalSince1970)
        case .completeChord, .tally: return []
        }
    }

    /// Completes a chord under the storage lock, after the ack's other writes: when every
    /// member's value is there, the callback's file is renamed into the queue (the commit
    /// point: a crash before leaves the claim, whose re-run completes the chord), then the
    /// values are removed.
    private func complete(_ completion: ChordCompletion, counters: StorageLockFile.Counters) throws {
        var values: [[UInt8]] = []
        for key in completion.memberKeys {
            guard let value = try peekData(key: key) else { return }
            values.append(value)
        }
        let sequence = try counters.reserve(.entries)
        let data = completion.callbackData(values: values)
        let target: String
        if let timestamp = completion.scheduledAt {
            target = "\(scheduleDirectory)/\(FileNames.scheduleEntry(timestamp: timestamp, sequence: sequence))"
        } else {
            target = "\(queueDirectory)/\(FileNames.queueEntry(priority: completion.priority, sequence: sequence))"
        }
        let temp = try writeTemp(data)
        do {
            try moveTemp(temp, to: target)
        } catch {
            removeQuietly([temp])
            throw error
        }
        for key in completion.memberKeys { _ = try deleteData(key: key) }
        completion.outcome.markCompleted()
    }

    /// Applies `writes` and drops the claim, atomically for other processes (under the
    /// lock); false, applying nothing, when the claim is gone.
    /// - Throws: ``StorageError``; the claim then stays (a crash or failure half-way may
    ///   leave earlier writes applied; see the type's documentation).
    @discardableResult
    public func ack(_ claim: Claim, writes: [StorageWrite]) throws -> Bool {
        try pausingWhenFull {
            guard let path = claimPath(claim.token) else { return false }
            let tallies = writes.compactMap { if case .tally(let tally) = $0 { tally } else { nil } }
            let writes = writes.filter { if case .tally = $0 { false } else { true } }
            let temps = try writeTemps(writes.map(content(of:)))
            do {
                return try exclusive { counters, _ in
                    guard try FileSystemCalls.entryType(path) != nil else {
                        removeQuietly(temps)
                        return false
                    }
                    let numbered = writes.count(where: {
                        switch $0 {
                        case .put, .completeChord, .tally: false
                        case .enqueue, .schedule, .dead: true
                        }
                    })
                    var sequence = numbered > 0 ? try counters.reserve(.entries, count: numbered) : 0
                    for (write, temp) in zip(writes, temps) {
                        switch write {
                        case .put(let key, _):
                            _ = try placeKeyed(temp, key: key, in: keyValueDirectory, replacing: true)
                        case .enqueue(_, let priority):
                            let entry = FileNames.queueEntry(priority: priority, sequence: sequence)
                            try moveTemp(temp, to: "\(queueDirectory)/\(entry)")
                        case .schedule(_, let timestamp):
                            let entry = FileNames.scheduleEntry(timestamp: timestamp, sequence: sequence)
                            try moveTemp(temp, to: "\(scheduleDirectory)/\(entry)")
                        case .dead:
                            try moveTemp(temp, to: "\(deadDirectory)/\(FileNames.deadEntry(sequence: sequence))")
                        case .completeChord, .tally:
                            removeQuietly([temp])
                            continue
                        }
                        if case .put = write {} else { sequence &+= 1 }
                    }
                    for case .completeChord(let completion) in writes { try complete(completion, counters: counters) }
                    try add(tallies)
                    try FileSystemCalls.unlinkIfPresent(path + FileNames.deadlineSuffix)
                    try FileSystemCalls.unlinkIfPresent(path)
                    try syncDirectories(
                        keyValueDirectory, queueDirectory, scheduleDirectory, deadDirectory, claimedDirectory)
                    return true
                }
            } catch {
                removeQuietly(temps)
                throw error
            }
        }
    }

    /// Puts the claimed message back at the end of its priority in the queue and drops
    /// the claim; false when the claim is gone.
    /// - Throws: ``StorageError``.
    @discardableResult
    public func release(_ claim: Claim) throws -> Bool {
        try pausingWhenFull {
            guard let path = claimPath(claim.token) else { return false }
            return try exclusive { counters, _ in
                guard try FileSystemCalls.entryType(path) != nil else { return false }
                let entry = FileNames.queueEntry(priority: claim.priority, sequence: try counters.reserve(.entries))
                try FileSystemCalls.unlinkIfPresent(path + FileNames.deadlineSuffix)
                guard try FileSystemCalls.renameIfPresent(path, to: "\(queueDirectory)/\(entry)") else { return false }
                try syncDirectories(queueDirectory, claimedDirectory)
                return true
            }
        }
    }

    /// Every outstanding claim, oldest first.
    /// - Throws: ``StorageError``.
    public func claims() throws -> [Claim] {
        try exclusive { _, _ in
            let names = try FileSystemCalls.listDirectory(claimedDirectory)
            let sidecars = Set(names.filter { $0.hasSuffix(FileNames.deadlineSuffix) })
            var result: [Claim] = []
            for token in names.sorted() {
                guard let parsed = FileNames.parseClaim(token),
                    let data = try FileSystemCalls.readFile("\(claimedDirectory)/\(token)")
                else { continue }
                var deadline: Double?
                let sidecar = token + FileNames.deadlineSuffix
                if sidecars.contains(sidecar),
                    let bytes = try FileSystemCalls.readFile("\(claimedDirectory)/\(sidecar)"),
                    let bits = UInt64(String(decoding: bytes, as: UTF8.self), radix: 16)
                {
                    deadline = Double(bitPattern: bits)
                }
                result.append(
                    Claim(
                        token: token, data: data, priority: parsed.priority, owner: parsed.owner,
                        claimedAt: parsed.claimedAt, deadline: deadline))
            }
            return result
        }
    }
}
