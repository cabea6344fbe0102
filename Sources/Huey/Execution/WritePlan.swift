import Foundation

/// Everything an execution decided after the task body, committed by the storage in the
/// one transaction that acknowledges the claim, then announced: the results to store, the
/// calls to queue or schedule (a retry, the next pipeline stage, an `on_error` handler),
/// a dead letter, the chord's member value and completion, and the signals to send once
/// all of that is committed (a chord's callback's only if the commit queued it).
struct WritePlan {
    /// Results to store, by key: the call's value or error, and later stages' errors.
    private(set) var results: [(key: String, value: [UInt8])] = []
    /// Calls to queue or schedule, in order.
    private(set) var calls: [OutgoingCall] = []
    /// A message that cannot run, kept with the reason.
    private(set) var deadLetter: (data: [UInt8], reason: String)?
    /// The chord member values this call reports (stored before any completion).
    private(set) var chordValues: [(key: String, value: [UInt8])] = []
    /// Chord completions to try once every other write is applied.
    private(set) var chordCompletions: [(completion: ChordCompletion, callback: TaskCall, scheduled: Bool)] = []
    /// Signals to send after the commit, in order.
    private(set) var signals: [PendingSignal] = []
    /// Whether the call's claim was given a deadline (its task has a timeout): a batch
    /// commits it at once, so the master never sees a finished call as overrunning.
    var setDeadline = false
    /// Whether this call's statistics are recorded (``Huey/statisticsWindow`` > 0).
    let keepsStatistics: Bool
    /// Whether they go through the process's ``StatsBuffer`` (a worker's calls) rather
    /// than straight into this ack (the master's recovery).
    let buffered: Bool
    /// This call's counts and times, written with the ack (``StorageWrite/tally(_:)``) when
    /// statistics are kept, and sent to swift-metrics after the commit.
    private(set) var tally: StatsTally?
    /// How long the body ran and the call waited, in seconds, when known (for the timers).
    private(set) var runSeconds: Double?
    private(set) var waitSeconds: Double?
    /// The call's span when a tracer is set, ended once the ack is committed (``CallTrace``).
    var trace: CallTrace?

    /// An empty plan; with `statistics`, the counts of ``record(_:task:now:run:wait:)`` are
    /// written with the ack.
    init(statistics: Bool = false, buffered: Bool = false) {
        keepsStatistics = statistics
        self.buffered = buffered
    }

    /// Counts `outcome` for `task` in the minute of `now`, with the body's run time and the
    /// call's queue wait (seconds) when known.
    mutating func record(_ outcome: TaskOutcome, task: String, now: Double, run: Double? = nil, wait: Double? = nil) {
        if let run { runSeconds = run }
        if let wait { waitSeconds = wait }
        var tally = self.tally ?? StatsTally(minute: StatsTally.minute(of: now), task: task, counters: TaskCounters())
        tally.counters.count(outcome)
        if let run { tally.counters.recordRunTime(run) }
        if let wait { tally.counters.recordWaitTime(wait) }
        self.tally = tally
    }

    /// Stores `value` as the result under `key`.
    mutating func storeResult(_ value: [UInt8], key: String) { results.append((key, value)) }

    /// Queues or schedules `call`, and sends its `enqueued`/`scheduled` signal after the commit.
    mutating func add(_ call: OutgoingCall) {
        calls.append(call)
        signals.append(call.signal)
    }

    /// Keeps the claimed message as a dead letter instead of running it.
    mutating func bury(_ data: [UInt8], reason: String) { deadLetter = (data, reason) }

    /// Stores a chord member's value and completes the chord if it was the last one.
    mutating func reportToChord(
        value: [UInt8], key: String, completion: ChordCompletion, callback: TaskCall, scheduled: Bool
    ) {
        chordValues.append((key, value))
        chordCompletions.append((completion, callback, scheduled))
    }

    /// Sends `signal` about `call` after the commit.
    mutating func signal(_ signal: HueySignal, _ call: TaskCall, error: (any Error)? = nil) {
        signals.append(PendingSignal(signal, call, error: error))
    }

    /// The writes the storage applies with the ack, in the order it must apply them:
    /// completions last, so they see the member values and every other write.
    var writes: [StorageWrite] {
        var writes: [StorageWrite] = results.map { .put(key: $0.key, value: $0.value) }
        writes += chordValues.map { .put(key: $0.key, value: $0.value) }
        writes += calls.map(\.write)
        if let deadLetter { writes.append(.dead(data: deadLetter.data, reason: deadLetter.reason)) }
        writes += chordCompletions.map { .completeChord($0.completion) }
        if keepsStatistics, !buffered, let tally { writes.append(.tally(tally)) }
        return writes
    }

    /// The signals to send once the plan is committed: the plan's own in order, then each
    /// chord callback's that the commit queued or scheduled.
    var signalsAfterCommit: [PendingSignal] {
        signals + chordCompletions.filter { $0.completion.outcome.completed }.map {
            PendingSignal($0.scheduled ? .scheduled : .enqueued, $0.callback)
        }
    }
}

extension Huey {
    /// Commits `plan` in the transaction that acknowledges `claim`; with an `owner` and a
    /// ``ChainingStorage``, claims the next call in that same transaction (looking for
    /// revocations there too) and returns it. Sends the plan's signals once committed.
    /// `acked` is false when the claim was gone (recovered by someone else): nothing was
    /// written, nothing is signalled.
    /// - Throws: ``StorageError``; then nothing was written and the claim stays.
    func commit(
        _ plan: WritePlan, acking claim: Claim, in storage: StorageCapabilities, claimingNextFor owner: ClaimOwner?
    ) throws -> (acked: Bool, next: NextCall?) {
        var writes = plan.writes
        // A worker's counts: with this ack only when a write of its buffer is due.
        let buffered = plan.keepsStatistics && plan.buffered ? plan.tally : nil
        let taken = buffered == nil ? nil : statsBuffer.take()
        if let buffered, let taken { writes += (taken + [buffered]).map { .tally($0) } }
        let acked: Bool
        let next: NextCall?
        do {
            if let owner, let chaining = storage.chaining {
                let outcome = try chaining.ack(
                    claim, writes: writes, claimingNextFor: owner, now: clock().timeIntervalSince1970,
                    lookingForPrefixes: Huey.revocationPrefixes)
                acked = outcome.acked
                next = outcome.next.map { NextCall(claim: $0, claimedUnrevoked: !outcome.foundPrefix) }
            } else {
                acked = try storage.storage.ack(claim, writes: writes)
                next = nil
            }
        } catch {
            if let taken { statsBuffer.add(taken) }
            plan.trace?.end(ackFailedWith: error)
            throw error
        }
        if let taken, !acked { statsBuffer.add(taken) }
        if let buffered, taken == nil, acked { statsBuffer.add(buffered) }
        announce(plan, acked: acked)
        return (acked, next)
    }

    /// After the commit of `plan`'s ack: its signals and metrics when `acked` (nothing was
    /// written otherwise), and the end of its span either way.
    func announce(_ plan: WritePlan, acked: Bool) {
        if acked {
            for signal in plan.signalsAfterCommit { emit(signal) }
            emitMetrics(of: plan)
        }
        plan.trace?.end()
    }

    /// Sends a committed plan's counts and times to swift-metrics (see ``CallMetrics``).
    func emitMetrics(of plan: WritePlan) {
        if let tally = plan.tally {
            CallMetrics(queue: name, factory: metricsFactory).emit(tally, run: plan.runSeconds, wait: plan.waitSeconds)
        }
    }
}
