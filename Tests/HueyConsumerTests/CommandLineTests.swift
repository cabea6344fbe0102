import Foundation
import Huey
import HueyTestSupport
import Testing

extension ConsumerProcessTests {
    @Suite("consume command line")
    struct Flags {
        @Test("A bad flag value prints an error and the usage, and exits 2 without starting workers",
              .timeLimit(.minutes(1)),
              arguments: [
                  (["-s", "7"], ["7", "scheduler"]),
                  (["-w", "0"], ["0", "workers"]),
                  (["-k", "banana"], ["banana"]),
              ])
        func badFlagExitsWithUsage(flags: [String], mentions: [String]) throws {
            let fixture = try ConsumerFixture()
            defer { fixture.stop() }
            let consumer = try fixture.start(["consume"] + flags)
            let exit = consumer.waitForExit(timeout: 20)
            let output = consumer.standardError
            #expect(exited(exit, code: 2), "\(flags): \(String(describing: exit)); \(output)")
            #expect(output.lowercased().contains("usage"), "\(flags): no usage in \(output)")
            // The error itself (the text before the usage) names the value or the option.
            let lower = output.lowercased()
            let message = lower.range(of: "usage").map { String(lower[..<$0.lowerBound]) } ?? lower
            #expect(mentions.contains { message.contains($0) }, "\(flags): unclear message \(output)")
            #expect(fixture.runningProcesses().isEmpty)
            #expect(try fixture.huey.pendingCount == 0)
        }
    }
}
