import ArgumentParser
import Foundation

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
        if output.json { return try AdminOutput.json(statuses.map { ConsumerRow($0, now: now) }) }
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

/// A consumer as `consumers --json` prints it: its record's fields plus `workers`.
struct ConsumerRow: Encodable {
    var status: ConsumerStatus
    var now: Double

    init(_ status: ConsumerStatus, now: Double) {
        self.status = status
        self.now = now
    }

    private struct Worker: Encodable {
        var pid: Int32
        var task: String?
        var id: String?
        var since: Double?
        var runningSeconds: Double?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(pid, forKey: .pid)
            try container.encode(task, forKey: .task)
            try container.encode(id, forKey: .id)
            try container.encode(since, forKey: .since)
            try container.encode(runningSeconds, forKey: .runningSeconds)
        }

        private enum CodingKeys: String, CodingKey {
            case pid, task, id, since
            case runningSeconds = "running_seconds"
        }
    }

    private enum Keys: String, CodingKey {
        case host, pid, processStart, startedAt, version, workerType, workerCount, queue, storage, heartbeat, workers
    }

    func encode(to encoder: any Encoder) throws {
        let record = status.record
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(record.host, forKey: .host)
        try container.encode(record.pid, forKey: .pid)
        try container.encode(record.processStart, forKey: .processStart)
        try container.encode(record.startedAt, forKey: .startedAt)
        try container.encode(record.version, forKey: .version)
        try container.encode(record.workerType, forKey: .workerType)
        try container.encode(record.workerCount, forKey: .workerCount)
        try container.encode(record.queue, forKey: .queue)
        try container.encode(record.storage, forKey: .storage)
        try container.encode(record.heartbeat, forKey: .heartbeat)
        let workers = status.workers.map {
            Worker(pid: $0.pid, task: $0.task, id: $0.callID, since: $0.since, runningSeconds: $0.since.map { now - $0 })
        }
        try container.encode(workers, forKey: .workers)
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
