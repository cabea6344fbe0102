import Foundation
import Huey
import HueyTestSupport
import Testing

extension ConsumerProcessTests {
    /// A graceful stop (SIGINT), a restart (SIGHUP) or a retirement (SIGTTOU) reaches a
    /// worker only between tasks: a task body's blocking system calls are never cut short.
    /// The tasks here make ONE plain `usleep` and ONE blocking `read`, which a signal
    /// handler in the worker would end early with EINTR.
    @Suite("A graceful stop never touches a running task")
    struct UntouchedTasks {
        @Test("A plain 3 s usleep and a blocking read on a pipe run untouched through the signal",
              .timeLimit(.minutes(1)), arguments: [SIGINT, SIGHUP, SIGTTOU])
        func blockingCallsSurvive(signal: Int32) throws {
            let fixture = try ConsumerFixture()
            defer { fixture.stop() }
            let master = try fixture.start(["consume", "-w", "2", "-k", "process"])
            try #require(fixture.waitForWorkers(of: master, count: 2) != nil, "\(fixture.log)")

            let fifo = try makeFifo(fixture.file("in.fifo"))
            let sleepMarker = fixture.file("sleep.marker")
            let readMarker = fixture.file("read.marker")
            let sleeper = try fixture.tasks.plainSleep(3, sleepMarker)
            let reader = try fixture.tasks.readFifo(fifo, readMarker)
            // Both workers are inside their task's blocking call (SIGTTOU then retires a busy one).
            try #require(
                poll(timeout: 10) { lines(of: sleepMarker).count == 1 && lines(of: readMarker).count == 1 },
                "tasks never started; \(fixture.log)")

            master.send(signal)
            let slept = try sleeper(blocking: true, timeout: 15)
            note("\(signalName(signal)): the 3 s usleep took \(slept.end - slept.start) s")
            #expect(slept.value == 0, "usleep was interrupted (returned \(slept.value)); \(fixture.log)")
            #expect(slept.end - slept.start >= 2.95, "the sleep was cut short: \(slept)")
            // The read had the whole sleep (≥ 2.9 s after the signal) to be interrupted.
            #expect(try reader() == nil, "the blocking read returned early; \(fixture.log)")

            try writeByte(to: fifo)
            let read = try reader(blocking: true, timeout: 15)
            #expect(read.value == 1, "read returned \(read.value) instead of the byte; \(fixture.log)")
            #expect(lines(of: sleepMarker).count == 1 && lines(of: readMarker).count == 1, "a task ran again")

            switch signal {
            case SIGINT:
                #expect(exited(master.waitForExit(timeout: 15), code: 0), "\(fixture.log)")
            case SIGHUP:
                #expect(poll(timeout: 15) { master.standardError.contains("Consumer restarting") }, "\(fixture.log)")
                #expect(master.isRunning)
            default:
                #expect(fixture.waitForWorkers(of: master, count: 1) != nil, "\(fixture.log)")
            }
        }

        @Test("SIGTTOU retires the idle worker, not the newest one busy with a task", .timeLimit(.minutes(1)))
        func ttouRetiresIdleWorker() throws {
            let fixture = try ConsumerFixture()
            defer { fixture.stop() }
            let master = try fixture.start(["consume", "-w", "2", "-k", "process"])
            try #require(fixture.waitForWorkers(of: master, count: 2) != nil, "\(fixture.log)")

            let fifos = try ["a.fifo", "b.fifo"].map { try makeFifo(fixture.file($0)) }
            let markers = ["a.marker", "b.marker"].map { fixture.file($0) }
            let calls = try (0..<2).map { try fixture.tasks.readFifo(fifos[$0], markers[$0]) }
            try #require(poll(timeout: 10) { markers.allSatisfy { lines(of: $0).count == 1 } }, "\(fixture.log)")
            let pids = markers.map { Int32(lines(of: $0)[0].split(separator: " ")[0]) ?? 0 }
            let numbers = try pids.map { pid in
                try #require(workerNumber(of: pid, in: master.standardError), "no start line for \(pid)")
            }
            // Free the OLDER worker, so that the newest one — the one retired before — is busy.
            let older = numbers[0] < numbers[1] ? 0 : 1
            let newer = 1 - older
            try writeByte(to: fifos[older])
            #expect(try calls[older](blocking: true, timeout: 10).value == 1)

            master.send(SIGTTOU)
            let left = fixture.waitForWorkers(of: master, count: 1, timeout: 5)
            #expect(left?.map(\.pid) == [pids[newer]], "retired the wrong worker: \(String(describing: left)); \(fixture.log)")
            #expect(try calls[newer]() == nil, "the busy worker's read was interrupted; \(fixture.log)")

            try writeByte(to: fifos[newer])
            let ran = try calls[newer](blocking: true, timeout: 10)
            #expect(ran.value == 1 && ran.pid == pids[newer], "\(ran)")
            // One worker from now on: the busy one kept working. A call due in 1 s runs once
            // the master has ticked after that (time enough to start a wrongly wanted worker).
            let later = try fixture.tasks.work.schedule(args: (99, 0), delay: 1)
            #expect(try later(blocking: true, timeout: 20).pid == pids[newer], "\(fixture.log)")
            #expect(fixture.workers(of: master).map(\.pid) == [pids[newer]], "\(fixture.log)")
        }

