import Foundation

/// The queue's counts at one moment, as the overview page, `/api/summary` and `/metrics`
/// show them.
public struct QueueSummary: Codable, Sendable, Equatable {
    /// The Huey's name (its queue).
    public var name: String
    /// Calls waiting in the queue.
    public var pending: Int
    /// Calls waiting for their eta.
    public var scheduled: Int
    /// Calls a worker has claimed and not yet finished.
    public var inFlight: Int
    /// Keys in the result store (results, and Huey's other stored keys such as revocations).
    public var results: Int
    /// Messages that could not be run.
    public var dead: Int
    /// The storage's size on this machine's disk; nil for Memory or Redis.
    public var diskBytes: Int?
    /// Whether the queue is paused (``Huey/pause()``): consumers take nothing from it.
    public var paused: Bool
    /// When the queue was paused (Unix seconds), if it is.
    public var pausedSince: Double?
    /// When the counts were read (Unix seconds, by the Huey's clock).
    public var time: Double

    /// Makes a value.
    public init(
        name: String, pending: Int, scheduled: Int, inFlight: Int, results: Int, dead: Int, diskBytes: Int?,
        paused: Bool = false, pausedSince: Double? = nil, time: Double
    ) {
        self.name = name
        self.pending = pending
        self.scheduled = scheduled
        self.inFlight = inFlight
        self.results = results
        self.dead = dead
        self.diskBytes = diskBytes
        self.paused = paused
        self.pausedSince = pausedSince
        self.time = time
    }
}

/// A queued or scheduled call.
public struct CallSummary: Codable, Sendable, Equatable {
    /// The call's id.
    public var id: String
    /// The task's name.
    public var name: String
    /// The arguments as JSON text.
    public var args: String
    /// Its priority, if set.
    public var priority: Double?
    /// Retries left.
    public var retries: Int
    /// When it is due (Unix seconds), for a scheduled call.
    public var eta: Double?

    /// Makes a value.
    public init(id: String, name: String, args: String, priority: Double?, retries: Int, eta: Double?) {
        self.id = id
        self.name = name
        self.args = args
        self.priority = priority
        self.retries = retries
        self.eta = eta
    }
}

/// A call a worker runs now: a claim.
public struct RunningCall: Codable, Sendable, Equatable {
    /// The call's id, when its message decodes.
    public var id: String?
    /// The task's name, when its message decodes.
    public var name: String?
    /// The worker's pid.
    public var pid: Int32
    /// The worker's machine.
    public var host: String
    /// When the worker took it (Unix seconds).
    public var claimedAt: Double
    /// How long it has run so far, in seconds.
    public var runningFor: Double
    /// When its timeout ends (Unix seconds), if it has one.
    public var deadline: Double?

    /// Makes a value.
    public init(id: String?, name: String?, pid: Int32, host: String, claimedAt: Double, runningFor: Double, deadline: Double?) {
        self.id = id
        self.name = name
        self.pid = pid
        self.host = host
        self.claimedAt = claimedAt
        self.runningFor = runningFor
        self.deadline = deadline
    }
}

/// A periodic task registered on the dashboard's Huey.
public struct PeriodicSummary: Codable, Sendable, Equatable {
    /// The task's name.
    public var name: String
    /// The next minute its schedule matches (Unix seconds), nil when none in the next
    /// ``DashboardReader/periodicHorizon`` seconds.
    public var nextRun: Double?
    /// Whether the whole task is revoked.
    public var revoked: Bool

    /// Makes a value.
    public init(name: String, nextRun: Double?, revoked: Bool) {
        self.name = name
        self.nextRun = nextRun
        self.revoked = revoked
    }
}

/// A call that failed for good: an error result in the result store.
public struct FailureSummary: Codable, Sendable, Equatable {
    /// The call's id.
    public var id: String
    /// The error's type name (e.g. `TaskTimeout`, `WorkerCrashed`, the task's own error).
    public var type: String
    /// The error text.
    public var error: String
    /// Retries that were left when it failed.
    public var retries: Int
    /// Where it failed, if recorded.
    public var traceback: String

    /// Makes a value.
    public init(id: String, type: String, error: String, retries: Int, traceback: String) {
        self.id = id
        self.type = type
        self.error = error
        self.retries = retries
        self.traceback = traceback
    }
}

/// A message that could not be run.
public struct DeadSummary: Codable, Sendable, Equatable {
    /// The storage's handle for the letter, for requeue and discard.
    public var letter: String
    /// When it was set aside (Unix seconds).
    public var timestamp: Double
    /// Why.
    public var reason: String
    /// The call's id and task name, when the message decodes.
    public var id: String?
    /// The task's name, when the message decodes.
    public var name: String?
    /// The message as text (cut to 500 characters).
    public var data: String

    /// Makes a value.
    public init(letter: String, timestamp: Double, reason: String, id: String?, name: String?, data: String) {
        self.letter = letter
        self.timestamp = timestamp
        self.reason = reason
        self.id = id
        self.name = name
        self.data = data
    }
}

/// Whether one call is revoked and what the result store holds for it.
public struct CallStatus: Codable, Sendable, Equatable {
    /// The call's id.
    public var id: String
    /// Whether consumers will skip it.
    public var revoked: Bool
    /// `"value"`, `"error"` or `"none"`: what the result store holds under the id.
    public var result: String

    /// Makes a value.
    public init(id: String, revoked: Bool, result: String) {
        self.id = id
        self.revoked = revoked
        self.result = result
    }
}

/// The answer to an action on one thing: a call (revoke, restore), a dead letter
/// (requeue, discard) or the queue (pause, resume).
public struct ActionOutcome: Codable, Sendable, Equatable {
    /// `"revoke"`, `"restore"`, `"requeue"`, `"discard"`, `"pause"` or `"resume"`.
    public var action: String
    /// The call's id, the dead letter's handle, or the queue's name.
    public var id: String
    /// Whether it changed anything (restore: whether the call was revoked; a dead-letter
    /// action: whether the letter was there; pause / resume: whether the queue was not
    /// already in that state).
    public var changed: Bool

    /// Makes a value.
    public init(action: String, id: String, changed: Bool) {
        self.action = action
        self.id = id
        self.changed = changed
    }
}

/// The answer to an action on every dead letter: the handles of those it moved or dropped.
public struct BulkOutcome: Codable, Sendable, Equatable {
    /// `"requeue"` or `"discard"`.
    public var action: String
    /// The letters acted on, oldest first.
    public var letters: [String]

    /// Makes a value.
    public init(action: String, letters: [String]) {
        self.action = action
        self.letters = letters
    }
}

/// One task's charts over the window: calls completed per minute, and the 95th percentile
/// of the run time per minute (a histogram bucket's upper bound, seconds; only minutes
/// in which a body ran, and never the unbounded last bucket).
public struct TaskChart: Codable, Sendable, Equatable {
    /// The task's name.
    public var name: String
    /// Completed calls per minute, one point at the start of every minute of the window.
    public var throughput: [ChartPoint]
    /// Run-time p95 (seconds) per minute in which a body ran.
    public var runP95: [ChartPoint]

    /// Makes a value.
    public init(name: String, throughput: [ChartPoint], runP95: [ChartPoint]) {
        self.name = name
        self.throughput = throughput
        self.runP95 = runP95
    }
}
