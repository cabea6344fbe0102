import Foundation
import Huey

/// The tour's sections, in the order of Huey's guide.
struct Tour {
    let huey: Huey
    let tasks: DemoTasks
    let consumer: TourConsumer
    let scheduleDelay: Double
    let sectionCount = 11
    private let wait = 20.0  // the longest any section waits for a result

    func walk() throws {
        try section(1, "Starting a consumer") {
            let pid = try tasks.whereAmI()(blocking: true, timeout: wait)
            let workers = consumer.workerPIDs.map(String.init).joined(separator: ", ")
            return "master pid \(consumer.pid) forked workers [\(workers)]; the first call ran in pid \(pid)"
        }
        try section(2, "Calling a task") {
            let result = try tasks.add(1, 2)
            return "add(1, 2) → \(try result(blocking: true, timeout: wait))  (result id \(result.id.prefix(8))…)"
        }
        try section(3, "Scheduling (the guide's 10 s, shortened to \(format(scheduleDelay)) s)") {
            let enqueued = Date()
            let result = try tasks.add.schedule(args: (3, 4), delay: scheduleDelay)
            let value = try result(blocking: true, timeout: wait + scheduleDelay)
            return "add.schedule((3, 4), delay: \(format(scheduleDelay))) → \(value) after \(since(enqueued)) s"
        }
        try section(4, "Retries (retries: 2, retryDelay: 1)") { try retries() }
        try section(5, "Priorities") { try priorities() }
        try section(6, "Revoking and restoring") {
            let revoked = try tasks.add.schedule(args: (1, 1), delay: 1)
            try revoked.revoke()
            let restored = try tasks.add.schedule(args: (2, 2), delay: 1)
            try restored.revoke()
            try restored.restore()
            let value = try restored(blocking: true, timeout: wait)
            try waitForSignal(.revoked, atLeast: 1)
            return "revoked call skipped (result: \(try revoked().map(String.init) ?? "none")); restored call → \(value)"
        }
        try section(7, "Expiration") { try expiration() }
        try section(8, "Pipelines") {
            let add = tasks.add
            let sums = try huey.enqueue(add.s(1, 2).then(add, 3).then(add, 4).then(add, 5), as: Int.self)
            let fib = tasks.fib
            let fibs = try huey.enqueue(fib.s(1, 1).then(fib).then(fib).then(fib), as: [Int].self)
            return "add.s(1, 2).then(add, 3).then(add, 4).then(add, 5) → \(try sums.get(blocking: true, timeout: wait)); "
                + "fibonacci with Spread → \(try fibs.get(blocking: true, timeout: wait))"
        }
        try section(9, "Map and chords") {
            let squares = try tasks.add.map((0..<10).map { ($0, $0 * $0) })
            let chord = try huey.enqueue(group([tasks.add.s(1, 1), tasks.add.s(2, 2)]).then(tasks.total), as: Int.self)
            return "map(add, (i, i*i)) → \(try squares.get(blocking: true, timeout: wait)); "
                + "group([add(1,1), add(2,2)]).then(total) → \(try chord(blocking: true, timeout: wait))"
        }
        try section(10, "Locks") { try locks() }
        try section(11, "Signals seen by the workers") {
            let counts = try HueySignal.allCases.compactMap { signal -> String? in
                let count = try huey.storage.increment(key: "demo.signal.\(signal.rawValue)", by: 0)
                return count > 0 ? "\(signal.rawValue) \(count)" : nil
            }
            return counts.joined(separator: ", ")
        }
    }

