import Foundation
import Logging

/// What executing one call decided: the writes acknowledged with its claim, and the
/// signals to send once they are committed (a chord's callback only if the ack queued it).
struct ExecutionPlan {
    var writes: [StorageWrite] = []
    var signals: [PendingSignal] = []
    var chordCallbacks: [(outcome: ChordOutcome, callback: TaskCall, scheduled: Bool)] = []

    /// Adds a prepared message (a retry, a callback) and its signal.
    mutating func add(_ prepared: PreparedCall) {
        writes.append(prepared.write)
        signals.append(prepared.signal)
    }

    /// Adds a signal to send after the commit.
    mutating func signal(_ signal: HueySignal, _ call: TaskCall, error: (any Error)? = nil) {
        signals.append(PendingSignal(signal, call, error: error))
    }
}

extension Huey {
    /// Runs one claimed call and acknowledges its claim — the one place that decides what
    /// happens to a task (DESIGN §5), used by workers and by immediate mode.
    ///
    /// A message that does not decode, or names no registered task, is moved to the
    /// dead letters (and, for an unknown task, an error result is stored for its id).
    /// - Throws: ``StorageError`` when the storage fails; the claim then stays, to be
    ///   recovered later — the call is never lost.
    public func execute(_ claim: Claim, in storage: any Storage) throws {
        _ = try execute(claim, in: storage, unrevoked: false, claimingNextFor: nil)
    }

    /// Runs one claimed call and acknowledges its claim, as ``execute(_:in:)``; with an
    /// `owner`, a ``ChainingStorage`` also claims the next call for `owner` in the same
    /// transaction as the ack, and that call is returned. The caller must run the returned
    /// call next, or ``Storage/release(_:)`` its claim.
    /// - Parameters:
    ///   - claim: The call to run.
    ///   - storage: Where it was claimed.
    ///   - owner: Who owns the next claim; `nil` claims nothing (the worker is stopping).
    /// - Returns: The next call, claimed; `nil` when none was claimed (no `owner`, a storage
    ///   that cannot chain, or an empty queue).
    /// - Throws: ``StorageError`` when the storage fails; the claim then stays, to be
    ///   recovered later, and nothing new is held.
    public func execute(_ claim: Claim, in storage: any Storage, claimingNextFor owner: ClaimOwner?) throws
        -> NextCall?
    {
        try execute(claim, in: storage, unrevoked: false, claimingNextFor: owner)
    }

    /// Runs a call claimed by the previous call's ack, as ``execute(_:in:claimingNextFor:)``.
    /// - Throws: ``StorageError``, as ``execute(_:in:claimingNextFor:)``.
    public func execute(_ call: NextCall, in storage: any Storage, claimingNextFor owner: ClaimOwner?) throws
        -> NextCall?
    {
        try execute(call.claim, in: storage, unrevoked: call.claimedUnrevoked, claimingNextFor: owner)
    }

    /// Runs, acks and maybe chains; `unrevoked` skips the revocation lookup (the claim's
    /// transaction found no revocation).
    private func execute(_ claim: Claim, in storage: any Storage, unrevoked: Bool, claimingNextFor owner: ClaimOwner?)
        throws -> NextCall?
    {
        let plan = try plan(for: claim, in: storage, unrevoked: unrevoked)
        let (acked, next) = try acknowledge(claim, writes: plan.writes, in: storage, claimingNextFor: owner)
        guard acked else { return next }  // recovered by someone else meanwhile: nothing was written
        emitSignals(of: plan)
        return next
    }

    /// Sends the signals of a committed plan, in order, then the chord callback's.
    private func emitSignals(of plan: ExecutionPlan) {
        for signal in plan.signals { emit(signal) }
        for chord in plan.chordCallbacks where chord.outcome.completed {
            emit(chord.scheduled ? .scheduled : .enqueued, chord.callback)
        }
    }

    /// Decodes and runs the claimed call; returns what to write with its ack.
    private func plan(for claim: Claim, in storage: any Storage, unrevoked: Bool) throws -> ExecutionPlan {
        let now = clock()
        var plan = ExecutionPlan()
        let message: Message
        do {
            message = try decodeMessage(claim.data)
        } catch {
            logger.error("dead letter: \(error)")
            plan.writes = [.dead(data: claim.data, reason: "\(error)")]
            return plan
        }
        guard let task = registry.task(named: message.name) else {
            let failure = UnknownTaskError(name: message.name)
            logger.error("dead letter: \(failure) (call \(message.id))")
            plan.writes = [.dead(data: claim.data, reason: failure.description)]
            if results {
                plan.writes.append(.put(key: message.id, value: try errorResult(for: message, error: failure)))
            }
            plan.signal(.error, TaskCall(message: message), error: failure)
            return plan
        }
        try run(
            message, raw: claim.data, task: task, claim: claim, storage: storage, now: now, unrevoked: unrevoked,
            plan: &plan)
        return plan
    }

