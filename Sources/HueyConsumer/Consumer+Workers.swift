import Foundation
import Logging

/// The master's side of its workers: how many there should be. Starting, stopping and
/// collecting them is the pool's (``WorkerPool``).
extension Consumer {
    /// Starts workers until there are as many as wanted (unless a crash loop is being
    /// backed off from, or a start failed: then the next tick tries again).
    func startWorkers() {
        while phase == .running && pool.liveCount < targetWorkers && MonotonicClock.now() >= pool.nextStartAt {
            workerNumbers += 1
            guard pool.start(number: workerNumbers, pipe: pipe) else { return }
        }
    }

    /// Collects ended workers and remembers what becomes of each one's claims. With the
    /// health check off (`-C`), a worker that died unasked is not replaced.
    func reapWorkers() {
        for worker in pool.reap() {
            recoveries[worker.pid] = worker
            if worker.diedUnasked && !options.healthCheck && phase == .running {
                targetWorkers = max(0, targetWorkers - 1)
                logger.warning("Health check disabled (-C): worker \(worker.number) is not replaced.")
            }
        }
    }
}
