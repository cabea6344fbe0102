import Foundation
import Logging

/// The master's side of the storage's upkeep: its maintenance each tick (SQLite's WAL
/// checkpoints), the statistics' pruning once a minute, its heartbeat, and a full disk
/// said once a minute, not once per tick.
extension Consumer {
    /// Tells a storage shared between machines that this consumer still runs (so no other
    /// machine takes its workers' claims). Logged, never fatal: heartbeats resume with the storage.
    func sendHeartbeat() {
        do { try huey.storage.heartbeat(now: Date().timeIntervalSince1970) } catch {
            logger.error("cannot send this consumer's heartbeat to the storage: \(error)")
        }
    }

    /// Runs the storage's maintenance (``Storage/maintain(final:)``); with `final`, the
    /// last one as the consumer stops. Failures are logged, never fatal.
    func maintainStorage(final: Bool = false) {
        do { try huey.storage.maintain(final: final) } catch {
            logStorageError("storage maintenance\(final ? " at stop" : "")", error)
        }
        pruneStatistics()
    }

    /// Once a minute, drops the statistics older than ``Huey/statisticsWindow`` (kept as
    /// they are when it is 0: recording is off, nothing new comes). Logged, never fatal.
    func pruneStatistics() {
        let now = Date().timeIntervalSince1970
        let minute = StatsTally.minute(of: now)
        let window = huey.statisticsWindow
        guard minute != statisticsPrunedMinute, window > 0 else { return }
        statisticsPrunedMinute = minute
        do { try huey.storage.pruneStatistics(before: StatsTally.minute(of: now - window)) } catch {
            logStorageError("pruning the statistics", error)
        }
    }

    /// Logs a failed storage operation of the master. While the disk is full, the master's
    /// writes fail on every tick and are tried again on the next: that is said once when
    /// it starts and then once a minute (``FullDiskNotice``); any other error every time.
    func logStorageError(_ what: String, _ error: any Error) {
        guard let storageError = error as? StorageError, storageError.code == .full else {
            logger.error("\(what): \(error)")
            return
        }
        if fullDiskNotice.shouldLog(now: MonotonicClock.now()) {
            logger.warning(
                "\(what): \(error). The disk is full: nothing is lost, the master tries again each tick (logged once a minute while it lasts).")
        }
    }
}
