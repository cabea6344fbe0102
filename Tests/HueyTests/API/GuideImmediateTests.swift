import Foundation
import Huey
import Synchronization
import Testing

/// The examples of Huey's guide, in Swift, in immediate mode.
@Suite("Guide examples, immediate mode")
struct GuideImmediateTests {
    let huey = MemoryHuey(name: "guide", immediate: true)

    @Test("add(1, 2) gives 3")
    func addTask() throws {
        let add = huey.task("add") { (a: Int, b: Int) in a + b }
        let result = try add(1, 2)
        #expect(try result() == 3)
        #expect(try result(blocking: true, timeout: 1) == 3)
        #expect(try add.callLocal(3, 4) == 7)
    }

    @Test("a pipeline add.s(1,2).then(add,3).then(add,4).then(add,5) gives [3, 6, 10, 15]")
    func pipeline() throws {
        let add = huey.task("add") { (a: Int, b: Int) in a + b }
        let pipe = add.s(1, 2).then(add, 3).then(add, 4).then(add, 5)
        #expect(try huey.enqueue(pipe).get(blocking: true, timeout: 1) == [3, 6, 10, 15])
        #expect(try huey.enqueue(pipe, as: Int.self).get(blocking: true, timeout: 1) == [3, 6, 10, 15])
    }

    @Test("the fibonacci pipeline with Spread")
    func fibonacci() throws {
        let fib = huey.task("fib") { (a: Int, b: Int) in Spread(a + b, a) }
        let pipe = fib.s(1, 1).then(fib).then(fib).then(fib)
        let values = try huey.enqueue(pipe, as: [Int].self).get(blocking: true, timeout: 1)
        #expect(values == [[2, 1], [3, 2], [5, 3], [8, 5]])
    }

    @Test("map over (i, i*i) for i < 10")
    func map() throws {
        let add = huey.task("add") { (a: Int, b: Int) in a + b }
        let group = try add.map((0..<10).map { ($0, $0 * $0) })
        #expect(try group.get(blocking: true, timeout: 1) == [0, 2, 6, 12, 20, 30, 42, 56, 72, 90])
        #expect(group.count == 10)
    }

    @Test("a revoke-once skips exactly one call")
    func revokeOnce() throws {
        let runs = Mutex(0)
        let count = huey.task("count") { () -> Int in runs.withLock { $0 += 1; return $0 } }
        try count.revoke(once: true)
        #expect(try count.isRevoked())
        let first = try count()
        #expect(try first() == nil)
        #expect(try !count.isRevoked())
        #expect(try count()() == 1)
        #expect(try count()() == 2)
        #expect(runs.withLock { $0 } == 2)
    }

    @Test("a scheduled call in immediate mode shows up in scheduled()")
    func scheduledImmediate() throws {
        let add = huey.task("add") { (a: Int, b: Int) in a + b }
        let result = try add.schedule(args: (3, 4), delay: 60)
        #expect(try result() == nil)
        let scheduled = try huey.scheduled()
        #expect(scheduled.map(\.id) == [result.id])
        #expect(scheduled.first?.args == [3, 4])
        #expect(try huey.scheduledCount == 1)
    }

    @Test("a failing task surfaces a TaskException with the error text")
    func failure() throws {
        struct Boom: Error, CustomStringConvertible { var description: String { "boom" } }
        let fail = huey.task("fail") { () throws -> Int in throw Boom() }
        let result = try fail()
        #expect {
            try result()
        } throws: { error in
            guard let exception = error as? TaskException else { return false }
            return exception.error == "boom" && exception.type == "Boom" && exception.taskID == result.id
        }
    }

    @Test("retries: a task failing twice then succeeding with retries: 2")
    func retries() throws {
        let attempts = Mutex(0)
        let flaky = huey.task("flaky", retries: 2) { () throws -> String in
            let attempt = attempts.withLock { $0 += 1; return $0 }
            if attempt < 3 { throw CancelExecution() }
            return "ok after \(attempt)"
        }
        #expect(try flaky()() == "ok after 3")
    }

    @Test("Void tasks run and store nothing")
    func voidTask() throws {
        let seen = Mutex<[String]>([])
        let log = huey.task("log") { (line: String) in seen.withLock { $0.append(line) } }
        try log("hello")
        #expect(seen.withLock { $0 } == ["hello"])
        #expect(try huey.resultCount == 0)
    }

    @Test("context tasks see their own call")
    func context() throws {
        let whoami = huey.task("whoami", retries: 3, context: true) { (task: TaskContext, x: Int) in
            "\(task.name) \(task.retries) \(x)"
        }
        #expect(try whoami(5)() == "whoami 3 5")
    }

    @Test("signals fire for enqueue, execute and complete")
    func signals() throws {
        let seen = Mutex<[HueySignal]>([])
        huey.signal { signal, _, _ in seen.withLock { $0.append(signal) } }
        let add = huey.task("add") { (a: Int, b: Int) in a + b }
        _ = try add(1, 2)
        #expect(seen.withLock { $0 } == [.enqueued, .executing, .complete])
    }

    @Test("a chord passes every member's result to its callback")
    func chord() throws {
        let add = huey.task("add") { (a: Int, b: Int) in a + b }
        let sum = huey.task("sum") { (values: [Int]) in values.reduce(0, +) }
        let result = try huey.enqueue(group([add.s(1, 1), add.s(2, 2), add.s(3, 3)]).then(sum), as: Int.self)
        #expect(try result(blocking: true, timeout: 1) == 12)
    }

    @Test("on_error handler receives the error")
    func onError() throws {
        struct Bad: Error {}
        let seen = Mutex<[String]>([])
        let fail = huey.task("fail") { () throws -> Int in throw Bad() }
        let handler = huey.task("handler") { (error: TaskException) in seen.withLock { $0.append(error.type) } }
        try huey.enqueue(fail.s().error(handler))
        #expect(seen.withLock { $0 } == ["Bad"])
    }

    @Test("arguments that do not decode give a TaskException naming the task")
    func badArguments() throws {
        let add = huey.task("add") { (a: Int, b: Int) in a + b }
        let call = try huey.enqueue(add.s(1, 2))
        _ = call
        let wrong = TaskCall(name: "add", args: ["x", 2])
        let result = try huey.enqueue(wrong)[0]
        #expect {
            try result()
        } throws: { error in
            (error as? TaskException)?.error.contains("task add") == true
        }
    }
}
