import ArgumentParser
import Foundation
import Huey

/// `huey-demo tour [--delay SECONDS]`: starts a consumer with two forked workers and walks
/// Huey's guide section by section, printing what the guide prints, then stops the
/// consumer gracefully. Uses its own database beside the demo's (`<db>.tour.db`).
struct TourCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tour", abstract: "Walk Huey's guide with a real consumer (forked workers).")

    @OptionGroup var options: DemoOptions

    /// The guide schedules 10 s ahead; the tour shortens it.
    @Option(help: "Seconds the scheduled examples wait.")
    var delay: Double = 2

    func validate() throws {
        guard delay >= 0 else { throw ValidationError("--delay must be 0 or more seconds") }
    }

    func run() throws {
        let status = Self.run(database: options.db, delay: delay)
        if status != 0 { throw ExitCode(status) }
    }

    static func run(database: String, delay: Double) -> Int32 {
        let path = database + ".tour.db"
        removeDatabase(path)
        defer { removeDatabase(path) }
        let started = Date()
        do {
            let huey = try SqliteHuey(name: "demo", filename: path)
            let tasks = DemoTasks(huey: huey)
            let consumer = try TourConsumer(database: path, workers: 2)
            let tour = Tour(huey: huey, tasks: tasks, consumer: consumer, scheduleDelay: delay)
            try tour.walk()
            let status = consumer.stop(timeout: 15)
            let elapsed = String(format: "%.1f", Date().timeIntervalSince(started))
            guard status == 0 else {
                print("The consumer did not stop cleanly (status \(status.map(String.init) ?? "killed")); log: \(consumer.logPath)")
                return 1
            }
            print("")
            print("Tour complete in \(elapsed) s: \(tour.sectionCount) sections, consumer stopped gracefully (SIGINT, exit 0).")
            return 0
        } catch {
            print("The tour failed: \(error)")
            return 1
        }
    }

    private static func removeDatabase(_ path: String) {
        for suffix in ["", "-wal", "-shm", ".consumer.log"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        try? FileManager.default.removeItem(atPath: path + ".locks")
    }
}