    /// Acks `claim` with `writes`; with an `owner` and a ``ChainingStorage``, claims the
    /// next call in the same transaction (looking for revocations there too) and returns it.
    /// `acked` is false when the claim was gone (recovered by someone else): nothing was written.
    private func acknowledge(
        _ claim: Claim, writes: [StorageWrite], in storage: any Storage, claimingNextFor owner: ClaimOwner?
    ) throws -> (acked: Bool, next: NextCall?) {
        guard let owner, let chaining = storage as? any ChainingStorage else {
            return (try storage.ack(claim, writes: writes), nil)
        }
        let outcome = try chaining.ack(
            claim, writes: writes, claimingNextFor: owner, now: clock().timeIntervalSince1970,
            lookingForPrefixes: Huey.revocationPrefixes)
        return (outcome.acked, outcome.next.map { NextCall(claim: $0, claimedUnrevoked: !outcome.foundPrefix) })
    }

    /// Records that the call held by `claim` failed outside its body (its worker crashed
    /// or overran its timeout), applying the retry policy, and acknowledges the claim.
    /// - Parameter error: a ``WorkerCrashed`` or ``TaskTimeout``.
    /// - Throws: ``StorageError``.
    public func fail(_ claim: Claim, with error: any Error, in storage: any Storage) throws {
        guard let message = try? decodeMessage(claim.data) else {
            try storage.ack(claim, writes: [.dead(data: claim.data, reason: "undecodable; worker failed: \(error)")])
            return
        }
        var plan = ExecutionPlan()
        let task = registry.task(named: message.name)
        try failed(message, task: task, error: error, retryDelay: message.retryDelay, plan: &plan)
        guard try storage.ack(claim, writes: plan.writes) else { return }
        emitSignals(of: plan)
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
        unrevoked: Bool, plan: inout ExecutionPlan
    ) throws {
        let call = TaskCall(message: message)
        let timestamp = now.timeIntervalSince1970
        if let eta = message.eta, eta > timestamp {
            plan.writes.append(.schedule(data: raw, timestamp: eta))
            plan.signal(.scheduled, call)
            return
        }
        let revokeKeys = task.schedule == nil
            ? [Huey.revokeKey(message.id), Huey.taskRevokeKey(message.name)] : [Huey.taskRevokeKey(message.name)]
        if !unrevoked, try checkRevoked(keys: revokeKeys, consume: true) {
            logger.warning("task \(message.name) \(message.id) was revoked, not executing")
            plan.signal(.revoked, call)
            try abortChordMember(message, value: .null, plan: &plan)
            return
        }
        if let expires = message.expiresResolved, expires < timestamp {
            logger.info("task \(message.name) \(message.id) expired, not executing")
            plan.signal(.expired, call)
            try abortChordMember(message, value: .null, plan: &plan)
            return
        }
        // As Huey: `executing` before the pre-execute hooks, and at once (nothing is written).
        emit(.executing, call)
        do {
            try runPreExecuteHooks(call)
        } catch {
            plan.signal(.canceled, call)
            try abortChordMember(message, value: .null, plan: &plan)
            return
        }
        let deadline = message.timeout.flatMap { $0 > 0 ? now.addingTimeInterval($0) : nil }  // 0: none, as Huey
        if let deadline { try storage.setDeadline(claim, deadline: deadline.timeIntervalSince1970) }
        let context = TaskContext(message: message, huey: self, deadline: deadline)
        let value: JSONValue?
        do {
            value = try withTaskLock(task.options.lock, storage: storage) {
                let args = try KeywordArguments.bind(
                    task: message.name, names: task.options.argumentNames, args: message.args, kwargs: message.kwargs)
                return try task.body(context, args)
            }
        } catch {
            try failed(message, task: task, error: error, retryDelay: context.retryDelay, plan: &plan)
            return
        }
        logger.info("\(message.name) \(message.id) executed")
        try succeeded(message, task: task, value: value, plan: &plan)
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
        _ message: Message, task: RegisteredTask, value: JSONValue?, plan: inout ExecutionPlan
    ) throws {
        let call = TaskCall(message: message)
        let returned = value == .null ? nil : value  // an Optional's nil is Huey's None
        if results && task.schedule == nil && (returned != nil || storeNone) {
            plan.writes.append(.put(key: message.id, value: try MessageCodec.encode(.value(returned ?? .null))))
        }
        runPostExecuteHooks(call, value: returned, error: nil)
        plan.signal(.complete, call)
        if var next = message.completionCallback {
            if let returned { extend(&next, with: returned, spreads: task.spreadsResult) }
            plan.add(try prepare(next, now: clock().timeIntervalSince1970))
        }
        if let chord = message.chordConfig {
            try reportToChord(chord, value: returned ?? .null, plan: &plan)
        }
    }
}
