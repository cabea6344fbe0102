import Foundation
import Huey
import HueyConsumer
import HueyTestSupport
import Testing

@Suite("Consumer configuration")
struct ConsumerConfigurationTests {
    @Test("A consumer given a Huey in immediate mode refuses to start with ConfigurationError (Huey's Consumer does too)")
    func immediateModeIsRefused() throws {
        let huey = MemoryHuey(name: "immediate", immediate: true)
        let error = try #require(throws: ConfigurationError.self) {
            try Consumer(huey: huey, workers: 1, workerType: .process).run()
        }
        #expect(error.message.contains("immediate"), "\(error.message)")
    }
}

extension ConsumerProcessTests {
    @Suite("Message signer in the consumer")
    struct SignedMessages {
        /// With `HUEY_TEST_SIGNER=1` the helper signs with ``PrefixSigner``: raw JSON parsing
        /// of the stored bytes fails, so only code that reads through the signer sees the call.
        @Test("With a message signer, the master's timeout handling and the dead command decode through it",
              .timeLimit(.minutes(1)))
        func consumerDecodesThroughSigner() throws {
            let fixture = try ConsumerFixture()
            defer { fixture.stop() }
            fixture.huey.messageSigner = PrefixSigner()
            let signed = ["HUEY_TEST_SIGNER": "1"]
            let master = try fixture.start(["consume", "-w", "2", "-k", "process"], environment: signed)
            try #require(fixture.waitForWorkers(of: master, count: 2) != nil, "\(fixture.log)")

            // The master reads the overrunning claim to log it and to kill its worker.
            let marker = fixture.file("spin.marker")
            let spin = try fixture.tasks.spin(marker)
            let killedLine = "Task spin \(spin.id) ran past its timeout of 1 s"
            #expect(poll(timeout: 15) { master.standardError.contains(killedLine) }, "\(fixture.log)")
            // Its claim is failed through the signer (not kept as an undecodable dead letter):
            // after its one retry, the caller sees TaskTimeout.
            let failure = try #require(throws: TaskException.self) { try spin(blocking: true, timeout: 15) }
            #expect(failure.isTimeout, "\(failure)")

            // An unknown task becomes a dead letter; `dead` shows its name and id.
            let stray = fixture.huey.task("notInTheConsumer") { (_: Int) -> Int in throw StandInRan(name: "stray") }
            let call = try stray(5)
            try #require(poll(timeout: 10) { try fixture.huey.storage.deadItems().count == 1 }, "\(fixture.log)")
            let dead = try HelperProcess(
                ["consumer", fixture.database, "dead", "--json"], environment: signed, outputDirectory: fixture.directory)
            #expect(exited(dead.waitForExit(timeout: 20), code: 0), "\(dead.standardError)")
            let rows = try JSONSerialization.jsonObject(with: Data(dead.standardOutput.utf8)) as? [[String: Any]]
            #expect(rows?.first?["name"] as? String == "notInTheConsumer", "\(dead.standardOutput)")
            #expect(rows?.first?["id"] as? String == call.id, "\(dead.standardOutput)")
        }
    }

    @Suite("Dynamic periodic tasks")
    struct DynamicPeriodic {
        @Test("A periodic task registered by a task body in a worker process is logged as never scheduled",
              .timeLimit(.minutes(1)))
        func processWorkerWarns() throws {
            let fixture = try ConsumerFixture()
            defer { fixture.stop() }
            let master = try fixture.start(["consume", "-w", "1", "-k", "process"])
            try #require(fixture.waitForWorkers(of: master, count: 1) != nil, "\(fixture.log)")
            #expect(try fixture.tasks.registerPeriodic("dynamic").get(blocking: true, timeout: 10) == 1)
            let warned = poll(timeout: 10) {
                master.standardError.contains("Periodic task dynamic was registered inside worker process")
            }
            #expect(warned, "\(fixture.log)")
        }

        @Test("With thread workers a periodic task registered by a task body runs, without the warning",
              .timeLimit(.minutes(1)))
        func threadWorkerSchedulesIt() throws {
            let fixture = try ConsumerFixture()
            defer { fixture.stop() }
            let tally = fixture.file("tally")
            // Every real second is a simulated minute.
            let master = try fixture.start(
                ["consume", "-w", "1", "-k", "thread", "-s", "1"],
                environment: ["HUEY_TEST_TIME_SCALE": "60", "HUEY_TEST_TALLY": tally])
            #expect(try fixture.tasks.registerPeriodic("dynamic").get(blocking: true, timeout: 10) == 1)
            let ran = poll(timeout: 15) { lines(of: tally).contains { $0.hasPrefix("dynamic ") } }
            #expect(ran, "\(lines(of: tally)); \(fixture.log)")
            #expect(!master.standardError.contains("registered inside worker process"), "\(fixture.log)")
        }
    }
}
