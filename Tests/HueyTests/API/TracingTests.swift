import Foundation
import Huey
import InMemoryTracing
import Synchronization
import Testing
import Tracing

/// swift-distributed-tracing: the producer's context travels in the message, the worker
/// starts a span per call linked to it (see `CallTrace`). Each test binds its own
/// in-memory tracer with `withTracer` (task-local), and runs calls through ``TaskRunner``,
/// the loop workers run, outside the producer's span — as a worker would.
@Suite("Tracing")
struct TracingTests {
    /// The trace and span ids of a context the in-memory tracer made.
    static func ids(_ context: ServiceContext) -> InMemorySpanContext? { context.inMemorySpanContext }

    /// The messages queued now, decoded.
    static func queued(_ huey: Huey) throws -> [Message] {
        try huey.storage.enqueuedItems(limit: nil).map { try MessageCodec.decode($0) }
    }

    @Test("the worker's span is linked to the producer's, with the call's attributes")
    func producerToWorker() throws {
        let tracer = InMemoryTracer()
        let huey = MemoryHuey(name: "traced")
        let add = huey.task("tests.add") { (a: Int, b: Int) in a + b }
        try withTracer(tracer) {
            let result = try withSpan("request", ofKind: .server) { _ in try add(1, 2) }
            let producer = try #require(tracer.finishedSpans.first { $0.operationName == "request" })
            let message = try #require(try Self.queued(huey).first)
            #expect(message.traceContext?[InMemoryTracer.traceIDKey] == producer.traceID)
            #expect(message.traceContext?[InMemoryTracer.spanIDKey] == producer.spanID)

            var runner = TaskRunner(huey: huey)
            #expect(try runner.runUntilEmpty() == 1)
            #expect(try result() == 3)
            let worker = try #require(tracer.finishedSpans.first { $0.operationName == "tests.add" })
            #expect(worker.kind == .consumer)
            #expect(worker.parentSpanID == nil)  // a trace of its own…
            #expect(worker.traceID != producer.traceID)
            #expect(worker.links.count == 1)  // …linked to the producer's span
            let link = try #require(Self.ids(worker.links[0].context))
            #expect(link.traceID == producer.traceID)
            #expect(link.spanID == producer.spanID)
            #expect(worker.attributes.get("job.name") == .string("tests.add"))
            #expect(worker.attributes.get("job.id") == .string(result.id))
            #expect(worker.attributes.get("job.attempt") == .int64(1))
            #expect(worker.attributes.get("job.queue") == .string("traced"))
            #expect(worker.attributes.get("job.failed") == nil)
            #expect(worker.attributes.count == 4)
            #expect(worker.errors.isEmpty)
            #expect(worker.status == nil)
        }
    }

    @Test("a failing call records the error; its retry carries the failed run's context and the next attempt")
    func failureAndRetry() throws {
        struct Flaky: Error {}
        let tracer = InMemoryTracer()
        let huey = MemoryHuey(name: "retrying")
        let attempts = Mutex(0)
        let flaky = huey.task("tests.flaky", retries: 1) { () throws -> Int in
            let attempt = attempts.withLock { $0 += 1; return $0 }
            if attempt == 1 { throw Flaky() }
            return attempt
        }
        try withTracer(tracer) {
            let result = try withSpan("request") { _ in try flaky() }
            var runner = TaskRunner(huey: huey)
            #expect(try runner.runNext())  // the first attempt fails and queues a retry
            let first = try #require(tracer.finishedSpans.first { $0.operationName == "tests.flaky" })
            #expect(first.errors.count == 1)
            #expect(first.errors.first?.error is Flaky)
            #expect(first.status?.code == .error)
            #expect(first.attributes.get("job.failed") == nil)  // a retry follows
            let retry = try #require(try Self.queued(huey).first)
            #expect(retry.attempt == 2)
            #expect(retry.traceContext?[InMemoryTracer.spanIDKey] == first.spanID)

            #expect(try runner.runNext())
            #expect(try result() == 2)
            let spans = tracer.finishedSpans.filter { $0.operationName == "tests.flaky" }
            #expect(spans.count == 2)
            let second = spans[1]
            #expect(second.attributes.get("job.attempt") == .int64(2))
            #expect(second.attributes.get("job.id") == .string(result.id))
            #expect(second.errors.isEmpty)
            #expect(Self.ids(second.links[0].context)?.spanID == first.spanID)
            #expect(Self.ids(second.links[0].context)?.traceID == first.traceID)
        }
    }

