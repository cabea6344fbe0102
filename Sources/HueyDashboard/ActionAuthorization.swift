import Foundation
import Hummingbird

/// Decides whether a request may act (revoke, restore, pause, resume, requeue, discard):
/// only when a token is configured and the request carries it, as `Authorization: Bearer TOKEN` or as the cookie the
/// sign-in form sets (HttpOnly, SameSite=Strict, so other sites cannot ride on it).
struct ActionAuthorization: Sendable {
    /// The cookie's name.
    static let cookieName = "huey_dashboard_token"

    /// The configured token; nil: read-only.
    let token: String?

    /// How the pages describe the mode for `request`.
    func mode(for request: Request) -> ActionMode {
        guard token != nil else { return .readOnly }
        return .enabled(signedIn: carriesToken(request))
    }

    /// Throws unless `request` may act: 403 when the dashboard is read-only, 401 when the
    /// token is missing or wrong.
    /// - Throws: `HTTPError` with that status and a message saying what to do.
    func authorize(_ request: Request) throws {
        guard token != nil else {
            throw HTTPError(
                .forbidden,
                message: "read-only dashboard: start it with --token or HUEY_DASHBOARD_TOKEN to enable actions")
        }
        guard carriesToken(request) else {
            throw HTTPError(.unauthorized, message: "this action needs the dashboard's token (Authorization: Bearer TOKEN)")
        }
    }

    /// Whether `candidate` is the token (compared in constant time).
    func matches(_ candidate: String) -> Bool {
        guard let token else { return false }
        let expected = Array(token.utf8), given = Array(candidate.utf8)
        var difference = UInt8(expected.count == given.count ? 0 : 1)
        for index in 0..<given.count { difference |= given[index] ^ expected[index % max(expected.count, 1)] }
        return difference == 0 && !expected.isEmpty
    }

    /// The cookie value for the token: its bytes in hex, so any token fits a cookie.
    func cookieValue() -> String? {
        token.map { $0.utf8.map { String(format: "%02x", $0) }.joined() }
    }

    private func carriesToken(_ request: Request) -> Bool {
        if let header = request.headers[.authorization], header.hasPrefix("Bearer ") {
            return matches(String(header.dropFirst("Bearer ".count)))
        }
        if let cookie = request.cookies[Self.cookieName]?.value, let expected = cookieValue() {
            return ActionAuthorization(token: expected).matches(cookie)
        }
        return false
    }
}
