import Huey
import Testing

/// The keys tracing adds to a message (`attempt`, `trace_context`): written only when away
/// from their default, read back exactly, refused when malformed.
@Suite("Trace keys in messages")
struct TraceKeysCodecTests {
    @Test("a first attempt without a trace context writes neither key")
    func absentByDefault() throws {
        let text = String(decoding: try MessageCodec.encode(Message(id: "x", name: "t")), as: UTF8.self)
        #expect(text == #"{"id":"x","name":"t"}"#)
        let emptyContext = Message(id: "x", name: "t", traceContext: [:])
        #expect(String(decoding: try MessageCodec.encode(emptyContext), as: UTF8.self) == text)
    }

    @Test("attempt and trace_context are written in key order and read back")
    func roundTrip() throws {
        let message = Message(
            id: "x", name: "t", args: [1], attempt: 3,
            traceContext: ["traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "b": "2"])
        let text = String(decoding: try MessageCodec.encode(message), as: UTF8.self)
        #expect(
            text
                == #"{"args":[1],"attempt":3,"id":"x","name":"t","trace_context":{"b":"2","traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}}"#
        )
        let back = try MessageCodec.decode(Array(text.utf8))
        #expect(back == message)
        #expect(back.attempt == 3)
        #expect(back.traceContext?["traceparent"] == "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
    }

    @Test("missing, null or empty keys read as a first attempt without context")
    func defaults() throws {
        for text in [
            #"{"id":"x","name":"t"}"#, #"{"attempt":null,"id":"x","name":"t","trace_context":null}"#,
            #"{"id":"x","name":"t","trace_context":{}}"#,
        ] {
            let message = try MessageCodec.decode(Array(text.utf8))
            #expect(message.attempt == 1, "\(text)")
            #expect(message.traceContext == nil, "\(text)")
        }
    }

    @Test("a trace context that is not an object of strings is a clear error")
    func malformed() throws {
        for (text, expected) in [
            (#"{"id":"x","name":"t","trace_context":{"traceparent":1}}"#, "field trace_context: expected an object of strings"),
            (#"{"id":"x","name":"t","trace_context":"00-abc"}"#, "field trace_context: expected an object"),
            (#"{"attempt":"2","id":"x","name":"t"}"#, "field attempt: expected an integer"),
        ] {
            let error = try #require(throws: CodecError.self) { try MessageCodec.decode(Array(text.utf8)) }
            #expect(error.message.contains(expected), "\(error.message)")
        }
    }

    @Test("a callback keeps its own trace keys inside the outer message")
    func nested() throws {
        let callback = Message(id: "c", name: "next", attempt: 2, traceContext: ["k": "v"])
        let message = Message(id: "x", name: "t", onComplete: callback)
        let back = try MessageCodec.decode(try MessageCodec.encode(message))
        #expect(back.completionCallback == callback)
    }
}
