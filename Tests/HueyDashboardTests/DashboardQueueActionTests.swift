import Foundation
import Huey
import HueyDashboard
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Every action refused without the token, and pause / resume and the dead-letter actions
/// accepted with it, each checked in the storage.
@Suite("Dashboard queue actions")
struct DashboardQueueActionTests {
    /// Every action, as (method path, form body) — the JSON API's and the forms'.
    static func actions(fixture: DashboardFixture) throws -> [(String, String?)] {
        let letter = try #require(try fixture.huey.storage.deadItems().first).id
        let call = fixture.queuedIDs[2]
        return [
            ("/api/calls/\(call)/revoke", nil), ("/api/calls/\(call)/restore", nil), ("/api/queue/pause", nil),
            ("/api/queue/resume", nil), ("/api/dead/\(letter)/requeue", nil), ("/api/dead/\(letter)/discard", nil),
            ("/api/dead/requeue", nil), ("/api/dead/discard", nil), ("/call/revoke", "id=\(call)"),
            ("/call/restore", "id=\(call)"), ("/queue/pause", ""), ("/queue/resume", ""),
            ("/dead/requeue", "letter=\(letter)"), ("/dead/discard", "all=true"),
        ]
    }

    @Test(
        "every action answers 403 on a read-only dashboard, 401 without or with a wrong token, and changes nothing",
        arguments: [nil, "secret"] as [String?])
    func refused(token: String?) async throws {
        let fixture = try DashboardFixture()
        let app = fixture.dashboard(token: token).makeApplication()
        try fixture.huey.pause()  // so that a resume that got through would show
        try await app.test(.router) { client in
            for (path, form) in try Self.actions(fixture: fixture) {
                for credentials in [nil, "Bearer secreT", "Bearer "] as [String?] {
                    var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
                    if let credentials { headers[.authorization] = credentials }
                    let response = try await client.execute(
                        uri: path, method: .post, headers: headers, body: ByteBuffer(string: form ?? ""))
                    #expect(response.status == (token == nil ? .forbidden : .unauthorized), "\(path) \(credentials ?? "-")")
                }
            }
        }
        #expect(try fixture.huey.isRevoked(id: fixture.queuedIDs[2]) == false)
        #expect(try fixture.huey.isPaused)
        #expect(try fixture.huey.storage.deadItems().count == 1)
        #expect(try fixture.huey.pendingCount == 2)
    }

    @Test("pause and resume through the API and the overview's button")
    func pauseResume() async throws {
        let fixture = try DashboardFixture()
        let app = fixture.dashboard().makeApplication()
        let bearer: HTTPFields = [.authorization: "Bearer secret"]
        try await app.test(.router) { client in
            let pause = try await client.execute(uri: "/api/queue/pause", method: .post, headers: bearer)
            #expect(try Self.outcome(pause) == ActionOutcome(action: "pause", id: "test", changed: true))
            #expect(try fixture.huey.isPaused)
            let again = try await client.execute(uri: "/api/queue/pause", method: .post, headers: bearer)
            #expect(try Self.outcome(again).changed == false)
            let summary = String(buffer: try await client.execute(uri: "/api/summary", method: .get).body)
            #expect(summary.contains("\"paused\":true"))
            let paused = String(buffer: try await client.execute(uri: "/", method: .get, headers: bearer).body)
            #expect(paused.contains("<strong id=\"paused\">Paused</strong>"))
            #expect(paused.contains("action=\"/queue/resume\""))
            let resume = try await client.execute(uri: "/api/queue/resume", method: .post, headers: bearer)
            #expect(try Self.outcome(resume) == ActionOutcome(action: "resume", id: "test", changed: true))
            #expect(try fixture.huey.isPaused == false)

            // The form: signed in by the cookie, the button posts and the page says what happened.
            let cookie = try await Self.signIn(client, next: "/")
            #expect(String(buffer: try await client.execute(uri: "/", method: .get, headers: cookie).body).contains("id=\"pause\""))
            let form = try await client.execute(uri: "/queue/pause", method: .post, headers: cookie)
            #expect(form.status == .seeOther)
            #expect(form.headers[.location] == "/?done=paused")
            #expect(try fixture.huey.isPaused)
            let page = String(buffer: try await client.execute(uri: "/?done=paused", method: .get, headers: cookie).body)
            #expect(page.contains("<p id=\"message\">paused</p>"))
        }
    }