        @Test("-k thread: SIGTTOU retires the idle thread, not the newest one busy with a task", .timeLimit(.minutes(1)))
        func ttouRetiresIdleThread() throws {
            let fixture = try ConsumerFixture()
            defer { fixture.stop() }
            let master = try fixture.start(["consume", "-w", "2", "-k", "thread", "-v"])
            let fifos = try ["a.fifo", "b.fifo"].map { try makeFifo(fixture.file($0)) }
            let markers = ["a.marker", "b.marker"].map { fixture.file($0) }
            let calls = try (0..<2).map { try fixture.tasks.readFifo(fifos[$0], markers[$0]) }
            try #require(poll(timeout: 10) { markers.allSatisfy { lines(of: $0).count == 1 } }, "\(fixture.log)")
            // "<pid> huey-worker-<n>": free the task of the OLDER thread; the newest stays busy.
            let threadNumbers = markers.map { Int(lines(of: $0)[0].split(separator: "-").last ?? "") ?? 0 }
            try #require(Set(threadNumbers).count == 2, "\(markers.map { lines(of: $0) })")
            let older = threadNumbers[0] < threadNumbers[1] ? 0 : 1
            let newer = 1 - older
            let idleLine = "worker thread \(threadNumbers[older]) idle"
            let idleBefore = master.standardError.components(separatedBy: idleLine).count
            try writeByte(to: fifos[older])
            #expect(try calls[older](blocking: true, timeout: 10).value == 1)
            // Its result is stored before the thread looks for more work and finds none: wait
            // until it says it is idle, or SIGTTOU finds no idle thread to retire.
            try #require(poll(timeout: 10) { master.standardError.components(separatedBy: idleLine).count > idleBefore },
                         "\(fixture.log)")

            master.send(SIGTTOU)
            #expect(poll(timeout: 5) { master.standardError.contains("worker thread \(threadNumbers[older]) stopping") },
                    "\(fixture.log)")
            // The only thread left is the busy one: a new call waits for it.
            let next = try fixture.tasks.work(7, 0)
            #expect(try !poll(timeout: 1) { try next() != nil }, "a new call ran while the remaining thread was busy")
            #expect(try calls[newer]() == nil)
            try writeByte(to: fifos[newer])
            #expect(try calls[newer](blocking: true, timeout: 10).value == 1)
            #expect(try next(blocking: true, timeout: 10).value == 7)
        }
    }
}

/// Makes a named pipe at `path` and returns the path.
private func makeFifo(_ path: String) throws -> String {
    guard mkfifo(path, 0o600) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    return path
}

/// Writes one byte to the named pipe `path` (a task holds it open for reading).
private func writeByte(to path: String) throws {
    let fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
    guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    defer { close(fd) }
    var byte: UInt8 = 33
    guard write(fd, &byte, 1) == 1 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
}

/// The worker number the master logged for `pid` ("Started worker N (pid P).").
private func workerNumber(of pid: Int32, in log: String) -> Int? {
    for line in log.split(separator: "\n") where line.hasSuffix("(pid \(pid)).") {
        guard let range = line.range(of: "Started worker ") else { continue }
        return Int(line[range.upperBound...].prefix { $0.isNumber })
    }
    return nil
}

/// "SIGINT" for a signal number, for test notes.
private func signalName(_ signal: Int32) -> String {
    switch signal {
    case SIGINT: return "SIGINT"
    case SIGHUP: return "SIGHUP"
    case SIGTTOU: return "SIGTTOU"
    default: return "signal \(signal)"
    }
}
