import Foundation
import Huey
import Testing

@Suite("Message codec")
struct MessageCodecTests {
    /// A message with every field set, callbacks and chord nested.
    static let full: Message = {
        let onError = Message(id: "err-1", name: "handle_error", args: ["context"])
        let callback = Message(id: "cb-1", name: "sum", args: [], onError: onError)
        let next = Message(id: "next-1", name: "add", retries: 1, args: [3], onComplete: callback)
        return Message(
            id: "0f8a2d2c-8f0e-4a8e-9a53-0c7e2f0b9d11", name: "demo.add", eta: 1_700_000_123.5, retries: 3,
            retryDelay: 2.5, retryBackoff: 2, priority: 90,
            args: [1, 2.5, "three", true, nil, [1, [2]], ["k": ["nested": 1]]],
            kwargs: ["flag": true], onComplete: next, onError: onError, expires: .seconds(300),
            expiresResolved: 1_700_000_423.5, timeout: 30,
            chordConfig: ChordConfig(cid: "chord-1", size: 3, idx: 1, callback: callback))
    }()

    @Test("every field round-trips")
    func roundTrip() throws {
        let bytes = try MessageCodec.encode(Self.full)
        let decoded = try MessageCodec.decode(bytes)
        #expect(decoded == Self.full)
        #expect(decoded.completionCallback?.completionCallback?.name == "sum")
        #expect(decoded.chordConfig?.callback.value.id == "cb-1")
        #expect(try MessageCodec.encode(decoded) == bytes)
    }

    @Test("keys on the wire are Huey's field names")
    func wireKeys() throws {
        let object = try JSONCodec.decode(JSONValue.self, from: MessageCodec.encode(Self.full)).objectValue ?? [:]
        let expected: Set<String> = [
            "id", "name", "eta", "retries", "retry_delay", "retry_backoff", "priority", "args", "kwargs",
            "on_complete", "on_error", "expires", "expires_resolved", "timeout", "chord_config",
        ]
        #expect(Set(object.keys) == expected)
        #expect(object["chord_config"]?.objectValue?.keys.sorted() == ["callback", "cid", "idx", "size"])
    }

    @Test("expires: a number is relative, {\"at\": t} is absolute")
    func expiry() throws {
        let relative = Message(name: "t", expires: .seconds(60))
        let absolute = Message(name: "t", expires: .at(1_800_000_000))
        #expect(try MessageCodec.decode(MessageCodec.encode(relative)).expires == .seconds(60))
        #expect(try MessageCodec.decode(MessageCodec.encode(absolute)).expires == .at(1_800_000_000))
        let text = String(decoding: try MessageCodec.encode(absolute), as: UTF8.self)
        #expect(text.contains(#""expires":{"at":1800000000}"#))
    }

    @Test("missing optional keys take Huey's defaults; unknown keys are ignored")
    func tolerant() throws {
        let minimal = try MessageCodec.decode(Array(#"{"id":"x","name":"add","future_field":[1,2]}"#.utf8))
        #expect(minimal.id == "x" && minimal.name == "add")
        #expect(minimal.retries == 0 && minimal.args.isEmpty && minimal.eta == nil && minimal.retryBackoff == 1)
    }

    @Test("malformed bytes give a typed CodecError, never a crash", arguments: [
        "", "not json", "[1,2,3]", "{}", #"{"id":"x"}"#, #"{"id":1,"name":"add"}"#,
        #"{"id":"x","name":"add","args":"nope"}"#, #"{"id":"x","name":"add","retries":"3"}"#, "\u{FF}\u{FE}",
        #"{"id":"x","name":"add","on_complete":{"name":"b"}}"#,
    ])
    func malformed(text: String) {
        #expect {
            try MessageCodec.decode(Array(text.utf8))
        } throws: { error in
            (error as? CodecError)?.code == .malformed
        }
    }

    @Test("error results use the __huey_error__ envelope and round-trip")
    func errorEnvelope() throws {
        let info = ErrorInfo(error: "boom", retries: 0, traceback: "tb", taskID: "id-1", type: "Boom")
        let bytes = try MessageCodec.encode(.error(info))
        let object = try JSONCodec.decode(JSONValue.self, from: bytes).objectValue
        #expect(object?.keys.sorted() == ["__huey_error__"])
        #expect(object?["__huey_error__"]?.objectValue?["task_id"] == "id-1")
        #expect(try MessageCodec.decodeOutcome(bytes) == .error(info))
        #expect(try MessageCodec.decodeOutcome(Array("[1,2]".utf8)) == .value([1, 2]))
        #expect(throws: CodecError.self) { try MessageCodec.decodeOutcome(Array("{oops".utf8)) }
    }

    @Test("JSON values keep integers as integers")
    func integers() throws {
        let value: JSONValue = [1, 1.5, 9_007_199_254_740_993, -3]
        let decoded = try JSONCodec.decode(JSONValue.self, from: JSONCodec.encode(value))
        #expect(decoded == value)
    }
}