    @Test("a failure with no retry left marks the span job.failed")
    func finalFailure() throws {
        struct Broken: Error {}
        let tracer = InMemoryTracer()
        let huey = MemoryHuey(name: "failing")
        let broken = huey.task("tests.broken") { () throws -> Int in throw Broken() }
        try withTracer(tracer) {
            _ = try broken()
            var runner = TaskRunner(huey: huey)
            #expect(try runner.runUntilEmpty() == 1)
            let span = try #require(tracer.finishedSpans.first { $0.operationName == "tests.broken" })
            #expect(span.attributes.get("job.failed") == .bool(true))
            #expect(span.errors.count == 1)
            #expect(span.links.isEmpty)  // queued outside any span: nothing to link to
        }
    }

    @Test("each pipeline stage is linked to the span of the stage that queued it")
    func pipeline() throws {
        let tracer = InMemoryTracer()
        let huey = MemoryHuey(name: "pipeline")
        let add = huey.task("tests.add") { (a: Int, b: Int) in a + b }
        try withTracer(tracer) {
            let stages = try withSpan("request") { _ in try huey.enqueue(add.s(1, 2).then(add, 3).then(add, 4)) }
            var runner = TaskRunner(huey: huey)
            #expect(try runner.runUntilEmpty() == 3)
            #expect(try stages.get(blocking: false).map { $0.intValue } == [3, 6, 10])
            let request = try #require(tracer.finishedSpans.first { $0.operationName == "request" })
            let runs = tracer.finishedSpans.filter { $0.operationName == "tests.add" }
            #expect(runs.count == 3)
            #expect(Self.ids(runs[0].links[0].context)?.spanID == request.spanID)
            #expect(Self.ids(runs[1].links[0].context)?.spanID == runs[0].spanID)
            #expect(Self.ids(runs[2].links[0].context)?.spanID == runs[1].spanID)
        }
    }

    @Test("calls a body queues carry the worker span's context; spans it starts are its children")
    func nestedInBody() throws {
        let tracer = InMemoryTracer()
        let huey = MemoryHuey(name: "nested")
        let leaf = huey.task("tests.leaf") { (n: Int) in n }
        let fan = huey.task("tests.fan") { (n: Int) throws -> Int in
            try withSpan("inside") { _ in _ = try leaf(n) }
            return n
        }
        try withTracer(tracer) {
            _ = try fan(7)
            var runner = TaskRunner(huey: huey)
            #expect(try runner.runUntilEmpty() == 2)
            let outer = try #require(tracer.finishedSpans.first { $0.operationName == "tests.fan" })
            let inside = try #require(tracer.finishedSpans.first { $0.operationName == "inside" })
            let child = try #require(tracer.finishedSpans.first { $0.operationName == "tests.leaf" })
            #expect(inside.parentSpanID == outer.spanID)
            #expect(inside.traceID == outer.traceID)
            #expect(Self.ids(child.links[0].context)?.spanID == inside.spanID)
        }
    }

    @Test("the span ends after the ack's commit: it is still open when the complete signal is sent")
    func endsAfterCommit() throws {
        let tracer = InMemoryTracer()
        let huey = MemoryHuey(name: "ending")
        let add = huey.task("tests.add") { (a: Int, b: Int) in a + b }
        let seen = Mutex<(open: Int, finished: Int, stored: Int?)?>(nil)
        huey.signal(.complete) { _, call, _ in
            let stored = try? huey.result(id: call.id, as: Int.self, preserve: true)
            seen.withLock { $0 = (tracer.activeSpans.count, tracer.finishedSpans.count, stored) }
        }
        try withTracer(tracer) {
            _ = try add(2, 2)
            var runner = TaskRunner(huey: huey)
            #expect(try runner.runUntilEmpty() == 1)
        }
        let observed = try #require(seen.withLock { $0 })
        #expect(observed.stored == 4)  // the commit happened…
        #expect(observed.open == 1)  // …and the span was still open
        #expect(observed.finished == 0)
        #expect(tracer.activeSpans.isEmpty)
        #expect(tracer.finishedSpans.count == 1)
    }

