import Foundation

/// A call on its way into the storage — one a producer enqueues, or one an execution
/// decided (a retry, the next pipeline stage, an `on_error` handler): its message bytes,
/// where it goes, and the signal to send once it is written.
struct OutgoingCall {
    /// Where an outgoing call goes.
    enum Destination {
        /// The queue, now, with this priority.
        case queue(priority: Double)
        /// The schedule, due at this time (Unix seconds).
        case schedule(at: Double)
    }

    /// The encoded (and signed) message.
    let data: [UInt8]
    /// The queue or the schedule.
    let destination: Destination
    /// `enqueued` or `scheduled`, sent once the write is committed.
    let signal: PendingSignal

    /// The storage write that puts it in place.
    var write: StorageWrite {
        switch destination {
        case .queue(let priority): return .enqueue(data: data, priority: priority)
        case .schedule(let timestamp): return .schedule(data: data, timestamp: timestamp)
        }
    }
}

extension Huey {
    /// Makes `message` ready to be written: resolves its expiry (again, as Huey does each
    /// time a call is enqueued: a retry, a callback, a rescheduled copy), stamps the current
    /// trace context, encodes it,
    /// checks its size, and says where it goes and what to signal once it is written.
    /// - Throws: ``CodecError`` when it cannot be encoded or is too large.
    func outgoing(_ message: Message, now: Double? = nil) throws -> OutgoingCall {
        var message = message
        let now = now ?? clock().timeIntervalSince1970
        if let expires = message.expires {
            message.expiresResolved = expires.resolved(enqueuedAt: now)
        }
        message.enqueuedAt = now  // for the statistics' queue wait
        // The current trace context, when a tracer injects one (a worker's own span while it
        // runs a call); otherwise the message keeps the context it came with (``CallTrace``).
        if let carrier = CallTrace.currentCarrier() { message.traceContext = carrier }

        let data = try encodeMessage(message)
        let limit = maxMessageSize
        guard data.count <= limit else {
            throw CodecError(
                code: .tooLarge,
                message: "message for task \(message.name) is \(data.count) bytes; the limit is \(limit)")
        }
        let call = TaskCall(message: message)
        if let eta = message.eta, eta > now {
            return OutgoingCall(data: data, destination: .schedule(at: eta), signal: PendingSignal(.scheduled, call))
        }
        return OutgoingCall(
            data: data, destination: .queue(priority: message.priority ?? 0), signal: PendingSignal(.enqueued, call))
    }
}
