import Foundation
import Huey
import Testing

@Suite("Message JSON: one writer and one reader")
struct MessageJSONTests {
    private func foundationBytes<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    @Test("every path gives the wire writer's bytes and reads back through the wire reader")
    func sameBytes() throws {
        let messages = [
            MessageCodecTests.full, Message(id: "x", name: "add", args: [1, 2]),
            Message(id: "y", name: "t", eta: 1_700_000_000.123456, expires: .at(1_800_000_000.5), timeout: 0.25),
        ]
        for message in messages {
            let bytes = try MessageCodec.encode(message)
            #expect(bytes == (try foundationBytes(message)))
            let tree = try JSONCodec.decode(JSONValue.self, from: bytes)
            #expect(bytes == (try JSONWriter.encode(JSONCodec.value(message))))
            #expect(bytes == (try JSONCodec.encode(message)))
            #expect(try JSONValueEncoder().encode(message) == tree)
            #expect(try JSONCodec.convert(tree, to: Message.self) == message)
            #expect(try JSONCodec.decode([String: Message].self, from: JSONCodec.encode(["m": message])) == ["m": message])
            #expect(try JSONCodec.decode(Message.self, from: bytes) == message)
            #expect(try JSONDecoder().decode(Message.self, from: Data(bytes)) == message)
        }
    }

    @Test("messages from other producers: floats for ints, nulls for defaults, extra keys")
    func otherProducers() throws {
        let text = #"""
            {"id":"p1","name":"tasks.add","args":[1,2],"kwargs":{},"retries":3.0,"retry_delay":1,"retry_backoff":null,
             "priority":null,"eta":null,"on_complete":null,"on_error":null,"expires":{"at":1800000000},
             "expires_resolved":null,"timeout":null,"chord_config":null,"python_only":{"x":[1]}}
            """#
        let message = try MessageCodec.decode(Array(text.utf8))
        #expect(message.retries == 3 && message.retryDelay == 1 && message.retryBackoff == 1)
        #expect(message.expires == .at(1_800_000_000) && message.args == [1, 2] && message.priority == nil)
    }

    @Test("wrong types name the field, nested callbacks included", arguments: [
        (#"{"id":"x","name":"a","retries":"3"}"#, "field retries: expected an integer, found a string"),
        (#"{"id":"x","name":"a","retries":1.5}"#, "field retries: expected an integer, found number"),
        (#"{"id":"x","name":"a","args":{}}"#, "field args: expected an array, found a dictionary"),
        (#"{"id":"x","name":"a","on_complete":{"id":"y","name":"b","eta":"soon"}}"#, "field on_complete.eta: expected a number"),
        (#"{"id":"x","name":"a","on_error":{"name":"b"}}"#, "missing key on_error.id"),
        (#"{"id":"x","name":"a","expires":"later"}"#, "field expires: expected a number or"),
        (#"{"id":"x","name":"a","chord_config":{"cid":"c","size":2,"idx":0}}"#, "field chord_config.callback: missing"),
        (#"{"id":"x","name":7}"#, "field name: expected a string, found number"),
        ("[1]", "a message must be a JSON object, found an array"),
        (#"{"id":"x","name":"a""#, "invalid JSON at byte 20"),
        (#"{"id":"x","#, "unexpected end of input in an object"),
        (#"{"id" "x"}"#, "expected ':' after an object key"),
        (#"{"id":"x" "name":"a"}"#, "expected ',' or '}' in an object"),
        (#"{"id":"x",7:1}"#, "expected a string key in an object"),
    ])
    func wrongTypes(text: String, expected: String) {
        #expect {
            try MessageCodec.decode(Array(text.utf8))
        } throws: { error in
            guard let error = error as? CodecError, error.code == .malformed else { return false }
            return error.message.contains(expected)
        }
    }

    @Test("Codable reads through the wire reader: same defaults, errors name the field")
    func codableUsesTheWireReader() throws {
        let sparse = Array(#"{"id":"x","name":"a","retries":2.0,"extra":1}"#.utf8)
        #expect(try JSONCodec.decode(Message.self, from: sparse) == MessageCodec.decode(sparse))
        #expect(try JSONDecoder().decode(Message.self, from: Data(sparse)) == MessageCodec.decode(sparse))
        #expect {
            try JSONCodec.decode(Message.self, from: Array(#"{"id":"x","name":"a","on_error":{"name":"b"}}"#.utf8))
        } throws: { error in
            guard case DecodingError.dataCorrupted(let context) = error else { return false }
            return context.debugDescription == "missing key on_error.id" && context.underlyingError is CodecError
        }
        #expect(throws: EncodingError.self) { try JSONCodec.value(Message(id: "x", name: "a", eta: .nan)) }
    }

    @Test("error envelopes match the Foundation path and tolerate missing fields")
    func errorEnvelope() throws {
        let info = ErrorInfo(error: "boom \"x\"", retries: 2, traceback: "tb\nline", taskID: "id-1", type: "Boom")
        let bytes = try MessageCodec.encode(.error(info))
        #expect(bytes == (try foundationBytes(["__huey_error__": info])))
        let sparse = try MessageCodec.decodeOutcome(Array(#"{"__huey_error__":{"error":"e"}}"#.utf8))
        #expect(sparse == .error(ErrorInfo(error: "e", retries: 0, traceback: "", taskID: "", type: "Error")))
        #expect {
            try MessageCodec.decodeOutcome(Array(#"{"__huey_error__":{"retries":"x"}}"#.utf8))
        } throws: { ($0 as? CodecError)?.code == .malformed }
        #expect(try MessageCodec.decodeOutcome(MessageCodec.encode(.value(["a": 1.5]))) == .value(["a": 1.5]))
    }
}
