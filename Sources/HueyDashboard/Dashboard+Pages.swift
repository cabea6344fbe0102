import Foundation
import Huey
import Hummingbird

extension Dashboard {
    /// How many rows a list page shows.
    static let pageLimit = 200

    /// The HTML pages and the sign-in form.
    func addPages(to router: Router<BasicRequestContext>) {
        router.get("/") { request, _ -> Response in
            let window = configuration.window
            let (summary, report, consumers, running, pending) = try await read { reader in
                (
                    try reader.summary(), try reader.statistics(window: window), try reader.consumers(), try reader.running(),
                    try reader.pending(limit: 20)
                )
            }
            let overview = OverviewPage(
                summary: summary, report: report, history: sampler.history, consumers: consumers, running: running,
                pending: pending, mode: authorization.mode(for: request))
            return page(request, "Overview", "/", overview.render())
        }
        router.get("/scheduled") { request, _ -> Response in
            let (calls, total) = try await read { (try $0.scheduled(limit: Self.pageLimit), try $0.huey.scheduledCount) }
            return page(request, "Scheduled calls", "/scheduled", ListPages.scheduled(calls, total: total))
        }
        router.get("/periodic") { request, _ -> Response in
            let tasks = try await read { try $0.periodic() }
            return page(request, "Periodic tasks", "/periodic", ListPages.periodic(tasks))
        }
        router.get("/failures") { request, _ -> Response in
            let failures = try await read { try $0.failures(limit: Self.pageLimit) }
            return page(request, "Recent failures", "/failures", ListPages.failures(failures))
        }
        router.get("/dead") { request, _ -> Response in
            let letters = try await read { try $0.dead(limit: Self.pageLimit) }
            return page(request, "Dead letters", "/dead", ListPages.dead(letters, mode: authorization.mode(for: request)))
        }
        router.get("/consumers") { request, _ -> Response in
            let (consumers, now) = try await read { (try $0.consumers(), $0.now) }
            return page(request, "Consumers", "/consumers", ListPages.consumers(consumers, now: now))
        }
        router.get("/api") { request, _ -> Response in
            page(request, "JSON API", "/api", ListPages.api)
        }
        router.get("/call") { request, _ -> Response in
            let id = request.uri.queryParameters.get("id").flatMap { $0.isEmpty ? nil : $0 }
            var status: CallStatus?
            if let id { status = try await read { try $0.status(of: id) } }
            return page(
                request, "Revoke / restore a call", "/call",
                ListPages.call(id: id, status: status, mode: authorization.mode(for: request)))
        }
        router.post("/login") { request, _ -> Response in
            let form = try await FormFields(request)
            guard authorization.token != nil else { try authorization.authorize(request); return Response(status: .forbidden) }
            guard authorization.matches(form["token"] ?? ""), let value = authorization.cookieValue() else {
                throw HTTPError(.unauthorized, message: "wrong token")
            }
            let next = form["next"].flatMap(Self.localPath) ?? "/call" + FormFields.query(["id": form["id"] ?? ""])
            var response = Response.redirect(to: next, type: .normal)
            response.setCookie(
                Cookie(name: ActionAuthorization.cookieName, value: value, path: "/", httpOnly: true, sameSite: .strict))
            return response
        }
    }

    /// `path` when it is a path on this dashboard (`/…`, not `//host`), else nil: the
    /// sign-in form never sends the browser to another site.
    static func localPath(_ path: String) -> String? {
        path.hasPrefix("/") && !path.hasPrefix("//") && !path.hasPrefix("/\\") ? path : nil
    }

    /// A page with the frame, and the outcome of the action that led here (`?done=`).
    func page(_ request: Request, _ title: String, _ path: String, _ body: String) -> Response {
        let done = request.uri.queryParameters.get("done").map { "<p id=\"message\">\(HTML.escape(String($0)))</p>" } ?? ""
        return Reply.html(
            HTML.page(title: title, queue: huey.name, path: path, actions: authorization.mode(for: request), body: done + body))
    }
}

/// The fields of an `application/x-www-form-urlencoded` body (at most 64 KiB).
struct FormFields {
    private var fields: [String: String] = [:]

    /// Reads the form in `request`'s body.
    /// - Throws: `HTTPError` 413 when the body is too large.
    init(_ request: Request) async throws {
        let buffer = try await request.body.collect(upTo: 65536)
        self.init(String(buffer: buffer))
    }

    /// Parses `text` (`a=1&b=two+words`).
    init(_ text: String) {
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            if let key = parts.first { fields[key] = parts.count > 1 ? parts[1] : "" }
        }
    }

    /// The value of `name`, if given.
    subscript(_ name: String) -> String? { fields[name] }

    /// `?k=v&…` with the values percent-encoded; empty values left out.
    static func query(_ values: [String: String]) -> String {
        let pairs = values.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }.map {
            "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
        }
        return pairs.isEmpty ? "" : "?" + pairs.joined(separator: "&")
    }
}
