import Foundation
import Huey
import Hummingbird

extension Dashboard {
    /// The JSON API (the pages' twins; the actions are in ``addActions(to:)``) and `/metrics`.
    func addAPI(to router: Router<BasicRequestContext>) {
        router.get("/api/summary") { _, _ in try Reply.json(try await read { try $0.summary() }) }
        router.get("/api/pending") { request, _ in
            let count = Self.limit(request)
            return try Reply.json(try await read { try $0.pending(limit: count) })
        }
        router.get("/api/scheduled") { request, _ in
            let count = Self.limit(request)
            return try Reply.json(try await read { try $0.scheduled(limit: count) })
        }
        router.get("/api/running") { _, _ in try Reply.json(try await read { try $0.running() }) }
        router.get("/api/periodic") { _, _ in try Reply.json(try await read { try $0.periodic() }) }
        router.get("/api/failures") { request, _ in
            let count = Self.limit(request)
            return try Reply.json(try await read { try $0.failures(limit: count) })
        }
        router.get("/api/dead") { request, _ in
            let count = Self.limit(request)
            return try Reply.json(try await read { try $0.dead(limit: count) })
        }
        router.get("/api/depth") { _, _ in try Reply.json(sampler.history) }
        router.get("/api/statistics") { _, _ -> Response in
            let window = configuration.window
            return try Reply.json(try await read { try $0.statistics(window: window).json })
        }
        router.get("/api/charts") { _, _ -> Response in
            let window = configuration.window
            return try Reply.json(try await read { DashboardReader.charts(try $0.statistics(window: window)) })
        }
        router.get("/api/consumers") { _, _ -> Response in
            try Reply.json(try await read { reader in JSONValue.array(try reader.consumers().map { $0.json(now: reader.now) }) })
        }
        router.get("/api/calls/:id") { _, context -> Response in
            let id = try context.parameters.require("id")
            return try Reply.json(try await read { try $0.status(of: id) })
        }
        router.get("/metrics") { _, _ -> Response in
            let window = configuration.window
            let (summary, report) = try await read { (try $0.summary(), try $0.statistics(window: window)) }
            return Reply.text(QueueMetrics.render(summary, report), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
    }

    /// The `limit` query parameter: 100 by default, at most 10,000.
    private static func limit(_ request: Request) -> Int {
        min(max(request.uri.queryParameters.get("limit", as: Int.self) ?? 100, 0), 10_000)
    }
}
