import Foundation
import Logging

extension Huey {
    /// Runs one claimed call and acknowledges its claim — the one place that decides what
    /// happens to a task (DESIGN §5). Workers, immediate mode and tests reach it through a
    /// ``TaskRunner``, the one claim-execute loop.
    ///
    /// A message that does not decode, or names no registered task, is moved to the
    /// dead letters (and, for an unknown task, an error result is stored for its id).
    /// - Throws: ``StorageError`` when the storage fails; the claim then stays, to be
    ///   recovered later — the call is never lost.
    public func execute(_ claim: Claim, in storage: any Storage) throws {
        _ = try execute(claim, unrevoked: false, in: StorageCapabilities(storage), claimingNextFor: nil)
    }

    /// Runs, acks and maybe chains: with an `owner`, a ``ChainingStorage`` also claims the
    /// next call for `owner` in the ack's transaction, and that call is returned (the caller
    /// runs it next or releases it). `unrevoked` skips the revocation lookup (the claiming
    /// transaction found no revocation). `chainAfterBody` is asked once the body has run,
    /// before the ack: false claims nothing more (a worker past its memory cap).
    /// - Throws: ``StorageError``; the claim then stays, and nothing new is held.
    func execute(
        _ claim: Claim, unrevoked: Bool, in storage: StorageCapabilities, claimingNextFor owner: ClaimOwner?,
        chainAfterBody: () -> Bool = { true }
    ) throws -> NextCall? {
        let plan = try plan(for: claim, in: storage.storage, unrevoked: unrevoked)
        let chainFor = chainAfterBody() ? owner : nil
        // Not acked: recovered by someone else meanwhile; nothing was written.
        return try commit(plan, acking: claim, in: storage, claimingNextFor: chainFor).next
    }

    /// Decodes and runs the claimed call; returns what to write with its ack.
    func plan(for claim: Claim, in storage: any Storage, unrevoked: Bool) throws -> WritePlan {
        let now = clock()
        var plan = WritePlan(statistics: statisticsWindow > 0, buffered: true)
        let message: Message
        do {
            message = try decodeMessage(claim.data)
        } catch {
            logger.error("dead letter: \(error)")
            plan.bury(claim.data, reason: "\(error)")
            return plan
        }
        guard let task = registry.task(named: message.name) else {
            let failure = UnknownTaskError(name: message.name)
            logger.error("dead letter: \(failure) (call \(message.id))")
            plan.bury(claim.data, reason: failure.description)
            if results { plan.storeResult(try errorResult(for: message, error: failure), key: message.id) }
            plan.signal(.error, TaskCall(message: message), error: failure)
            return plan
        }
        try run(
            message, raw: claim.data, task: task, claim: claim, storage: storage, now: now, unrevoked: unrevoked,
            plan: &plan)
        return plan
    }

    /// Records that the call held by `claim` failed outside its body (its worker crashed
    /// or overran its timeout), applying the retry policy, and acknowledges the claim.
    /// - Parameter error: a ``WorkerCrashed`` or ``TaskTimeout``.
    /// - Throws: ``StorageError``.
    public func fail(_ claim: Claim, with error: any Error, in storage: any Storage) throws {
        var plan = WritePlan(statistics: statisticsWindow > 0)
        if let message = try? decodeMessage(claim.data) {
            let task = registry.task(named: message.name)
            plan.record(.crashed, task: message.name, now: clock().timeIntervalSince1970)
            _ = try failed(message, task: task, error: error, retryDelay: message.retryDelay, plan: &plan)
        } else {
            plan.bury(claim.data, reason: "undecodable; worker failed: \(error)")
        }
        _ = try commit(plan, acking: claim, in: StorageCapabilities(storage), claimingNextFor: nil)
    }

    /// Puts an interrupted call (consumer shutdown or restart) back in the queue without
    /// using a retry; emits `interrupted`.
    /// - Throws: ``StorageError``.
    public func interrupt(_ claim: Claim, in storage: any Storage) throws {
        try storage.release(claim)
        if let message = try? decodeMessage(claim.data) {
            emit(.interrupted, TaskCall(message: message))
        }
    }