    /// Occupies one worker, enqueues five calls with priorities 0…90 in one transaction, and
    /// shows the order the other worker ran them in.
    private func priorities() throws -> String {
        let blocker = try tasks.stamp(-1, 1.5)
        guard try waitUntil(timeout: wait, { try huey.pendingCount == 0 }) else {
            throw TourError("the blocking call was never claimed")
        }
        let calls = [0, 1, 10, 50, 90].map { tasks.stamp.s($0, 0.05, priority: Double($0)) }
        let results = try huey.enqueue(calls).map { $0[0] }
        var runs: [StampedRun] = []
        for result in results {
            runs.append(try JSONCodec.convert(try result(blocking: true, timeout: wait), to: StampedRun.self))
        }
        _ = try blocker(blocking: true, timeout: wait)
        let order = runs.sorted { $0.started < $1.started }.map { String($0.priority) }
        return "enqueued with priorities 0, 1, 10, 50, 90 → ran as \(order.joined(separator: ", "))"
    }

    /// As in Huey's guide: each failed attempt stores its error, so the caller sees a
    /// `TaskException` while retries remain; `reset()` then reads the next attempt.
    private func retries() throws -> String {
        let started = Date()
        let result = try tasks.flaky()
        var seen: [String] = []
        while true {
            do {
                let value = try result(blocking: true, timeout: wait)
                return "flaky() → \(seen.joined(separator: ", ")), then reset() → \(value), \(since(started)) s in all"
            } catch let error as TaskException where error.retries > 0 {
                seen.append("TaskException (\(error.retries) retries left)")
                result.reset()
            }
        }
    }

    /// The guide's rule: a call must start within `expires` seconds of being enqueued for
    /// execution — for a scheduled call, of the scheduler moving it to the queue. A call
    /// that waits behind busy workers past its expiry is skipped.
    private func expiration() throws -> String {
        let scheduled = try tasks.add.schedule(args: (5, 5), delay: 2, expires: 1)
        let value = try scheduled(blocking: true, timeout: wait)
        let blockers = try [tasks.stamp(-1, 2), tasks.stamp(-1, 2)]
        guard try waitUntil(timeout: wait, { try huey.pendingCount == 0 }) else {
            throw TourError("the blocking calls were never claimed")
        }
        _ = try tasks.add(6, 6, expires: 0.5)
        try waitForSignal(.expired, atLeast: 1)
        for blocker in blockers { _ = try blocker(blocking: true, timeout: wait) }
        return "add.schedule((5, 5), delay: 2, expires: 1) → \(value) (the 1 s counts from the scheduler "
            + "enqueueing it); add(6, 6, expires: 0.5) behind two busy workers was skipped (signal: expired)"
    }

    /// The tour holds the "reports" lock; a worker's `report` call is refused, then runs
    /// once the lock is free.
    private func locks() throws -> String {
        let refused = try huey.lockTask("reports") { () throws -> String in
            let nested = (try? huey.lockTask("reports") { true }) == nil
            let call = try tasks.report("q3")
            do {
                _ = try call(blocking: true, timeout: wait)
                return "not refused (unexpected)"
            } catch let error as TaskException {
                return "while the tour holds it, a second holder here is \(nested ? "refused" : "allowed"), "
                    + "and the worker's call fails with \(error.type)"
            }
        }
        let value = try tasks.report("q3")(blocking: true, timeout: wait)
        return "\(refused); released → \(value.debugDescription)"
    }

    private func waitForSignal(_ signal: HueySignal, atLeast count: Int) throws {
        let key = "demo.signal.\(signal.rawValue)"
        guard try waitUntil(timeout: wait, { try huey.storage.increment(key: key, by: 0) >= count }) else {
            throw TourError("no \(signal.rawValue) signal within \(Int(wait)) s")
        }
    }

    private func section(_ number: Int, _ title: String, _ body: () throws -> String) throws {
        print("[\(number)/\(sectionCount)] \(title)")
        print("       \(try body())")
    }

    private func since(_ date: Date) -> String { format(Date().timeIntervalSince(date)) }
    private func format(_ seconds: Double) -> String { String(format: "%.1f", seconds) }

    private func waitUntil(timeout: Double, _ condition: () throws -> Bool) throws -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while Date() < deadline {
            if try condition() { return true }
            usleep(10_000)
        }
        return try condition()
    }
}

/// A tour section did not see what it expected.
struct TourError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
