import ArgumentParser
import Foundation

/// `--json` for the admin commands.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print JSON (one line) instead of a table.")
    var json = false
}

/// `pending`: the queued calls, in the order they will run.
struct PendingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pending", abstract: "List queued calls in the order they will run.")
    @Option(name: .long, help: "Show at most this many.") var limit: Int?
    @OptionGroup var output: OutputOptions

    func run() throws {
        let huey = try CommandContext.current()
        let rows = try huey.pending(limit: limit).map(CallRow.init)
        if output.json { return try AdminOutput.json(rows) }
        AdminOutput.table(CallRow.headers, rows.map(\.cells), empty: "No pending calls.")
        if let usage = try huey.storage.diskUsage() { print("Storage on disk: \(usage.summary)") }
    }
}

/// `check`: the storage's own consistency check (SQLite's `PRAGMA integrity_check`, the
/// File storage's walk of its folders). Exits 1 when it found problems.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the storage for damage (SQLite: PRAGMA integrity_check); exit status 1 when damaged.")
    @OptionGroup var output: OutputOptions

    func run() throws {
        let problems = try CommandContext.current().storage.integrityProblems()
        if output.json {
            try AdminOutput.json(["ok": JSONValue.bool(problems.isEmpty), "problems": .array(problems.map { .string($0) })])
        } else if problems.isEmpty {
            print("The storage is sound.")
        } else {
            for problem in problems { print(problem) }
        }
        if !problems.isEmpty { throw ExitCode(1) }
    }
}

/// `scheduled`: calls waiting for their eta, earliest first.
struct ScheduledCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scheduled", abstract: "List scheduled calls, earliest first.")
    @Option(name: .long, help: "Show at most this many.") var limit: Int?
    @OptionGroup var output: OutputOptions

    func run() throws {
        let rows = try CommandContext.current().scheduled(limit: limit).map(CallRow.init)
        if output.json { return try AdminOutput.json(rows) }
        AdminOutput.table(CallRow.headers, rows.map(\.cells), empty: "No scheduled calls.")
    }
}

/// `results`: every key in the result store.
struct ResultsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "results", abstract: "List stored results (and other stored keys).")
    @OptionGroup var output: OutputOptions

    func run() throws {
        let results = try CommandContext.current().allResults()
        if output.json { return try AdminOutput.json(results) }
        let rows = results.keys.sorted().map { [$0, AdminOutput.shorten(results[$0]?.description ?? "", 80)] }
        AdminOutput.table(["KEY", "VALUE"], rows, empty: "No results.")
    }
}

/// `revoke ID`: a consumer skips the call.
struct RevokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke", abstract: "Revoke a call: consumers skip it.")
    @Argument(help: "The call's id.") var id: String
    @Flag(name: .long, help: "Skip only its next run.") var once = false
    @OptionGroup var output: OutputOptions

    func run() throws {
        try CommandContext.current().revoke(id: id, once: once)
        if output.json { return try AdminOutput.json(["revoked": id]) }
        print("Revoked \(id)\(once ? " (once)" : "").")
    }
}

/// `restore ID`: undoes `revoke`.
struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore", abstract: "Restore a revoked call.")
    @Argument(help: "The call's id.") var id: String
    @OptionGroup var output: OutputOptions

    func run() throws {
        let restored = try CommandContext.current().restore(id: id)
        if output.json { return try AdminOutput.json(["id": JSONValue.string(id), "restored": .bool(restored)]) }
        print(restored ? "Restored \(id)." : "\(id) was not revoked.")
    }
}

/// `flush`: empties the storage.
struct FlushCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flush",
        abstract: "Remove everything: queue, schedule, results, claims and dead letters.")
    @OptionGroup var output: OutputOptions

    func run() throws {
        let huey = try CommandContext.current()
        let counts: [String: Int] = [
            "pending": try huey.pendingCount, "scheduled": try huey.scheduledCount, "results": try huey.resultCount,
        ]
        try huey.flush()
        if output.json { return try AdminOutput.json(["flushed": counts]) }
        print("Flushed \(counts["pending"]!) pending, \(counts["scheduled"]!) scheduled, \(counts["results"]!) results.")
    }
}

/// `flush-locks`: removes task locks that can outlive their holder (Redis) and reports those
/// held by running processes (file locks end with their holder).
struct FlushLocksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flush-locks",
        abstract: "Flush task locks (Redis); lists those held by running processes (file locks: their holders release them).")
    @Argument(help: "More lock names to check besides the tasks' own.") var names: [String] = []
    @OptionGroup var output: OutputOptions

    func run() throws {
        let locks = try CommandContext.current().flushLocks(names: names)
        let (flushed, held) = (locks.flushed.sorted(), locks.held.sorted())
        if output.json { return try AdminOutput.json(["flushed": flushed, "held": held]) }
        if flushed.isEmpty && held.isEmpty { print("No locks held.") }
        if !flushed.isEmpty { print("Flushed: \(flushed.joined(separator: ", "))") }
        if !held.isEmpty { print("Held by running processes: \(held.joined(separator: ", "))") }
    }
}
