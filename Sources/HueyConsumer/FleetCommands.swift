import ArgumentParser
import Foundation
import Huey

/// `consumers`: the registry of live consumers, each worker with the call it runs.
struct ConsumersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consumers",
        abstract: "List the live consumers of this queue and what each worker runs now.")
    @Flag(name: .long, help: "First remove the records of consumers that are no longer running.") var prune = false
    @OptionGroup var output: OutputOptions

    func run() throws {
        let huey = try CommandContext.current()
        if prune { try huey.pruneDeadConsumers() }
        let now = Date().timeIntervalSince1970
        let statuses = try huey.consumerStatuses()
        if output.json { return try AdminOutput.json(JSONValue.array(statuses.map { $0.json(now: now) })) }
        var rows: [[String]] = []
        for status in statuses {
            let record = status.record
            let master = [
                "\(record.pid)", record.host, AdminOutput.time(record.startedAt), record.version,
                "\(record.workerType) × \(record.workerCount)", "\(Int((now - record.heartbeat).rounded())) s ago",
            ]
            for (index, worker) in status.workers.enumerated() {
                let task = worker.task.map { "\($0) \(worker.callID ?? "")" } ?? "idle"
                let running = worker.since.map { "\(Int((now - $0).rounded())) s" } ?? "-"
                rows.append((index == 0 ? master : master.map { _ in "" }) + ["\(worker.pid)", task, running])
            }
        }
        AdminOutput.table(
            ["PID", "HOST", "STARTED", "VERSION", "WORKERS", "SEEN", "WORKER", "TASK", "RUNNING FOR"], rows,
            empty: "No live consumers registered.")
    }
}

/// `pause`: no consumer claims from the queue until `resume`; enqueueing goes on.
struct PauseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause",
        abstract: "Pause the queue: consumers take no new tasks from it (running ones finish); enqueueing goes on.")
    @OptionGroup var output: OutputOptions

    func run() throws {
        let huey = try CommandContext.current()
        try huey.pause()
        if output.json { return try AdminOutput.json(["paused": true]) }
        print("Paused queue \(huey.name): consumers take no new tasks from it until `resume`.")
    }
}

/// `resume`: undoes `pause`.
struct ResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume", abstract: "Resume a paused queue: consumers take tasks from it again.")
    @OptionGroup var output: OutputOptions

    func run() throws {
        let huey = try CommandContext.current()
        let wasPaused = try huey.resume()
        if output.json { return try AdminOutput.json(["resumed": wasPaused]) }
        print(wasPaused ? "Resumed queue \(huey.name)." : "Queue \(huey.name) was not paused.")
    }
}
