import Foundation
import Logging

/// Warns when a task body registers a periodic task inside a worker process.
///
/// Huey's "dynamic periodic tasks" (a periodic task registered while the consumer runs)
/// work with thread workers only, as in Huey: the master's scheduler reads the registry
/// of its own process, which worker threads share. A worker process has its own copy
/// since the fork, so a periodic task registered there is never scheduled; this says so
/// in the log, once per task, instead of letting it silently never run.
final class DynamicPeriodicWatch {
    private let huey: Huey
    private let logger: Logger
    /// The periodic tasks known so far (those of the fork, then those warned about).
    private var known: Set<String>

    /// Remembers the periodic tasks registered now (the ones the master also has).
    init(huey: Huey, logger: Logger) {
        self.huey = huey
        self.logger = logger
        self.known = Set(huey.registry.periodicNames)
    }

    /// Logs a warning for each periodic task registered since the last check.
    func check() {
        for name in huey.registry.periodicNames where !known.contains(name) {
            known.insert(name)
            logger.warning(
                "Periodic task \(name) was registered inside worker process \(getpid()); the consumer's scheduler never sees it. Dynamic periodic tasks need thread workers (-k thread), as in Huey.")
        }
    }
}
