import Foundation
import Huey
import HueyDashboard
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Revoke and restore: refused without the token (403 read-only, 401 missing or wrong),
/// accepted with it, through the JSON API and through the pages' forms. Pause / resume and
/// the dead-letter actions are in DashboardQueueActionTests.
@Suite("Dashboard actions")
struct DashboardActionTests {
    @Test("a read-only dashboard refuses every action with 403 and changes nothing")
    func readOnly() async throws {
        let fixture = try DashboardFixture()
        let id = fixture.queuedIDs[2]
        let app = fixture.dashboard(token: nil).makeApplication()
        try await app.test(.router) { client in
            let response = try await client.execute(
                uri: "/api/calls/\(id)/revoke", method: .post, headers: [.authorization: "Bearer secret"])
            #expect(response.status == .forbidden)
            #expect(String(buffer: response.body).contains("HUEY_DASHBOARD_TOKEN"))
            let form = try await client.execute(
                uri: "/call/revoke", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "id=\(id)"))
            #expect(form.status == .forbidden)
            let page = String(buffer: try await client.execute(uri: "/call?id=\(id)", method: .get).body)
            #expect(page.contains("Read-only"))
            #expect(!page.contains("id=\"revoke\""))
        }
        #expect(try fixture.huey.isRevoked(id: id) == false)
    }

    @Test("the JSON API acts only with the right token")
    func apiToken() async throws {
        let fixture = try DashboardFixture()
        let id = fixture.queuedIDs[2]
        let app = fixture.dashboard(token: "secret").makeApplication()
        try await app.test(.router) { client in
            let missing = try await client.execute(uri: "/api/calls/\(id)/revoke", method: .post)
            #expect(missing.status == .unauthorized)
            let wrong = try await client.execute(
                uri: "/api/calls/\(id)/revoke", method: .post, headers: [.authorization: "Bearer secreT"])
            #expect(wrong.status == .unauthorized)
            #expect(try fixture.huey.isRevoked(id: id) == false)

            let revoke = try await client.execute(
                uri: "/api/calls/\(id)/revoke", method: .post, headers: [.authorization: "Bearer secret"])
            #expect(revoke.status == .ok)
            let outcome = try JSONDecoder().decode(ActionOutcome.self, from: Data(String(buffer: revoke.body).utf8))
            #expect(outcome == ActionOutcome(action: "revoke", id: id, changed: true))
            #expect(try fixture.huey.isRevoked(id: id))
            let status = try await client.execute(uri: "/api/calls/\(id)", method: .get)
            #expect(String(buffer: status.body).contains("\"revoked\":true"))

            let restore = try await client.execute(
                uri: "/api/calls/\(id)/restore", method: .post, headers: [.authorization: "Bearer secret"])
            let restored = try JSONDecoder().decode(ActionOutcome.self, from: Data(String(buffer: restore.body).utf8))
            #expect(restored == ActionOutcome(action: "restore", id: id, changed: true))
            #expect(try fixture.huey.isRevoked(id: id) == false)
            let again = try await client.execute(
                uri: "/api/calls/\(id)/restore", method: .post, headers: [.authorization: "Bearer secret"])
            #expect(String(buffer: again.body).contains("\"changed\":false"))
        }
    }

    @Test("the sign-in form sets a strict cookie that the revoke form needs")
    func formsWithCookie() async throws {
        let fixture = try DashboardFixture()
        let id = fixture.scheduledIDs[0]
        let app = fixture.dashboard(token: "s3cret & more").makeApplication()
        let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        try await app.test(.router) { client in
            let before = String(buffer: try await client.execute(uri: "/call?id=\(id)", method: .get).body)
            #expect(before.contains("action=\"/login\""))
            #expect(!before.contains("id=\"revoke\""))
            let refused = try await client.execute(
                uri: "/call/revoke", method: .post, headers: form, body: ByteBuffer(string: "id=\(id)"))
            #expect(refused.status == .unauthorized)
            let badLogin = try await client.execute(
                uri: "/login", method: .post, headers: form, body: ByteBuffer(string: "token=nope&id=\(id)"))
            #expect(badLogin.status == .unauthorized)

            let login = try await client.execute(
                uri: "/login", method: .post, headers: form, body: ByteBuffer(string: "token=s3cret+%26+more&id=\(id)"))
            #expect(login.status == .seeOther)
            let setCookie = try #require(login.headers[.setCookie])
            #expect(setCookie.contains("HttpOnly"))
            #expect(setCookie.contains("SameSite=Strict"))
            let cookie: HTTPFields = [.cookie: String(setCookie.prefix { $0 != ";" })]

            let signedIn = String(buffer: try await client.execute(uri: "/call?id=\(id)", method: .get, headers: cookie).body)
            #expect(signedIn.contains("id=\"revoke\""))
            var headers = form
            headers[.cookie] = cookie[.cookie]
            let revoke = try await client.execute(
                uri: "/call/revoke", method: .post, headers: headers, body: ByteBuffer(string: "id=\(id)"))
            #expect(revoke.status == .seeOther)
            #expect(revoke.headers[.location]?.hasPrefix("/call?done=revoked") == true)
            #expect(try fixture.huey.isRevoked(id: id))
            let after = String(buffer: try await client.execute(uri: "/call?id=\(id)", method: .get, headers: cookie).body)
            #expect(after.contains("<strong>revoked</strong>"))
        }
    }
}
