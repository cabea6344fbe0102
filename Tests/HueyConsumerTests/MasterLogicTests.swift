import Foundation
import Huey
@testable import HueyConsumer
import Testing

/// The master's decisions as pure logic, without processes: the scheduler's timer, the
/// periodic minutes, and the signal table (``Consumer/handle(signal:)``), run on a consumer
/// that was made but never started (its pool has no worker).
@Suite("The master's logic")
struct MasterLogicTests {
    @Test("SchedulerTimer: due at once, then on the interval grid; real sleep follows the clock's rate")
    func schedulerTimer() {
        var timer = SchedulerTimer(interval: 10)
        #expect(timer.isDue(clock: 0) && timer.isDue(clock: -1e9))
        #expect(timer.realSecondsToNextTick(clock: 125.3) == 0)

        timer.ticked(clock: 125.3)
        #expect(timer.nextTick == 130)
        #expect(!timer.isDue(clock: 129.99) && timer.isDue(clock: 130))
        #expect(abs(timer.realSecondsToNextTick(clock: 125.3) - 4.7) < 1e-9)
        // A clock stepped back: never more than one interval of sleep.
        #expect(timer.realSecondsToNextTick(clock: 0) == 10)
        // A tick on the grid schedules the next grid point.
        timer.ticked(clock: 130)
        #expect(timer.nextTick == 140)
    }

    @Test("SchedulerTimer: the rate is measured over at least half a real second and never below 1")
    func schedulerTimerRate() {
        var timer = SchedulerTimer(interval: 60)
        timer.observe(clock: 0, real: 100)
        timer.observe(clock: 30, real: 100.2)  // too short to measure
        #expect(timer.rate == 1)
        timer.observe(clock: 60, real: 101)  // 60 clock seconds in 1 real second
        #expect(timer.rate == 60)
        timer.ticked(clock: 60)
        #expect(abs(timer.realSecondsToNextTick(clock: 90) - 0.5) < 1e-9)
        timer.observe(clock: 50, real: 102)  // the clock went backwards
        #expect(timer.rate == 1)
        timer.observe(clock: 1e12, real: 103)  // absurdly fast: capped
        #expect(timer.rate == 10_000)
    }

    @Test("PeriodicMinutes: starts at the current minute and continues only from the one before")
    func periodicMinutes() {
        #expect(PeriodicMinutes.minute(of: 119.9) == 1 && PeriodicMinutes.minute(of: 120) == 2)
        var minutes = PeriodicMinutes(startingAt: 100)
        #expect(minutes.lastMinute == 100)
        for stale in [nil, 98, 101, 5_000] {
            minutes.continueFrom(inherited: stale)
            #expect(minutes.lastMinute == 100, "inherited \(String(describing: stale))")
        }
        minutes.continueFrom(inherited: 99)  // a minute skipped during the restart still fires
        #expect(minutes.lastMinute == 99)
    }

    @Test("A consumer is built without touching the environment; the master takes the inherited minute once")
    func periodicMinuteEnvironment() {
        let key = PeriodicMinutes.environmentKey
        setenv(key, "12345", 1)
        defer { unsetenv(key) }
        _ = Consumer(huey: MemoryHuey(name: "env"), options: ConsumerOptions(workers: 1, workerType: .thread))
        #expect(getenv(key).map { String(cString: $0) } == "12345")
        #expect(PeriodicMinutes.takeInherited() == 12345)
        #expect(getenv(key) == nil)
        #expect(PeriodicMinutes.takeInherited() == nil)
    }

    private func consumer(graceful: GracefulSignal = .int, workers: Int = 2) -> Consumer {
        var options = ConsumerOptions(workers: workers, workerType: .thread)
        options.gracefulSignal = graceful
        return Consumer(huey: MemoryHuey(name: "signals"), options: options)
    }

    @Test("Signal table: SIGINT drains, a second SIGINT stops now; SIGTERM stops now")
    func gracefulThenImmediate() {
        let master = consumer()
        master.handle(signal: SIGINT)
        #expect(master.phase == .draining(restart: false, deadline: nil))
        master.handle(signal: SIGINT)
        #expect(master.phase == .interrupting)
        master.handle(signal: SIGINT)  // nothing more to do
        #expect(master.phase == .interrupting)

        let other = consumer()
        other.handle(signal: SIGTERM)
        #expect(other.phase == .interrupting)
    }

    @Test("Signal table: -g TERM swaps SIGINT and SIGTERM")
    func swappedSignals() {
        let master = consumer(graceful: .term)
        master.handle(signal: SIGTERM)
        #expect(master.phase == .draining(restart: false, deadline: nil))
        master.handle(signal: SIGINT)
        #expect(master.phase == .interrupting)
    }

    @Test("Signal table: SIGHUP restarts after a drain; SIGINT during it stops instead; SIGHUP while stopping is ignored")
    func restart() {
        let master = consumer()
        master.handle(signal: SIGHUP)
        #expect(master.phase == .draining(restart: true, deadline: nil))
        master.handle(signal: SIGINT)
        #expect(master.phase == .draining(restart: false, deadline: nil))
        master.handle(signal: SIGHUP)
        #expect(master.phase == .draining(restart: false, deadline: nil))
        #expect(master.finishedStopping() == .stop)  // no worker left to wait for
    }

    @Test("Signal table: SIGTTIN adds a worker, SIGTTOU removes one but keeps the last; both ignored when stopping")
    func workerCount() {
        let master = consumer(workers: 2)
        master.handle(signal: SIGTTIN)
        #expect(master.targetWorkers == 3)
        for _ in 0..<5 { master.handle(signal: SIGTTOU) }
        #expect(master.targetWorkers == 1)
        master.handle(signal: SIGINT)
        master.handle(signal: SIGTTIN)
        #expect(master.targetWorkers == 1)
    }

    @Test("Signal table: SIGCHLD and unknown signals change nothing")
    func ignored() {
        let master = consumer()
        for signal in [SIGCHLD, SIGUSR2, SIGWINCH] { master.handle(signal: signal) }
        #expect(master.phase == .running && master.targetWorkers == 2)
        #expect(master.finishedStopping() == nil)
    }

    @Test("A dead worker's claims: the timed-out or crashed call fails; the other calls of its batch go back (notRunning)")
    func deadWorkerVerdicts() {
        func claim(_ token: String) -> Claim {
            Claim(token: token, data: [], priority: 0, owner: ClaimOwner(pid: 4242, startTime: 7), claimedAt: 0)
        }
        let timedOut = Recovery.timeout(token: "slow", timeout: 2)
        #expect(timedOut.verdict(for: claim("slow")) == .timedOut(timeout: 2))
        #expect(timedOut.verdict(for: claim("done-not-acked")) == .notRunning)
        let crashed = Recovery.crash(reason: "killed", early: false, running: .claim(token: "running"))
        #expect(crashed.verdict(for: claim("running")) == .crashed(reason: "killed"))
        #expect(crashed.verdict(for: claim("other")) == .notRunning)
        #expect(Recovery.crash(reason: "killed", early: false).verdict(for: claim("any")) == .crashed(reason: "killed"))
        #expect(Recovery.interrupt.verdict(for: claim("any")) == .interrupted)
    }
}
