import Foundation
import Huey
import Logging

/// The master's entry in the registry of live consumers (``Huey/registerConsumer(_:ttl:)``):
/// written at start, refreshed every health-check interval (`-c`, with or without `-C`)
/// with the heartbeat and the current worker pids, removed on a clean stop. At each
/// refresh the master also prunes the records of masters that died without removing theirs.
/// A storage error is logged and never stops the master; the next refresh tries again.
extension Consumer {
    /// The version a master reports in its registry record.
    public static let version = "swift-huey 0.1.0-dev"

    /// How long a record outlives its last refresh: three refreshes, at least 30 s.
    var registryLifetime: Double { max(3 * options.healthCheckInterval, 30) }

    /// This master as the registry shows it now.
    func registryRecord() -> ConsumerRecord {
        let owner = ClaimOwner.current
        return ConsumerRecord(
            host: owner.host, pid: owner.pid, processStart: owner.startTime, startedAt: startedAt,
            version: Self.version, workerType: pool.kind, workerCount: targetWorkers, workerPids: pool.workerPIDs,
            queue: huey.name, storage: String(describing: type(of: huey.storage)),
            heartbeat: huey.clock().timeIntervalSince1970)
    }

    /// Writes or refreshes this master's record.
    func register() {
        do {
            try huey.registerConsumer(registryRecord(), ttl: registryLifetime)
        } catch {
            logStorageError("registry: cannot record this consumer", error)
        }
    }

    /// Removes this master's record (a clean stop).
    func deregister() {
        do {
            try huey.deregisterConsumer(registryRecord())
        } catch {
            logStorageError("registry: cannot remove this consumer's record", error)
        }
    }

    /// Removes the records of masters that are gone.
    func pruneDeadConsumers() {
        do {
            for record in try huey.pruneDeadConsumers() {
                logger.info("registry: removed the record of consumer \(record.pid) on \(record.host), which is gone.")
            }
        } catch {
            logStorageError("registry: cannot prune dead consumers", error)
        }
    }
}
