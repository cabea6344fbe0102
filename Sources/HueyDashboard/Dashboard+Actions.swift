import Foundation
import Huey
import Hummingbird

/// The actions — revoke / restore a call, pause / resume the queue, requeue / discard dead
/// letters — as form posts (which go back to their page with the outcome) and as JSON API
/// posts. Every one first asks ``ActionAuthorization``: 403 on a read-only dashboard, 401
/// without the token; nothing is written then.
extension Dashboard {
    func addActions(to router: Router<BasicRequestContext>) {
        for action in ["revoke", "restore"] {
            router.post("/call/\(action)") { request, _ -> Response in
                try authorization.authorize(request)
                let form = try await FormFields(request)
                guard let id = form["id"], !id.isEmpty else { throw HTTPError(.badRequest, message: "no call id given") }
                let outcome = try await callAction(action, id: id, once: form["once"] == "true")
                let done = "\(action)d \(id)" + (outcome.changed ? "" : " (it was not revoked)")
                return Response.redirect(to: "/call" + FormFields.query(["id": id, "done": done]), type: .normal)
            }
            router.post("/api/calls/:id/\(action)") { request, context -> Response in
                try authorization.authorize(request)
                let id = try context.parameters.require("id")
                return try Reply.json(try await callAction(action, id: id, once: request.uri.queryParameters.get("once") == "true"))
            }
        }
        for action in ["pause", "resume"] {
            router.post("/queue/\(action)") { request, _ -> Response in
                try authorization.authorize(request)
                let outcome = try await queueAction(action)
                let done = action == "pause" ? "paused" : "resumed"
                return Response.redirect(
                    to: "/" + FormFields.query(["done": outcome.changed ? done : "it was already \(done)"]), type: .normal)
            }
            router.post("/api/queue/\(action)") { request, _ -> Response in
                try authorization.authorize(request)
                return try Reply.json(try await queueAction(action))
            }
        }
        for action in ["requeue", "discard"] {
            router.post("/dead/\(action)") { request, _ -> Response in
                try authorization.authorize(request)
                let form = try await FormFields(request)
                let letters: [String]
                if form["all"] == "true" {
                    letters = try await deadActionOnAll(action)
                } else {
                    guard let letter = form["letter"], !letter.isEmpty else {
                        throw HTTPError(.badRequest, message: "no dead letter given")
                    }
                    letters = try await deadAction(action, letter: letter) ? [letter] : []
                }
                let done = "\(action == "requeue" ? "requeued" : "discarded") \(letters.count) dead letter\(letters.count == 1 ? "" : "s")"
                return Response.redirect(to: "/dead" + FormFields.query(["done": done]), type: .normal)
            }
            router.post("/api/dead/:letter/\(action)") { request, context -> Response in
                try authorization.authorize(request)
                let letter = try context.parameters.require("letter")
                guard try await deadAction(action, letter: letter) else {
                    throw HTTPError(.notFound, message: "no dead letter \(letter)")
                }
                return try Reply.json(ActionOutcome(action: action, id: letter, changed: true))
            }
            router.post("/api/dead/\(action)") { request, _ -> Response in
                try authorization.authorize(request)
                return try Reply.json(BulkOutcome(action: action, letters: try await deadActionOnAll(action)))
            }
        }
    }

    /// Revokes or restores the call `id`.
    /// - Throws: ``StorageError`` when the storage cannot be written.
    func callAction(_ action: String, id: String, once: Bool) async throws -> ActionOutcome {
        try await read { reader in
            if action == "revoke" {
                try reader.huey.revoke(id: id, once: once)
                return ActionOutcome(action: action, id: id, changed: true)
            }
            return ActionOutcome(action: action, id: id, changed: try reader.huey.restore(id: id))
        }
    }

    /// Pauses or resumes the queue; `changed` is false when it already was in that state.
    /// - Throws: ``StorageError`` (`.unsupported` when the storage cannot pause).
    func queueAction(_ action: String) async throws -> ActionOutcome {
        try await read { reader in
            let huey = reader.huey
            if action == "pause" {
                let wasPaused = try huey.isPaused
                try huey.pause()
                return ActionOutcome(action: action, id: huey.name, changed: !wasPaused)
            }
            return ActionOutcome(action: action, id: huey.name, changed: try huey.resume())
        }
    }

    /// Requeues or discards the dead letter `letter`; false when there is no such letter.
    /// - Throws: ``StorageError``.
    func deadAction(_ action: String, letter: String) async throws -> Bool {
        try await read { reader in
            let huey = reader.huey
            return try (action == "requeue" ? huey.requeueDeadLetter(id: letter) : huey.discardDeadLetter(id: letter)) != nil
        }
    }

    /// Requeues or discards every dead letter; returns their handles, oldest first.
    /// - Throws: ``StorageError``; letters acted on before the error stay so.
    func deadActionOnAll(_ action: String) async throws -> [String] {
        try await read { reader in
            let huey = reader.huey
            return try (action == "requeue" ? huey.requeueAllDeadLetters() : huey.discardAllDeadLetters()).map(\.id)
        }
    }
}
