import Foundation
import Huey
import Hummingbird
import Logging
import NIOCore

/// A web dashboard over a Huey's storage: pages, a JSON API and `/metrics`.
///
/// It runs in a process of its own (never in the consumer's master) with its own storage
/// connection, and reads the storage through Huey's public API on a thread pool
/// (``BlockingCalls``), so a slow storage never stalls the server's event loop.
///
/// ```swift
/// let dashboard = Dashboard(huey: huey, configuration: DashboardConfiguration(port: 8080))
/// try await dashboard.run()
/// ```
/// Most programs call ``HueyDashboard/main(_:arguments:)`` instead.
public struct Dashboard: Sendable {
    /// The Huey whose storage is shown.
    public let huey: Huey
    /// Address, token, sampling.
    public let configuration: DashboardConfiguration
    /// The queue depth history the overview charts.
    public let sampler: DepthSampler
    let reader: DashboardReader
    let calls: BlockingCalls
    let authorization: ActionAuthorization

    /// A dashboard for `huey` with `configuration`.
    public init(huey: Huey, configuration: DashboardConfiguration = DashboardConfiguration()) {
        self.huey = huey
        self.configuration = configuration
        sampler = DepthSampler(interval: configuration.sampleInterval, window: configuration.window)
        reader = DashboardReader(huey: huey)
        calls = BlockingCalls()
        authorization = ActionAuthorization(token: configuration.token)
    }

    /// The Hummingbird application serving the routes; `onServerRunning` gets the bound port.
    public func makeApplication(
        logger: Logger = Logger(label: "huey.dashboard"), onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> Application<RouterResponder<BasicRequestContext>> {
        let router = Router()
        addPages(to: router)
        addActions(to: router)
        addAPI(to: router)
        return Application(
            router: router,
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: "huey-dashboard"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    /// Serves until SIGINT or SIGTERM, sampling the queue depth meanwhile; `onServerRunning`
    /// gets the bound port once the server listens.
    /// - Throws: when the address cannot be bound.
    public func run(
        logger: Logger = Logger(label: "huey.dashboard"), onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        let app = makeApplication(logger: logger, onServerRunning: onServerRunning)
        let (sampler, reader, calls) = (self.sampler, self.reader, self.calls)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await sampler.run(reader: reader, calls: calls) }
            group.addTask { try await app.runService() }
            // The server ends on a signal (or fails to bind); the sampler ends with it.
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    /// Runs `body` on the thread pool (storage calls block).
    func read<T: Sendable>(_ body: @escaping @Sendable (DashboardReader) throws -> T) async throws -> T {
        let reader = self.reader
        return try await calls.run { try body(reader) }
    }
}

/// Response helpers shared by the routes.
enum Reply {
    /// An HTML page.
    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// A value as JSON (keys sorted).
    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // As StatisticsReport.json: an unbounded histogram bucket reads "+Inf".
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "+Inf", negativeInfinity: "-Inf", nan: "NaN")
        let data = try encoder.encode(value)
        return Response(
            status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Plain text with a content type.
    static func text(_ text: String, contentType: String) -> Response {
        Response(status: .ok, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
