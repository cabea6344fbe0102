import Foundation
import Huey
import HueyTestSupport
import InMemoryTracing
import Testing
import Tracing

extension ConsumerProcessTests {
    /// Tracing across processes: this test process produces inside a span, a consumer's
    /// worker processes (which bootstrap their tracer in a startup hook, after the fork —
    /// README "Tracing") trace each call and write their spans to files when they stop.
    @Suite("Tracing in worker processes")
    struct TracedWorkers {
        /// A span one worker wrote (see the helper's `SpanFile`).
        struct WrittenSpan: Decodable {
            struct Link: Decodable { var trace: String; var span: String }
            var name: String
            var kind: String
            var trace: String
            var span: String
            var parent: String?
            var links: [Link]
            var attributes: [String: JSONValue]
            var errors: [String]
        }

        @Test("each call's span is linked to the producer's span; the retry's to the failed run's",
              .timeLimit(.minutes(2)))
        func spansAcrossProcesses() throws {
            let fixture = try ConsumerFixture()
            defer { fixture.stop() }
            let producer = InMemoryTracer()
            let (request, flaky, sum) = try withTracer(producer) {
                try withSpan("request") { span in
                    (span.context.inMemorySpanContext, try fixture.tasks.flaky(1, fixture.file("flaky")),
                     try fixture.tasks.add(1, 2))
                }
            }
            let requestIDs = try #require(request)
            let master = try fixture.start(
                ["consume", "-w", "2", "-k", "process"], environment: ["HUEY_TEST_TRACE_DIR": fixture.directory])
            // As in huey, the failed first run stores its error until the retry's value replaces it:
            // a read between the two sees the error, so read again until the value.
            var flakyValue: Int?
            poll(timeout: 60) {
                do { flakyValue = try flaky() } catch { flaky.reset() }
                return flakyValue != nil
            }
            #expect(flakyValue == 1, "\(fixture.log)")
            #expect(try sum(blocking: true, timeout: 60) == 3, "\(fixture.log)")
            master.send(SIGINT)  // graceful: workers run their shutdown hooks, which write the spans
            #expect(exited(master.waitForExit(timeout: 60), code: 0), "\(fixture.log)")

            let files = try FileManager.default.contentsOfDirectory(atPath: fixture.directory)
                .filter { $0.hasPrefix("spans-") }
            #expect(!files.isEmpty, "\(fixture.log)")
            let spans = try files.flatMap { file in
                try JSONDecoder().decode([WrittenSpan].self, from: Data(contentsOf: URL(fileURLWithPath: fixture.file(file))))
            }
            #expect(spans.count == 3, "\(spans.map(\.name))")  // flaky twice, add once
            let add = try #require(spans.first { $0.name == "add" })
            #expect(add.kind == "consumer")
            #expect(add.parent == nil)
            #expect(add.links.count == 1)
            #expect(add.links.first?.trace == requestIDs.traceID)
            #expect(add.links.first?.span == requestIDs.spanID)
            #expect(add.attributes["job.id"] == .string(sum.id))
            #expect(add.attributes["job.attempt"] == .int(1))
            #expect(add.attributes["job.queue"] == .string("test"))
            #expect(add.attributes["job.name"] == .string("add"))
            #expect(add.errors.isEmpty)

            let runs = spans.filter { $0.name == "flaky" }.sorted {
                ($0.attributes["job.attempt"]?.intValue ?? 0) < ($1.attributes["job.attempt"]?.intValue ?? 0)
            }
            #expect(runs.map { $0.attributes["job.attempt"]?.intValue } == [1, 2])
            #expect(runs.allSatisfy { $0.attributes["job.id"] == .string(flaky.id) })
            let first = try #require(runs.first)
            let second = try #require(runs.last)
            #expect(first.links.first?.span == requestIDs.spanID)
            #expect(first.errors == ["fail(0) failed as asked"])
            #expect(first.attributes["job.failed"] == nil)  // a retry followed
            #expect(second.links.first?.span == first.span)
            #expect(second.links.first?.trace == first.trace)
            #expect(second.errors.isEmpty)
        }
    }
}
