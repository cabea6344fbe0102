import Foundation
import Huey
import Testing

/// Keyword arguments (issue 12 item 6): a call's `kwargs` — from a Python producer or a
/// dictionary result of the previous stage — bind by name to a task that declares
/// `argumentNames`; without names they fail with an error naming the task and the keyword.
@Suite("Keyword arguments")
struct KeywordArgumentTests {
    let huey = MemoryHuey(name: "kwargs")
    let owner = ClaimOwner.current

    func drain() throws {
        while try huey.processNext(owner: owner, in: huey.storage) {}
    }

    /// Enqueues a raw message, as a Python producer writes it.
    func enqueue(_ name: String, args: [JSONValue] = [], kwargs: [String: JSONValue]) throws -> String {
        let message = Message(name: name, args: args, kwargs: kwargs)
        try huey.storage.enqueue(try MessageCodec.encode(message), priority: 0)
        return message.id
    }

    func failure(_ id: String) throws -> TaskException {
        do {
            _ = try huey.result(id: id, as: JSONValue.self)
        } catch let error as TaskException {
            return error
        }
        Issue.record("no error result for \(id)")
        return TaskException(ErrorInfo(error: "", retries: 0, traceback: "", taskID: id, type: ""))
    }

    @Test("kwargs bind by name: add(b=2, a=10), add(1, b=5)")
    func bindsByName() throws {
        huey.task("tasks.sub", argumentNames: ["a", "b"]) { (a: Int, b: Int) in a - b }
        let allKeywords = try enqueue("tasks.sub", kwargs: ["b": 2, "a": 10])
        let mixed = try enqueue("tasks.sub", args: [1], kwargs: ["b": 5])
        try drain()
        #expect(try huey.result(id: allKeywords, as: Int.self) == 8)
        #expect(try huey.result(id: mixed, as: Int.self) == -4)
    }

    @Test("without argumentNames, kwargs fail with an error naming the task and the keyword")
    func noNames() throws {
        huey.task("tasks.add") { (a: Int, b: Int) in a + b }
        let id = try enqueue("tasks.add", args: [1], kwargs: ["b": 2])
        try drain()
        let error = try failure(id)
        #expect(error.type == "ArgumentDecodingError")
        #expect(error.error.contains("tasks.add"))
        #expect(error.error.contains("\"b\""))
        #expect(error.error.contains("argumentNames"))
    }

    @Test("an unknown keyword, a repeated and a missing argument are named")
    func badKeywords() throws {
        huey.task("tasks.sub", argumentNames: ["a", "b"]) { (a: Int, b: Int) in a - b }
        let unknown = try enqueue("tasks.sub", kwargs: ["a": 1, "c": 2])
        let twice = try enqueue("tasks.sub", args: [1], kwargs: ["a": 2])
        let missing = try enqueue("tasks.sub", kwargs: ["a": 1])
        try drain()
        #expect(try failure(unknown).error.contains("unexpected keyword argument \"c\""))
        #expect(try failure(twice).error.contains("multiple values for argument \"a\""))
        #expect(try failure(missing).error.contains("missing argument \"b\""))
    }

    @Test("test_pipeline dict rule — a dictionary result fills the next stage's keywords (setdefault)")
    func dictionaryResultBindsByName() throws {
        let split = huey.task("tasks.split") { (total: Int) in ["a": total, "b": 1] }
        let sub = huey.task("tasks.sub", argumentNames: ["a", "b"]) { (a: Int, b: Int) in a - b }
        let result = try huey.enqueue(split.s(10).then(sub), as: JSONValue.self)
        try drain()
        #expect(try result.get(blocking: true, timeout: 5) == [.object(["a": 10, "b": 1]), 9])
    }

    @Test("a dictionary result goes to a task without names as one argument, as before")
    func dictionaryResultPositional() throws {
        let split = huey.task("tasks.split") { (total: Int) in ["a": total] }
        let count = huey.task("tasks.count") { (values: [String: Int]) in values.count }
        let result = try huey.enqueue(split.s(10).then(count), as: JSONValue.self)
        try drain()
        #expect(try result.get(blocking: true, timeout: 5) == [.object(["a": 10]), 1])
    }
}
