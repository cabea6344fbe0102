import Foundation
import Logging

extension Consumer {
    /// One scheduler tick: due scheduled calls to the queue, then the periodic tasks of
    /// any minute not yet enqueued — once per fleet: each (task, minute) slot is claimed in
    /// the storage first, so other consumers on the same storage do not enqueue it again.
    func runScheduler(clock: Double) {
        do {
            let moved = try huey.enqueueDueScheduled(now: Date(timeIntervalSince1970: clock))
            if moved > 0 { logger.debug("Moved \(moved) scheduled call(s) to the queue.") }
        } catch {
            logStorageError("scheduler: cannot move due calls to the queue", error)
        }
        guard options.periodic else { return }
        let minute = PeriodicMinutes.minute(of: clock)
        guard minute > periodicMinutes.lastMinute else { return }
        if minute > periodicMinutes.lastMinute + 1 {
            logger.warning("scheduler: skipped periodic tasks of \(minute - periodicMinutes.lastMinute - 1) minute(s).")
        }
        do {
            let names = try huey.enqueuePeriodicTasksOncePerFleet(
                at: Date(timeIntervalSince1970: Double(minute) * 60), now: Date(timeIntervalSince1970: clock))
            periodicMinutes.lastMinute = minute
            for name in names { logger.info("Enqueueing periodic task \(name).") }
        } catch {
            // lastMinute is unchanged: the next tick of this minute tries again.
            logStorageError("scheduler: cannot enqueue periodic tasks", error)
        }
    }
}
