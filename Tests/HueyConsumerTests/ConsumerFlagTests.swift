import Foundation
import Huey
import HueyTestSupport
import Testing

extension ConsumerProcessTests {
    /// Each `consume` flag, seen doing what it says through a real consumer.
    @Suite("consume flags at work")
    struct FlagBehaviour {
        @Test("-k thread -w 2: tasks run in the consumer's own process, two at a time; SIGINT lets a running task finish",
              .timeLimit(.minutes(1)))
        func threadWorkersEndToEnd() throws {
            let fixture = try ConsumerFixture()
            defer { fixture.stop() }
            let master = try fixture.start(["consume", "-w", "2", "-k", "thread"])
            // Two 1 s tasks side by side: they overlap in time when two threads run them.
            let pair = try fixture.tasks.work.map([(1, 1000), (2, 1000)]).get(blocking: true, timeout: 20)
            #expect(pair.allSatisfy { $0.pid == master.pid }, "ran outside the consumer process: \(pair)")
            #expect(pair[0].start < pair[1].end && pair[1].start < pair[0].end, "not concurrent: \(pair)")
            let values = try fixture.tasks.work.map((0..<20).map { ($0, 0) }).get(blocking: true, timeout: 20)
            #expect(values.map(\.value) == Array(0..<20))
            #expect(fixture.workers(of: master).isEmpty, "thread mode forked: \(fixture.workers(of: master))")

            let marker = fixture.file("nap.marker")
            let nap = try fixture.tasks.nap(2, marker)
            try #require(poll(timeout: 10) { lines(of: marker).count == 1 }, "\(fixture.log)")
            master.send(SIGINT)
            #expect(exited(master.waitForExit(timeout: 15), code: 0), "\(fixture.log)")
            let ran = try #require(try nap(), "the running task did not finish; \(fixture.log)")
            #expect(ran.end - ran.start >= 1.95 && ran.pid == master.pid)
        }

        /// An idle worker sleeps in `waitForWork` for the current delay, so the number of
        /// times it goes to sleep (voluntary context switches) shows its delays: with
        /// `-d 0.01 -b 1` it stays at 10 ms; with `-b 2` it grows to `-m 2` within a few waits
        /// (about 2.6 s of idling, so the -b 2 rate is measured from 3 s on). Rates are measured
        /// over one-second windows, again until each is where it should settle (or 15 s pass),
        /// so a worker slow to start idling on a busy machine only makes the test wait longer.
        @Test("-b: an idle worker's wait grows by the backoff factor (-b 2) or stays at -d (-b 1)",
              .timeLimit(.minutes(1)))
        func backoffSlowsIdlePolling() throws {
            func idleSwitchesPerSecond(
                backoff: String, after ramp: UInt32 = 0, until settled: (Double) -> Bool
            ) throws -> Double {
                let fixture = try ConsumerFixture()
                defer { fixture.stop() }
                let master = try fixture.start(
                    ["consume", "-w", "1", "-k", "process", "-d", "0.01", "-m", "2", "-b", backoff])
                let worker = try #require(fixture.waitForWorkers(of: master, count: 1)?.first, "\(fixture.log)")
                usleep(ramp)  // the delay's ramp, not a wait for an event
                let deadline = now() + 15
                var rate = 0.0
                repeat {
                    let first = try #require(ProcessTable.voluntaryContextSwitches(of: worker.pid))
                    let start = now()
                    usleep(1_000_000)  // the measuring window, not a wait for an event
                    let second = try #require(ProcessTable.voluntaryContextSwitches(of: worker.pid))
                    rate = Double(second - first) / (now() - start)
                } while !settled(rate) && now() < deadline
                return rate
            }
            let flat = try idleSwitchesPerSecond(backoff: "1") { $0 >= 30 }
            let growing = try idleSwitchesPerSecond(backoff: "2", after: 3_000_000) { $0 <= 10 }
            note("-b: idle worker sleeps \(flat)/s with -d 0.01 -b 1, \(growing)/s with -b 2 -m 2")
            #expect(flat >= 30, "-b 1 -d 0.01 should wake about 100 times a second, woke \(flat)/s")
            #expect(growing <= 10, "-b 2 -m 2 should wake a few times a second within 15 s, woke \(growing)/s")
        }

