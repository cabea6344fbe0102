import Foundation
import Huey
import Testing

/// Bad input gets a clear error and loses nothing (issue 5), on every storage.
@Suite("Hostile input")
struct HostileInputTests {
    private func drain(_ huey: Huey) throws -> Int {
        var count = 0
        while try huey.processNext(owner: .current, in: huey.storage) { count += 1 }
        return count
    }

    @Test("bytes that are not a message go to the dead letters; the rest of the queue runs",
          arguments: StorageBackend.testable)
    func undecodable(backend: StorageBackend) throws {
        let place = try ScratchDirectory()
        let huey = Huey(name: "hostile", storage: try backend.make(name: "hostile", in: place))
        let add = huey.task("add") { (a: Int, b: Int) in a + b }
        let before = try add(1, 1)
        try huey.storage.enqueue(Array("not json".utf8), priority: 0)
        try huey.storage.enqueue([0xFF, 0x00, 0xFE], priority: 0)
        try huey.storage.enqueue(Array(#"{"id": 5, "name": []}"#.utf8), priority: 0)
        let after = try add(2, 2)
        #expect(try drain(huey) == 5)
        #expect(try before() == 2 && after() == 4)
        let dead = try huey.storage.deadItems()
        #expect(dead.count == 3)
        #expect(dead.allSatisfy { $0.reason.contains("malformed message") })
        #expect(dead.map(\.data).contains([0xFF, 0x00, 0xFE]))  // kept byte for byte
    }

    @Test("an unknown task name: dead letter, an error result for the caller, the rest runs",
          arguments: StorageBackend.testable)
    func unknownTask(backend: StorageBackend) throws {
        let place = try ScratchDirectory()
        let huey = Huey(name: "hostile", storage: try backend.make(name: "hostile", in: place))
        let add = huey.task("add") { (a: Int, b: Int) in a + b }
        let ghost = try huey.enqueue(TaskCall(name: "ghost.task", args: [1]))[0]
        let real = try add(3, 4)
        #expect(try drain(huey) == 2)
        #expect(try real() == 7)
        #expect {
            try ghost()
        } throws: { error in
            let exception = error as? TaskException
            return exception?.type == "UnknownTaskError" && exception?.error.contains("ghost.task") == true
        }
        #expect(try huey.storage.deadItems().first?.reason.contains("ghost.task") == true)
    }

    @Test("arguments of the wrong types: a TaskException naming the task and argument; the rest runs",
          arguments: StorageBackend.testable)
    func wrongArguments(backend: StorageBackend) throws {
        let place = try ScratchDirectory()
        let huey = Huey(name: "hostile", storage: try backend.make(name: "hostile", in: place))
        let add = huey.task("add") { (a: Int, b: Int) in a + b }
        let wrongType = try huey.enqueue(TaskCall(name: "add", args: ["one", 2]))[0]
        let tooFew = try huey.enqueue(TaskCall(name: "add", args: [1]))[0]
        let tooMany = try huey.enqueue(TaskCall(name: "add", args: [1, 2, 3]))[0]
        let fine = try add(5, 5)
        #expect(try drain(huey) == 4)
        #expect(try fine() == 10)
        for (result, detail) in [(wrongType, "argument 1"), (tooFew, "missing argument 2"), (tooMany, "expected 2 arguments")] {
            #expect {
                try result()
            } throws: { error in
                let text = (error as? TaskException)?.error ?? ""
                return text.contains("task add") && text.contains(detail)
            }
        }
    }

    @Test("a message over the size limit (16 MiB by default) is refused at enqueue with a clear error",
          arguments: [StorageBackend.memory, .sqlite])
    func enormous(backend: StorageBackend) throws {
        let place = try ScratchDirectory()
        let huey = Huey(name: "hostile", storage: try backend.make(name: "hostile", in: place))
        #expect(huey.maxMessageSize == 16 << 20)
        huey.maxMessageSize = 1 << 20  // the same check, with a smaller message to build
        let echo = huey.task("echo") { (text: String) in text.count }
        #expect {
            try echo(String(repeating: "x", count: huey.maxMessageSize + 1))
        } throws: { error in
            guard let error = error as? CodecError else { return false }
            return error.code == .tooLarge && error.description.contains("echo") && error.description.contains("limit")
        }
        #expect(try huey.pendingCount == 0)
    }

    @Test("a full SQLite database: enqueue throws .full, nothing queued is lost, work resumes after")
    func fullDatabase() throws {
        let place = try ScratchDirectory()
        let storage = try SqliteStorage(name: "hostile", filename: place.file("full.db"))
        let huey = Huey(name: "hostile", storage: storage)
        let echo = huey.task("echo") { (text: String) in text.count }
        let kept = try (0..<5).map { try echo("small \($0)") }
        let pageText: String? = try storage.textRows("PRAGMA page_count").first?.first ?? nil
        let pages = try #require(pageText.flatMap { Int($0) })
        _ = try storage.textRows("PRAGMA max_page_count = \(pages + 2)")
        #expect {
            for _ in 0..<20 { try echo(String(repeating: "y", count: 64 * 1024)) }
        } throws: { error in
            (error as? StorageError)?.code == .full
        }
        let queued = try huey.pendingCount
        #expect(queued >= 5)
        _ = try storage.textRows("PRAGMA max_page_count = 1073741823")
        #expect(try drain(huey) == queued)
        #expect(try kept.map { try $0() } == Array(repeating: 7, count: 5))
    }

    @Test("a scheduled entry that does not decode is moved with priority 0 and then set aside",
          arguments: StorageBackend.testable)
    func undecodableScheduled(backend: StorageBackend) throws {
        let place = try ScratchDirectory()
        let huey = Huey(name: "hostile", storage: try backend.make(name: "hostile", in: place))
        try huey.storage.addToSchedule(Array("{broken".utf8), timestamp: 1)
        #expect(try huey.enqueueDueScheduled() == 1)
        #expect(try drain(huey) == 1)
        #expect(try huey.storage.deadItems().count == 1)
        #expect(try huey.scheduledCount == 0 && huey.pendingCount == 0)
    }
}