    private func run(
        _ message: Message, raw: [UInt8], task: RegisteredTask, claim: Claim, storage: any Storage, now: Date,
        unrevoked: Bool, plan: inout WritePlan
    ) throws {
        let call = TaskCall(message: message)
        let timestamp = now.timeIntervalSince1970
        if let eta = message.eta, eta > timestamp {
            // Not due yet: back to the schedule as it is (signal scheduled).
            plan.add(OutgoingCall(data: raw, destination: .schedule(at: eta), signal: PendingSignal(.scheduled, call)))
            return
        }
        let revokeKeys = task.schedule == nil
            ? [Huey.revokeKey(message.id), Huey.taskRevokeKey(message.name)] : [Huey.taskRevokeKey(message.name)]
        if !unrevoked, try checkRevoked(keys: revokeKeys, consume: true) {
            logger.warning("task \(message.name) \(message.id) was revoked, not executing")
            plan.signal(.revoked, call)
            plan.record(.revoked, task: message.name, now: timestamp)
            try abortChordMember(message, value: .null, plan: &plan)
            return
        }
        if let expires = message.expiresResolved, expires < timestamp {
            logger.info("task \(message.name) \(message.id) expired, not executing")
            plan.signal(.expired, call)
            plan.record(.expired, task: message.name, now: timestamp)
            try abortChordMember(message, value: .null, plan: &plan)
            return
        }
        // As Huey: `executing` before the pre-execute hooks, and at once (nothing is written).
        emit(.executing, call)
        // The call's span (when a tracer is set), current until the ack: see ``CallTrace``.
        guard let trace = CallTrace.start(message, queue: name) else {
            try runBody(message, task: task, call: call, claim: claim, storage: storage, now: now, plan: &plan)
            return
        }
        plan.trace = trace
        do {
            try trace.withContext {
                try runBody(message, task: task, call: call, claim: claim, storage: storage, now: now, plan: &plan)
            }
        } catch {
            trace.end(ackFailedWith: error)  // nothing will be acked
            throw error
        }
    }

    /// The run itself, from the pre-execute hooks: the body, then what its outcome decides.
    private func runBody(
        _ message: Message, task: RegisteredTask, call: TaskCall, claim: Claim, storage: any Storage, now: Date,
        plan: inout WritePlan
    ) throws {
        let timestamp = now.timeIntervalSince1970
        do {
            try runPreExecuteHooks(call)
        } catch {
            plan.signal(.canceled, call)
            try abortChordMember(message, value: .null, plan: &plan)
            return
        }
        let deadline = message.timeout.flatMap { $0 > 0 ? now.addingTimeInterval($0) : nil }  // 0: none, as Huey
        if let deadline {
            try storage.setDeadline(claim, deadline: deadline.timeIntervalSince1970)
            plan.setDeadline = true
        }
        let context = TaskContext(message: message, huey: self, deadline: deadline)
        // Queue wait: from when it was queued or became due, whichever is later, to now.
        let due = max(message.enqueuedAt ?? -.infinity, message.eta ?? -.infinity)
        let wait = due.isFinite ? max(0, timestamp - due) : nil
        let started = ContinuousClock.now
        let value: JSONValue?
        do {
            value = try withTaskLock(task.options.lock, storage: storage) {
                let args = try KeywordArguments.bind(
                    task: message.name, names: task.options.argumentNames, args: message.args, kwargs: message.kwargs)
                return try task.body(context, args)
            }
        } catch {
            let ran = Self.seconds(since: started)
            plan.record(.failed, task: message.name, now: timestamp + ran, run: ran, wait: wait)
            let retried = try failed(message, task: task, error: error, retryDelay: context.retryDelay, plan: &plan)
            plan.trace?.failed(error, final: !retried)
            return
        }
        let ran = Self.seconds(since: started)
        plan.record(.completed, task: message.name, now: timestamp + ran, run: ran, wait: wait)
        logger.info("\(message.name) \(message.id) executed")
        try succeeded(message, task: task, value: value, plan: &plan)
    }

    /// Seconds elapsed since `start` on the monotonic clock.
    private static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = start.duration(to: .now).components
        return Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
    }

    private func withTaskLock<T>(_ name: String?, storage: any Storage, _ body: () throws -> T) throws -> T {
        guard let name else { return try body() }
        let lock = try storage.lock(named: name)
        guard try lock.tryAcquire() else { throw TaskLockedException(lockName: name) }
        defer { lock.release() }
        return try body()
    }

    /// Huey's rules for a call that returned: its result (a `nil` one only with
    /// `storeNone`), the post-execute hooks, `complete`, the next pipeline stage (given the
    /// value unless it is `nil`), the chord.
    private func succeeded(
        _ message: Message, task: RegisteredTask, value: JSONValue?, plan: inout WritePlan
    ) throws {
        let call = TaskCall(message: message)
        let returned = value == .null ? nil : value  // an Optional's nil is Huey's None
        if results && task.schedule == nil && (returned != nil || storeNone) {
            plan.storeResult(try MessageCodec.encode(.value(returned ?? .null)), key: message.id)
        }
        runPostExecuteHooks(call, value: returned, error: nil)
        plan.signal(.complete, call)
        if var next = message.completionCallback {
            if let returned { extend(&next, with: returned, spreads: task.spreadsResult) }
            plan.add(try outgoing(next, now: clock().timeIntervalSince1970))
        }
        if let chord = message.chordConfig {
            try reportToChord(chord, value: returned ?? .null, plan: &plan)
        }
    }
}
