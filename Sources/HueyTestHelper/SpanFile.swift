import Foundation
import Huey
import InMemoryTracing
import Tracing

/// `HUEY_TEST_TRACE_DIR=dir` (``ConsumerCommand``): tracing in the consumer's workers, as
/// README "Tracing" tells an application to set it up. Each worker process bootstraps an
/// in-memory tracer in a startup hook (after the fork; never in the master) and, in a
/// shutdown hook, writes the spans it finished to `dir/spans-<pid>.json`: a JSON array of
/// `{name, kind, trace, span, parent, links: [{trace, span}], attributes, errors}`.
enum SpanFile {
    /// The worker's tracer; ids are UUIDs, so no two processes make the same one.
    static let tracer = InMemoryTracer(
        idGenerator: .init(nextTraceID: { UUID().uuidString }, nextSpanID: { UUID().uuidString }))
    /// Bootstraps ``tracer`` once per process, on first use.
    static let bootstrapped: Void = InstrumentationSystem.bootstrap(tracer)

    /// Adds the hooks to `huey`.
    static func register(on huey: Huey, directory: String) {
        huey.onStartup("test-tracing") { _ = bootstrapped }
        huey.onShutdown("test-tracing") { try write(to: "\(directory)/spans-\(getpid()).json") }
    }

    /// Writes the finished spans to `path` (through a temporary file and a rename).
    /// - Throws: when the file cannot be written.
    static func write(to path: String) throws {
        let spans: [[String: Any]] = tracer.finishedSpans.map { span in
            var attributes: [String: Any] = [:]
            span.attributes.forEach { name, attribute in
                switch attribute {
                case .string(let text): attributes[name] = text
                case .int64(let number): attributes[name] = number
                case .bool(let flag): attributes[name] = flag
                default: attributes[name] = "\(attribute)"
                }
            }
            let links: [[String: String]] = span.links.compactMap { link in
                link.context.inMemorySpanContext.map { ["trace": $0.traceID, "span": $0.spanID] }
            }
            return [
                "name": span.operationName, "kind": "\(span.kind)", "trace": span.traceID, "span": span.spanID,
                "parent": span.parentSpanID ?? NSNull(), "links": links, "attributes": attributes,
                "errors": span.errors.map { "\($0.error)" },
            ]
        }
        let data = try JSONSerialization.data(withJSONObject: spans, options: [.sortedKeys])
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