    @Test("dead letters: requeue and discard one, then all, through the API and the page's buttons")
    func deadLetters() async throws {
        let fixture = try DashboardFixture()
        let storage = fixture.huey.storage
        for n in 2...4 { try storage.addDead(Array("{not json \(n)".utf8), reason: "undecodable message: \(n)") }
        let letters = try storage.deadItems().map(\.id)
        #expect(letters.count == 4)
        let app = fixture.dashboard().makeApplication()
        let bearer: HTTPFields = [.authorization: "Bearer secret"]
        try await app.test(.router) { client in
            let requeue = try await client.execute(uri: "/api/dead/\(letters[0])/requeue", method: .post, headers: bearer)
            #expect(try Self.outcome(requeue) == ActionOutcome(action: "requeue", id: letters[0], changed: true))
            #expect(try storage.deadItems().map(\.id) == Array(letters[1...]))
            #expect(try fixture.huey.pendingCount == 3)  // back in the queue
            let gone = try await client.execute(uri: "/api/dead/\(letters[0])/requeue", method: .post, headers: bearer)
            #expect(gone.status == .notFound)
            let discard = try await client.execute(uri: "/api/dead/\(letters[1])/discard", method: .post, headers: bearer)
            #expect(try Self.outcome(discard) == ActionOutcome(action: "discard", id: letters[1], changed: true))
            #expect(try storage.deadItems().map(\.id) == Array(letters[2...]))
            #expect(try fixture.huey.pendingCount == 3)

            // The page: signed in, a button per letter and for all.
            let cookie = try await Self.signIn(client, next: "/dead")
            let page = String(buffer: try await client.execute(uri: "/dead", method: .get, headers: cookie).body)
            #expect(page.contains("id=\"requeue-\(letters[2])\"") && page.contains("id=\"discard-all\""))
            var headers = cookie
            headers[.contentType] = "application/x-www-form-urlencoded"
            let one = try await client.execute(
                uri: "/dead/requeue", method: .post, headers: headers, body: ByteBuffer(string: "letter=\(letters[2])"))
            #expect(one.headers[.location] == "/dead?done=requeued%201%20dead%20letter")
            #expect(try storage.deadItems().map(\.id) == [letters[3]])
            #expect(try fixture.huey.pendingCount == 4)
            let all = try await client.execute(
                uri: "/dead/discard", method: .post, headers: headers, body: ByteBuffer(string: "all=true"))
            #expect(all.headers[.location] == "/dead?done=discarded%201%20dead%20letter")
            #expect(try storage.deadItems().isEmpty)

            try storage.addDead(Array("{not json 5".utf8), reason: "undecodable message: 5")
            let bulk = try await client.execute(uri: "/api/dead/requeue", method: .post, headers: bearer)
            let outcome = try JSONDecoder().decode(BulkOutcome.self, from: Data(String(buffer: bulk.body).utf8))
            #expect(outcome.action == "requeue" && outcome.letters.count == 1)
            #expect(try storage.deadItems().isEmpty)
            #expect(try fixture.huey.pendingCount == 5)
        }
    }

    /// Signs in with the form and returns the cookie header; checks the redirect to `next`.
    static func signIn(_ client: some TestClientProtocol, next: String) async throws -> HTTPFields {
        let login = try await client.execute(
            uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
            body: ByteBuffer(string: "token=secret&next=\(next.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"))
        #expect(login.status == .seeOther)
        #expect(login.headers[.location] == next)
        let setCookie = try #require(login.headers[.setCookie])
        return [.cookie: String(setCookie.prefix { $0 != ";" })]
    }

    static func outcome(_ response: TestResponse) throws -> ActionOutcome {
        #expect(response.status == .ok)
        return try JSONDecoder().decode(ActionOutcome.self, from: Data(String(buffer: response.body).utf8))
    }
}
