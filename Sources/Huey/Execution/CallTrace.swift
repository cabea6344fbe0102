import Tracing

/// The span of one call's run, through apple/swift-distributed-tracing.
///
/// A producer's current context (`ServiceContext.current`) travels in the message: at
/// enqueue, the bootstrapped instrument injects it into a `[String: String]` carrier kept
/// under `trace_context` (``Message/traceContext``). The worker starts one span per call,
/// kind `consumer`, named after the task, and **links** it to the producer's context
/// rather than making it the parent — as swift-jobs' `TracingJobMiddleware` does: a call
/// may run long after the request that queued it has ended, even on another day (a
/// schedule, retries), so it starts a trace of its own that points back to that request.
/// Its parent is the context current where it runs, if any (none in a worker).
///
/// Attributes, named as swift-jobs': `job.name` (the task), `job.id` (the call's id),
/// `job.attempt` (1, then one more per retry), `job.queue` (the Huey's name); a failure
/// records the error and sets the status to error, and `job.failed` is `true` when no
/// retry follows. The span covers the pre-execute hooks, the body and what the execution
/// decided, and ends once the ack's transaction committed (for a worker's batch, the
/// batch's commit). While it is open it is `ServiceContext.current`, so calls queued then
/// — by the body, a retry, the next pipeline stage, an `on_error` handler, a chord's
/// callback — carry the worker span's context.
///
/// With no tracer bootstrapped (`NoOpTracer`) nothing is started, bound or injected:
/// messages carry no `trace_context` key.
struct CallTrace {
    /// The call's span.
    let span: any Span

    /// Starts the span of `message`'s run on the queue `queue`; nil when no tracer is set.
    static func start(_ message: Message, queue: String) -> CallTrace? {
        // Nothing bootstrapped (the common case) is told by a cast to a concrete type, before
        // the tracer lookup, which searches the instrument by protocol conformance.
        if InstrumentationSystem.instrument is NoOpInstrument { return nil }
        let tracer = InstrumentationSystem.tracer
        if tracer is NoOpTracer { return nil }
        let span = tracer.startSpan(message.name, context: ServiceContext.current ?? .topLevel, ofKind: .consumer)
        if let carrier = message.traceContext {
            var producer = ServiceContext.topLevel
            InstrumentationSystem.instrument.extract(carrier, into: &producer, using: TraceCarrier())
            span.addLink(SpanLink(context: producer, attributes: [:]))
        }
        span.updateAttributes { attributes in
            attributes["job.name"] = message.name
            attributes["job.id"] = message.id
            attributes["job.attempt"] = message.attempt
            attributes["job.queue"] = queue
        }
        return CallTrace(span: span)
    }

    /// Runs `body` with the span's context as `ServiceContext.current`.
    /// - Throws: what `body` throws.
    func withContext<T>(_ body: () throws -> T) rethrows -> T {
        try ServiceContext.withValue(span.context, operation: body)
    }

    /// Records that the run failed with `error`; `final` when no retry follows.
    func failed(_ error: any Error, final: Bool) {
        span.recordError(error)
        span.setStatus(SpanStatus(code: .error))
        if final { span.attributes["job.failed"] = true }
    }

    /// Ends the span: after the ack committed, or when the ack failed with `error` (the
    /// claim then stays, to be recovered).
    func end(ackFailedWith error: (any Error)? = nil) {
        if let error {
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error))
        }
        span.end()
    }

    /// The carrier of the current context, to store in a message queued now; nil when there
    /// is no current context or the instrument injected nothing (no tracer bootstrapped).
    static func currentCarrier() -> [String: String]? {
        guard let context = ServiceContext.current else { return nil }
        var carrier: [String: String] = [:]
        InstrumentationSystem.instrument.inject(context, into: &carrier, using: TraceCarrier())
        return carrier.isEmpty ? nil : carrier
    }
}

/// Reads and writes a message's trace context (``Message/traceContext``) for an instrument.
struct TraceCarrier: Injector, Extractor {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
        carrier[key] = value
    }

    func extract(key: String, from carrier: [String: String]) -> String? {
        carrier[key]
    }
}
