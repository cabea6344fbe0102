import Huey
import Testing

/// Messages leave out every field at its default (DESIGN §3), and messages written in
/// full — by earlier versions, still in a queue, or by Python — read the same.
@Suite("Compact messages")
struct CompactMessageTests {
    static let id = "0f8a2d2c-8f0e-4a8e-9a53-0c7e2f0b9d11"

    @Test("a call without options is its id, name and arguments only")
    func noOptions() throws {
        let bare = try MessageCodec.encode(Message(id: Self.id, name: "bench.noop"))
        #expect(String(decoding: bare, as: UTF8.self) == #"{"id":"\#(Self.id)","name":"bench.noop"}"#)
        let oneArgument = try MessageCodec.encode(Message(id: Self.id, name: "bench.noop", args: [0]))
        #expect(String(decoding: oneArgument, as: UTF8.self) == #"{"args":[0],"id":"\#(Self.id)","name":"bench.noop"}"#)
        #expect(oneArgument.count <= 120, "\(oneArgument.count) bytes")
    }

    @Test("options away from their default are written, in key order")
    func someOptions() throws {
        let message = Message(
            id: "x", name: "t", retries: 2, retryDelay: 0.5, retryBackoff: 2, priority: 0, timeout: 3)
        let text = String(decoding: try MessageCodec.encode(message), as: UTF8.self)
        #expect(text == #"{"id":"x","name":"t","priority":0,"retries":2,"retry_backoff":2,"retry_delay":0.5,"timeout":3}"#)
        #expect(try MessageCodec.decode(Array(text.utf8)) == message)
    }

    @Test("a message written in full with nulls (earlier versions) decodes to the same call")
    func fullFormStillReads() throws {
        let old = #"""
            {"args":[0],"chord_config":null,"eta":null,"expires":null,"expires_resolved":null,\#
            "id":"\#(Self.id)","kwargs":{},"name":"bench.noop","on_complete":null,"on_error":null,\#
            "priority":null,"retries":0,"retry_backoff":1,"retry_delay":0,"timeout":null}
            """#
        let decoded = try MessageCodec.decode(Array(old.utf8))
        #expect(decoded == Message(id: Self.id, name: "bench.noop", args: [0]))
        #expect(try MessageCodec.encode(decoded).count < old.utf8.count / 3)
    }

    @Test("a message in an old queue row is claimed and run as before", arguments: ["memory", "sqlite"])
    func oldRowRuns(kind: String) throws {
        let place = try ScratchDirectory()
        let storage: any Storage =
            kind == "memory" ? MemoryStorage(name: "old") : try SqliteStorage(name: "old", filename: place.file("old.db"))
        let huey = Huey(name: "old", storage: storage)
        let add = huey.task("old.add") { (a: Int, b: Int) in a + b }
        _ = add
        let old = #"""
            {"args":[2,3],"chord_config":null,"eta":null,"expires":null,"expires_resolved":null,\#
            "id":"\#(Self.id)","kwargs":{},"name":"old.add","on_complete":null,"on_error":null,\#
            "priority":null,"retries":0,"retry_backoff":1,"retry_delay":0,"timeout":null}
            """#
        try storage.enqueue(Array(old.utf8), priority: 0)
        let owner = ClaimOwner.current
        let claim = try #require(try storage.claim(owner: owner, now: 0))
        try huey.execute(claim, in: storage)
        #expect(try huey.result(id: Self.id, as: Int.self) == 5)
    }
}