        @Test("-l: the log goes to the file, master and worker lines alike, and not to standard error",
              .timeLimit(.minutes(1)))
        func logfile() throws {
            let fixture = try ConsumerFixture()
            defer { fixture.stop() }
            let path = fixture.file("consumer.log")
            let master = try fixture.start(["consume", "-w", "1", "-k", "process", "-v", "-l", path])
            try #require(fixture.waitForWorkers(of: master, count: 1) != nil, "\(fixture.log)")
            #expect(try fixture.tasks.work(3, 0)(blocking: true, timeout: 10).value == 3)
            master.send(SIGINT)
            #expect(exited(master.waitForExit(timeout: 10), code: 0))
            let log = lines(of: path)
            #expect(log.contains { $0.contains("[master \(master.pid)] Huey consumer started") }, "\(log)")
            #expect(log.contains { $0.contains("[worker ") }, "\(log)")
            #expect(log.last?.hasSuffix("Consumer exiting.") == true, "\(log)")
            #expect(master.standardError.isEmpty, "\(master.standardError)")
        }

        @Test("-n: no periodic task is enqueued while three (simulated) minute boundaries pass",
              .timeLimit(.minutes(1)))
        func noPeriodic() throws {
            let fixture = try ConsumerFixture()
            defer { fixture.stop() }
            let periodic = fixture.file("periodic.log")
            // HUEY_TEST_TIME_SCALE=60: a real second is a minute of the consumer's clock, and
            // HUEY_TEST_PERIODIC_FILE registers `record`, due every minute.
            let master = try fixture.start(
                ["consume", "-w", "1", "-k", "process", "-s", "1", "-n"],
                environment: ["HUEY_TEST_TIME_SCALE": "60", "HUEY_TEST_PERIODIC_FILE": periodic])
            try #require(fixture.waitForWorkers(of: master, count: 1) != nil, "\(fixture.log)")
            // Due 180 s from now on the consumer's clock: it runs once three minute boundaries
            // have passed there (about 3 real seconds).
            let probe = try fixture.tasks.work.schedule(args: (1, 0), delay: 180)
            #expect(try probe(blocking: true, timeout: 20).value == 1, "\(fixture.log)")
            #expect(lines(of: periodic).isEmpty, "a periodic task was enqueued: \(lines(of: periodic))")
            #expect(master.standardError.contains("Periodic tasks are disabled."), "\(fixture.log)")
        }

        @Test("-t 1: a graceful stop waits 1 s for a 30 s task, then interrupts it back into the queue",
              .timeLimit(.minutes(1)))
        func shutdownTimeoutBoundsGracefulStop() throws {
            let fixture = try ConsumerFixture()
            defer { fixture.stop() }
            let master = try fixture.start(["consume", "-w", "1", "-k", "process", "-t", "1"])
            try #require(fixture.waitForWorkers(of: master, count: 1) != nil, "\(fixture.log)")
            let marker = fixture.file("long.marker")
            let long = try fixture.tasks.longOnce(30, marker)
            try #require(poll(timeout: 10) { lines(of: marker).count == 1 }, "\(fixture.log)")

            master.send(SIGINT)
            let signaledAt = now()
            let exit = master.waitForExit(timeout: 15)
            let took = now() - signaledAt
            note("-t 1: graceful stop of a 30 s task took \(took) s")
            #expect(exited(exit, code: 0), "\(fixture.log)")
            // 1 s of waiting, then SIGTERM (and SIGKILL after a 1 s grace at worst): well
            // under the task's 30 s, with room for a loaded machine.
            #expect(took >= 0.9 && took <= 10, "stopped after \(took) s; \(fixture.log)")
            #expect(master.standardError.contains("Shutdown timeout of 1 s elapsed"), "\(fixture.log)")
            #expect(try long() == nil)
            let pending = try fixture.huey.pending()
            #expect(pending.map(\.id) == [long.id], "the task was not put back; \(fixture.log)")
            #expect(pending.first?.retries == 2, "the interrupted task used a retry")
        }

