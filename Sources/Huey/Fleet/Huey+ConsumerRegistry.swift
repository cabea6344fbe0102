import Foundation

/// The registry of live consumers: each master records itself (``ConsumerRecord``) in the
/// storage's fleet state when it starts, updates the record on every health check (the
/// heartbeat and worker pids), and removes it on a clean stop. A record expires `ttl`
/// seconds after its last update, so a master that died on another machine disappears by
/// itself; one that died on this machine is removed sooner by ``pruneDeadConsumers(now:)``.
extension Huey {
    /// The registry key of `record`.
    private func registryKey(_ record: ConsumerRecord) -> String { FleetKeys.consumer(record.owner) }

    /// Records or updates `record`; it expires `ttl` seconds after `record.heartbeat`.
    /// - Throws: ``StorageError``, ``CodecError``.
    public func registerConsumer(_ record: ConsumerRecord, ttl: Double) throws {
        _ = try storage.putFleetValue(
            key: registryKey(record), value: try JSONCodec.encode(record), expiresAt: record.heartbeat + ttl,
            onlyIfAbsent: false, now: record.heartbeat)
    }

    /// Removes `record` (a clean stop); false when it was not there.
    /// - Throws: ``StorageError``.
    @discardableResult
    public func deregisterConsumer(_ record: ConsumerRecord) throws -> Bool {
        try storage.deleteFleetValue(key: registryKey(record))
    }

    /// The registered consumers whose records have not expired, by host then pid. Records
    /// that do not decode are skipped.
    /// - Throws: ``StorageError``.
    public func consumers(now: Date? = nil) throws -> [ConsumerRecord] {
        let now = (now ?? clock()).timeIntervalSince1970
        let records = try storage.fleetValues(prefix: FleetKeys.consumerPrefix, now: now).values.compactMap {
            try? JSONCodec.decode(ConsumerRecord.self, from: $0)
        }
        return records.sorted { ($0.host, $0.pid) < ($1.host, $1.pid) }
    }

    /// Removes the records of masters that no longer run — on this machine, those whose
    /// process is gone (pid and start time); elsewhere, those the storage says are dead
    /// (``Storage/isAlive(_:)``: Redis heartbeats) — and returns them.
    /// - Throws: ``StorageError``.
    @discardableResult
    public func pruneDeadConsumers(now: Date? = nil) throws -> [ConsumerRecord] {
        var pruned: [ConsumerRecord] = []
        let storage = self.storage
        for record in try consumers(now: now) where try !storage.isAlive(record.owner) {
            if try deregisterConsumer(record) { pruned.append(record) }
        }
        return pruned
    }

    /// The registered consumers, each worker with the call it holds now (from the
    /// storage's claims, matched by pid and host; thread workers all show under the
    /// master's pid).
    /// - Throws: ``StorageError``.
    public func consumerStatuses(now: Date? = nil) throws -> [ConsumerStatus] {
        let records = try consumers(now: now)
        guard !records.isEmpty else { return [] }
        let claims = try storage.claims()
        return records.map { record in
            let pids = record.workerType == "thread" || record.workerPids.isEmpty ? [record.pid] : record.workerPids
            var workers: [WorkerStatus] = []
            for pid in pids {
                let held = claims.filter { $0.owner.pid == pid && $0.owner.host == record.host }
                if held.isEmpty { workers.append(WorkerStatus(pid: pid)) }
                for claim in held {
                    let message = try? decodeMessage(claim.data)
                    workers.append(
                        WorkerStatus(pid: pid, task: message?.name, callID: message?.id, since: claim.claimedAt))
                }
            }
            return ConsumerStatus(record: record, workers: workers)
        }
    }
}