    @Test("a worker's batch ends each call's span at the batch's commit, on SQLite")
    func batchOnSqlite() throws {
        let place = try ScratchDirectory()
        let tracer = InMemoryTracer()
        let huey = try SqliteHuey(name: "batch", filename: place.file("batch.db"))
        let add = huey.task("tests.add") { (a: Int, b: Int) in a + b }
        try withTracer(tracer) {
            let results = try withSpan("request") { _ in try (0..<5).map { try add($0, 1) } }
            var runner = TaskRunner(huey: huey)
            var ran = 0
            while try runner.runNext(chaining: true) { ran += 1 }
            #expect(ran == 5)
            let request = try #require(tracer.finishedSpans.first { $0.operationName == "request" })
            let runs = tracer.finishedSpans.filter { $0.operationName == "tests.add" }
            #expect(Set(runs.compactMap { span -> String? in
                if case .string(let id) = span.attributes.get("job.id") { return id }
                return nil
            }) == Set(results.map(\.id)))
            #expect(runs.allSatisfy { Self.ids($0.links[0].context)?.traceID == request.traceID })
            #expect(tracer.activeSpans.isEmpty)
        }
    }

    @Test("immediate mode runs the call inside the producer's span: child and linked")
    func immediate() throws {
        let tracer = InMemoryTracer()
        let huey = MemoryHuey(name: "immediate")
        huey.immediate = true
        let add = huey.task("tests.add") { (a: Int, b: Int) in a + b }
        try withTracer(tracer) {
            let result = try withSpan("request") { _ in try add(5, 6) }
            #expect(try result() == 11)
            let request = try #require(tracer.finishedSpans.first { $0.operationName == "request" })
            let run = try #require(tracer.finishedSpans.first { $0.operationName == "tests.add" })
            #expect(run.parentSpanID == request.spanID)
            #expect(Self.ids(run.links[0].context)?.spanID == request.spanID)
        }
    }

    @Test("without a tracer no message carries a trace context, and a retry keeps the one it came with")
    func noTracer() throws {
        struct Flaky: Error {}
        let huey = MemoryHuey(name: "untraced")
        let attempts = Mutex(0)
        let flaky = huey.task("tests.flaky", retries: 1) { () throws -> Int in
            let attempt = attempts.withLock { $0 += 1; return $0 }
            if attempt == 1 { throw Flaky() }
            return attempt
        }
        let add = huey.task("tests.add") { (a: Int, b: Int) in a + b }
        // A context is current (a framework bound one) but no tracer injects anything.
        try ServiceContext.withValue(.topLevel) {
            _ = try huey.enqueue(add.s(1, 2).then(add, 3))
            _ = try flaky()
        }
        for data in try huey.storage.enqueuedItems(limit: nil) {
            #expect(!String(decoding: data, as: UTF8.self).contains("trace_context"))
        }
        var runner = TaskRunner(huey: huey)
        #expect(try runner.runNext())  // add(1, 2): queues its next stage
        #expect(try runner.runNext())  // flaky: queues its retry
        for data in try huey.storage.enqueuedItems(limit: nil) {
            #expect(!String(decoding: data, as: UTF8.self).contains("trace_context"))
        }
        // A call queued by a traced producer, retried by a worker without a tracer.
        let carried = Message(name: "tests.flaky", retries: 1, traceContext: ["traceparent": "00-abc-def-01"])
        attempts.withLock { $0 = 0 }
        try huey.storage.flushQueue()
        try huey.storage.enqueue(try MessageCodec.encode(carried), priority: 0)
        #expect(try runner.runNext())
        let retry = try #require(try Self.queued(huey).first)
        #expect(retry.attempt == 2)
        #expect(retry.traceContext == ["traceparent": "00-abc-def-01"])
    }
}

// README: Tracing, compiled here. Never run: a bootstrap is once per process, and this
// test process must keep its no-op tracer.
private func makeTracer() -> InMemoryTracer { InMemoryTracer() }

enum WorkerTracing {
    /// Bootstraps the tracer once per process, on first use.
    static let bootstrapped: Void = InstrumentationSystem.bootstrap(makeTracer())
}

/// The README's hooks, compiled, never called.
func readmeTracingExample(huey: Huey) {
    huey.onStartup("tracing") { _ = WorkerTracing.bootstrapped }
    huey.onShutdown("tracing") { InstrumentationSystem.tracer.forceFlush() }
}