        @Test("-g TERM: SIGTERM stops gracefully (the task finishes) and SIGINT stops now (the task is requeued)",
              .timeLimit(.minutes(1)))
        func gracefulSignalSwaps() throws {
            let fixture = try ConsumerFixture()
            defer { fixture.stop() }
            let first = try fixture.start(["consume", "-w", "1", "-k", "process", "-g", "TERM"])
            try #require(fixture.waitForWorkers(of: first, count: 1) != nil, "\(fixture.log)")
            let napMarker = fixture.file("nap.marker")
            let nap = try fixture.tasks.nap(2, napMarker)
            try #require(poll(timeout: 10) { lines(of: napMarker).count == 1 }, "\(fixture.log)")
            first.send(SIGTERM)
            #expect(exited(first.waitForExit(timeout: 15), code: 0), "\(fixture.log)")
            let ran = try #require(try nap(), "SIGTERM under -g TERM did not let the task finish; \(fixture.log)")
            #expect(ran.end - ran.start >= 1.95)
            #expect(first.standardError.contains("Graceful stop on SIGTERM, immediate stop on SIGINT"))

            let second = try fixture.start(["consume", "-w", "1", "-k", "process", "-g", "TERM"])
            try #require(fixture.waitForWorkers(of: second, count: 1) != nil, "\(fixture.log)")
            let longMarker = fixture.file("long.marker")
            let long = try fixture.tasks.longOnce(30, longMarker)
            try #require(poll(timeout: 10) { lines(of: longMarker).count == 1 }, "\(fixture.log)")
            second.send(SIGINT)
            let signaledAt = now()
            #expect(exited(second.waitForExit(timeout: 20), code: 0), "\(fixture.log)")
            // Far under the task's 30 s (an immediate stop), with room for a loaded machine.
            #expect(now() - signaledAt <= 10, "SIGINT under -g TERM waited for the task")
            #expect(try fixture.huey.pending().map(\.id) == [long.id], "\(fixture.log)")
        }

        @Test("-v logs debug lines; -q logs warnings but no info lines", .timeLimit(.minutes(1)))
        func verboseAndQuiet() throws {
            let fixture = try ConsumerFixture()
            defer { fixture.stop() }
            let verbose = try fixture.start(["consume", "-w", "1", "-k", "process", "-v"])
            #expect(poll(timeout: 10) { verbose.standardError.contains(" DEBUG [worker ") }, "\(fixture.log)")
            verbose.send(SIGINT)
            #expect(exited(verbose.waitForExit(timeout: 10), code: 0))

            let quiet = try fixture.start(["consume", "-w", "1", "-k", "process", "-q"])
            try #require(fixture.waitForWorkers(of: quiet, count: 1) != nil, "\(fixture.log)")
            // A task past its timeout is a warning: it shows under -q.
            let spin = try fixture.tasks.spin(fixture.file("spin.marker"))
            #expect(poll(timeout: 15) { quiet.standardError.contains("Task spin \(spin.id) ran past its timeout") },
                    "\(fixture.log)")
            quiet.send(SIGINT)
            #expect(exited(quiet.waitForExit(timeout: 10), code: 0))
            let log = quiet.standardError
            #expect(log.contains(" WARNING [master "), "\(log)")
            #expect(!log.contains(" INFO ") && !log.contains(" DEBUG "), "\(log)")
            #expect(!log.contains("Huey consumer started"), "\(log)")
        }

        @Test("-S: lines are `HH:MM:SS message`, without level or process", .timeLimit(.minutes(1)))
        func simpleFormat() throws {
            let fixture = try ConsumerFixture()
            defer { fixture.stop() }
            let master = try fixture.start(["consume", "-w", "1", "-k", "process", "-S"])
            try #require(fixture.waitForWorkers(of: master, count: 1) != nil, "\(fixture.log)")
            master.send(SIGINT)
            #expect(exited(master.waitForExit(timeout: 10), code: 0))
            let log = lines(of: master.stderrPath)
            #expect(log.contains { $0.hasSuffix(" Consumer exiting.") }, "\(log)")
            for line in log {
                #expect(isSimple(line), "not `HH:MM:SS message`: \(line)")
            }
        }

        /// The consumer runs with `TZ=HUEY-5:30` (a POSIX zone 5 h 30 min east of UTC, no
        /// tz database needed), so local and UTC times differ in their minutes.
        @Test("-u logs times in UTC (with Z); --localtime in the process's time zone", .timeLimit(.minutes(1)),
              arguments: [("-u", true), ("--localtime", false)])
        func logTimes(flag: String, utc: Bool) throws {
            let fixture = try ConsumerFixture()
            defer { fixture.stop() }
            let before = Date()
            let master = try fixture.start(["consume", "-w", "1", "-k", "process", flag], environment: ["TZ": "HUEY-5:30"])
            try #require(fixture.waitForWorkers(of: master, count: 1) != nil, "\(fixture.log)")
            master.send(SIGINT)
            #expect(exited(master.waitForExit(timeout: 10), code: 0))
            let after = Date()
            let first = try #require(lines(of: master.stderrPath).first, "no log")
            // "2026-12-02 02:14:41.123Z INFO [master 1] ..." (no Z in local time)
            let stamp = String(first.prefix { $0 != " " }) + " " + first.split(separator: " ")[1]
            #expect(stamp.hasSuffix("Z") == utc, "\(first)")
            let zone = utc ? TimeZone(identifier: "UTC")! : TimeZone(secondsFromGMT: 5 * 3600 + 1800)!
            let expected = [before, after].map { minuteStamp($0, in: zone) }
            #expect(expected.contains { stamp.hasPrefix($0) }, "\(first) is not within \(expected)")
        }

