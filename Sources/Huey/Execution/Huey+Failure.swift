import Foundation
import Logging

extension Huey {
    /// Applies Huey's rules (its `_execute`) for a failed call: signals, the error result,
    /// the `on_error` handler, retries with delay and backoff, the chord.
    ///
    /// As Huey with `store_intermediate_errors` (``storeIntermediateErrors``, on by default),
    /// an attempt that fails with retries left still stores its error result and enqueues
    /// `on_error` — except a refusal that only asks to run again later (``RetryTask``,
    /// ``RateLimitExceeded``, ``TaskLockedException``), which is surfaced only when no retry
    /// is left. A retry's delay counts from now, the end of the failed run. Returns whether
    /// a retry was queued; the retry is the call's next ``Message/attempt``.
    @discardableResult
    func failed(
        _ original: Message, task: RegisteredTask?, error: any Error, retryDelay: Double, plan: inout WritePlan
    ) throws -> Bool {
        var message = original
        let call = TaskCall(message: message)
        let timestamp = clock().timeIntervalSince1970
        var retryAt: Double?
        switch error {
        case is TaskTimeout:
            logger.warning("task \(message.name) \(message.id) timed out")
            plan.signal(.timeout, call, error: error)
        case let limited as RateLimitExceeded:
            if limited.retry || message.retries > 0 {
                retryAt = timestamp + (retryDelay > 0 ? retryDelay : limited.delay)
                if limited.retry { message.retries += 1 }
            }
            plan.signal(.rateLimited, call, error: error)
        case is TaskLockedException:
            logger.warning("task \(message.name) \(message.id) not run: \(error)")
            plan.signal(.locked, call, error: error)
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
            plan.signal(.canceled, call, error: error)
        case is WorkerCrashed:
            logger.error("task \(message.name) \(message.id): \(error)")
            plan.signal(.workerCrashed, call, error: error)
            plan.signal(.error, call, error: error)
        default:
            logger.error("task \(message.name) \(message.id) failed: \(error)")
            plan.signal(.error, call, error: error)
        }

        let final = message.retries <= 0
        let asksToRunLater = error is RetryTask || error is RateLimitExceeded || error is TaskLockedException
        let surface = final || (storeIntermediateErrors && !asksToRunLater)
        let info = makeErrorInfo(for: message, error: error)
        var errorValue = JSONValue.null
        if surface {
            errorValue = (try? JSONCodec.value(["__huey_error__": info])) ?? .null
            if results && task?.schedule == nil {
                let encoded = try MessageCodec.encode(.error(info))
                // A final failure stops the pipeline: every later stage gets the error too.
                var stage: Message? = message
                while let current = stage {
                    plan.storeResult(encoded, key: current.id)
                    stage = final ? current.completionCallback : nil
                }
            }
        }
        runPostExecuteHooks(call, value: nil, error: error)
        if surface, var handler = message.errorCallback {
            handler.args.append(try JSONCodec.value(info))
            plan.add(try outgoing(handler, now: timestamp))
        }
        if final {
            try abortChordMember(message, value: errorValue, plan: &plan)
            return false
        }
        plan.signal(.retrying, call, error: error)
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
        plan.record(.retried, task: message.name, now: timestamp)
        message.attempt += 1
        plan.add(try outgoing(message, now: timestamp))
        return true
    }

    /// The error envelope stored for a failed call. A ``TaskException`` the body let through
    /// (it read a failed call's result) is stored as that inner error, as Huey does.
    func makeErrorInfo(for message: Message, error: any Error) -> ErrorInfo {
        let text: String
        let type: String
        if let inner = error as? TaskException {
            text = inner.error
            type = inner.type
        } else {
            text = String(describing: error)
            type = error.typeName
        }
        return ErrorInfo(
            error: text, retries: message.retries,
            traceback: "task \(message.name) (\(message.id)) failed with \(type): \(text)",
            taskID: message.id, type: type)
    }

    /// The encoded error envelope for `message`.
    func errorResult(for message: Message, error: any Error) throws -> [UInt8] {
        try MessageCodec.encode(.error(makeErrorInfo(for: message, error: error)))
    }
}
