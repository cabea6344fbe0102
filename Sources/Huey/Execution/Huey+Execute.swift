import Foundation
import Logging
import Synchronization

/// What executing one call decided: the writes acknowledged with its claim, and the
/// chords to check once they are committed.
struct ExecutionPlan {
    var writes: [StorageWrite] = []
    var chords: [ChordConfig] = []
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
        let next = try acknowledge(claim, writes: plan.writes, in: storage, claimingNextFor: owner)
        do {
            for chord in plan.chords { try completeChordIfReady(chord, storage: storage) }
        } catch {
            if let next { _ = try? storage.release(next.claim) }
            throw error
        }
        return next
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
            emit(.error, TaskCall(message: message), error: failure)
            return plan
        }
        try run(
            message, raw: claim.data, task: task, claim: claim, storage: storage, now: now, unrevoked: unrevoked,
            plan: &plan)
        return plan
    }

    /// Acks `claim` with `writes`; with an `owner` and a ``ChainingStorage``, claims the
    /// next call in the same transaction (looking for revocations there too) and returns it.
    private func acknowledge(
        _ claim: Claim, writes: [StorageWrite], in storage: any Storage, claimingNextFor owner: ClaimOwner?
    ) throws -> NextCall? {
        guard let owner, let chaining = storage as? any ChainingStorage else {
            try storage.ack(claim, writes: writes)
            return nil
        }
        let outcome = try chaining.ack(
            claim, writes: writes, claimingNextFor: owner, now: clock().timeIntervalSince1970,
            lookingForPrefixes: Huey.revocationPrefixes)
        return outcome.next.map { NextCall(claim: $0, claimedUnrevoked: !outcome.foundPrefix) }
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
        try failed(
            message, task: task, error: error, retryDelay: message.retryDelay, now: clock(), plan: &plan)
        try storage.ack(claim, writes: plan.writes)
        for chord in plan.chords { try completeChordIfReady(chord, storage: storage) }
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
            emit(.scheduled, call)
            return
        }
        let revokeKeys = task.schedule == nil
            ? [Huey.revokeKey(message.id), Huey.taskRevokeKey(message.name)] : [Huey.taskRevokeKey(message.name)]
        if !unrevoked, try checkRevoked(keys: revokeKeys, consume: true) {
            logger.warning("task \(message.name) \(message.id) was revoked, not executing")
            emit(.revoked, call)
            abortChordMember(message, value: .null, plan: &plan)
            return
        }
        if let expires = message.expiresResolved, expires < timestamp {
            logger.info("task \(message.name) \(message.id) expired, not executing")
            emit(.expired, call)
            abortChordMember(message, value: .null, plan: &plan)
            return
        }
        do {
            try runPreExecuteHooks(call)
        } catch {
            emit(.canceled, call)
            abortChordMember(message, value: .null, plan: &plan)
            return
        }
        emit(.executing, call)
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
            try failed(message, task: task, error: error, retryDelay: context.retryDelay, now: now, plan: &plan)
            return
        }
        logger.info("\(message.name) \(message.id) executed")
        try succeeded(message, task: task, value: value, now: now, plan: &plan)
    }

    private func withTaskLock<T>(_ name: String?, storage: any Storage, _ body: () throws -> T) throws -> T {
        guard let name else { return try body() }
        let lock = try storage.lock(named: name)
        guard try lock.tryAcquire() else { throw TaskLockedException(lockName: name) }
        defer { lock.release() }
        return try body()
    }

    private func succeeded(
        _ message: Message, task: RegisteredTask, value: JSONValue?, now: Date, plan: inout ExecutionPlan
    ) throws {
        let call = TaskCall(message: message)
        if results && task.schedule == nil && (value != nil || storeNone) {
            plan.writes.append(.put(key: message.id, value: try MessageCodec.encode(.value(value ?? .null))))
        }
        runPostExecuteHooks(call, value: value, error: nil)
        emit(.complete, call)
        if var next = message.completionCallback {
            if let value { extend(&next, with: value, spreads: task.spreadsResult) }
            plan.writes.append(try prepare(next, now: now.timeIntervalSince1970))
        }
        if let chord = message.chordConfig {
            reportToChord(chord, value: value ?? .null, plan: &plan)
        }
    }

    /// Applies Huey's rules for a failed call: signals, retries with delay and backoff,
    /// the error result, the `on_error` handler and the chord.
    private func failed(
        _ original: Message, task: RegisteredTask?, error: any Error, retryDelay: Double, now: Date,
        plan: inout ExecutionPlan
    ) throws {
        var message = original
        let call = TaskCall(message: message)
        let timestamp = now.timeIntervalSince1970
        var retryAt: Double?
        switch error {
        case is TaskTimeout:
            logger.warning("task \(message.name) \(message.id) timed out")
            emit(.timeout, call, error: error)
        case let limited as RateLimitExceeded:
            if limited.retry || message.retries > 0 {
                retryAt = timestamp + (retryDelay > 0 ? retryDelay : limited.delay)
                if limited.retry { message.retries += 1 }
            }
            emit(.rateLimited, call, error: error)
        case is TaskLockedException:
            logger.warning("task \(message.name) \(message.id) not run: \(error)")
            emit(.locked, call, error: error)
        case let retry as RetryTask:
            message.retries += 1
            if let eta = retry.eta {
                retryAt = eta.timeIntervalSince1970
            } else if let delay = retry.delay {
                retryAt = timestamp + delay
            }
        case let cancel as CancelExecution:
            if cancel.retry == true || (cancel.retry == nil && message.retries > 0) {
                message.retries = max(message.retries, 1)
            } else {
                message.retries = 0
            }
            emit(.canceled, call, error: error)
        case is WorkerCrashed:
            logger.error("task \(message.name) \(message.id): \(error)")
            emit(.workerCrashed, call, error: error)
            emit(.error, call, error: error)
        default:
            logger.error("task \(message.name) \(message.id) failed: \(error)")
            emit(.error, call, error: error)
        }

        let final = message.retries <= 0
        let periodic = task?.schedule != nil
        var errorValue = JSONValue.null
        if final {
            let info = makeErrorInfo(for: message, error: error)
            errorValue = (try? JSONCodec.value(["__huey_error__": info])) ?? .null
            let encoded = try MessageCodec.encode(.error(info))
            if results && !periodic {
                var stage: Message? = message
                while let current = stage {
                    plan.writes.append(.put(key: current.id, value: encoded))
                    stage = current.completionCallback
                }
            }
        }
        runPostExecuteHooks(call, value: nil, error: error)
        if final {
            if var handler = message.errorCallback {
                handler.args.append(try JSONCodec.value(makeErrorInfo(for: message, error: error)))
                plan.writes.append(try prepare(handler, now: timestamp))
            }
            abortChordMember(message, value: errorValue, plan: &plan)
            return
        }
        emit(.retrying, call, error: error)
        message.retries -= 1
        if let retryAt {
            message.eta = retryAt
        } else if retryDelay > 0 {
            message.eta = timestamp + retryDelay
            message.retryDelay = retryDelay * (message.retryBackoff > 0 ? message.retryBackoff : 1)
        } else {
            message.eta = nil
        }
        logger.info("requeueing \(message.name) \(message.id), \(message.retries) retries left")
        plan.writes.append(try prepare(message, now: timestamp))
    }

    /// The error envelope stored for a failed call.
    func makeErrorInfo(for message: Message, error: any Error) -> ErrorInfo {
        let type = error.typeName
        return ErrorInfo(
            error: String(describing: error), retries: message.retries,
            traceback: "task \(message.name) (\(message.id)) failed with \(type): \(error)",
            taskID: message.id, type: type)
    }

    private func errorResult(for message: Message, error: any Error) throws -> [UInt8] {
        try MessageCodec.encode(.error(makeErrorInfo(for: message, error: error)))
    }
}