        @Test("-C: a worker that dies is not replaced (the health check is off); the others keep working",
              .timeLimit(.minutes(1)))
        func disabledHealthCheck() throws {
            let fixture = try ConsumerFixture()
            defer { fixture.stop() }
            let master = try fixture.start(["consume", "-w", "2", "-k", "process", "-C", "-c", "1"])
            let workers = try #require(fixture.waitForWorkers(of: master, count: 2), "\(fixture.log)")
            kill(workers[0].pid, SIGKILL)
            let left = fixture.waitForWorkers(of: master, count: 1, timeout: 5)
            #expect(left?.map(\.pid) == [workers[1].pid], "\(fixture.log)")
            #expect(poll(timeout: 5) { master.standardError.contains("is not replaced") }, "\(fixture.log)")
            // A call due 1.5 s from now runs only once the master has ticked after that, past
            // the -c 1 interval and a respawn check: there is still one worker then.
            let later = try fixture.tasks.work.schedule(args: (99, 0), delay: 1.5)
            #expect(try later(blocking: true, timeout: 20).pid == workers[1].pid, "\(fixture.log)")
            #expect(fixture.workers(of: master).map(\.pid) == [workers[1].pid], "replaced; \(fixture.log)")
            let values = try fixture.tasks.work.map((0..<5).map { ($0, 0) }).get(blocking: true, timeout: 20)
            #expect(values.map(\.pid) == Array(repeating: workers[1].pid, count: 5))
        }

        @Test("-L names extra locks to flush; a flock lock held by a live process is reported, not broken",
              .timeLimit(.minutes(1)))
        func extraLocksOnSqlite() throws {
            let fixture = try ConsumerFixture()
            defer { fixture.stop() }
            let ready = fixture.file("lock.ready")
            let holder = try HelperProcess(
                ["hold-lock", "sqlite", fixture.database, "reports", ready], outputDirectory: fixture.directory)
            defer {
                holder.send(SIGKILL)
                _ = holder.waitForExit(timeout: 5)
            }
            try #require(poll(timeout: 10) { FileManager.default.fileExists(atPath: ready) }, "\(holder.standardError)")

            let master = try fixture.start(["consume", "-w", "1", "-k", "process", "-L", "reports,other"])
            try #require(fixture.waitForWorkers(of: master, count: 1) != nil, "\(fixture.log)")
            #expect(master.standardError.contains("Locks held by running processes: reports"), "\(fixture.log)")
            #expect(try fixture.huey.isLocked("reports"), "the live holder's lock was broken")

            // Without -f or -L the consumer does not look at locks at all.
            master.send(SIGINT)
            #expect(exited(master.waitForExit(timeout: 10), code: 0))
            let plain = try fixture.start(["consume", "-w", "1", "-k", "process"])
            try #require(fixture.waitForWorkers(of: plain, count: 1) != nil, "\(fixture.log)")
            let plainLog = plain.standardError
            #expect(!plainLog.contains("Flushing locks") && !plainLog.contains("Locks held"), "\(fixture.log)")
        }
    }
}

/// "yyyy-MM-dd HH:mm" of `date` in `zone`.
private func minuteStamp(_ date: Date, in zone: TimeZone) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = zone
    formatter.dateFormat = "yyyy-MM-dd HH:mm"
    return formatter.string(from: date)
}

/// Whether `line` is `HH:MM:SS message` (Huey's simple format).
private func isSimple(_ line: String) -> Bool {
    let characters = Array(line)
    guard characters.count > 9 else { return false }
    let digits = [0, 1, 3, 4, 6, 7].allSatisfy { characters[$0].isASCII && characters[$0].isNumber }
    return digits && characters[2] == ":" && characters[5] == ":" && characters[8] == " " && characters[9] != " "
        && !line.contains("[master ") && !line.contains("[worker ")
}


