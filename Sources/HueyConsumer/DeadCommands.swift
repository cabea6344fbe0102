import ArgumentParser
import Foundation

/// `dead`: lists dead letters (messages that could not be run); `dead requeue` and
/// `dead discard` act on them.
struct DeadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dead", abstract: "List dead letters (messages that could not be run), requeue or discard them.",
        subcommands: [DeadListCommand.self, DeadRequeueCommand.self, DeadDiscardCommand.self],
        defaultSubcommand: DeadListCommand.self)
}

/// `dead list` (also plain `dead`).
struct DeadListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List dead letters, oldest first.")
    @OptionGroup var output: OutputOptions

    func run() throws {
        let huey = try CommandContext.current()
        let rows = try huey.storage.deadItems().map { DeadRow($0, decodingWith: huey) }
        if output.json { return try AdminOutput.json(rows) }
        AdminOutput.table(DeadRow.headers, rows.map(\.cells), empty: "No dead letters.")
    }
}

/// Which letters `dead requeue` / `dead discard` act on: one (by letter or call id) or all.
struct DeadSelection: ParsableArguments {
    @Argument(help: "The letter (LETTER column of `dead`) or the call's id.") var id: String?
    @Flag(name: .long, help: "Every dead letter.") var all = false
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if all == (id != nil) { throw ValidationError("give a letter or call id, or --all (not both)") }
    }

    /// The letters selected now.
    /// - Throws: ``StorageError``; `ExitCode(1)` (after a message) when `id` matches none.
    func letters(in huey: Huey) throws -> [DeadLetter] {
        let letters = try huey.storage.deadItems()
        guard let id else { return letters }
        let matching = letters.filter { $0.id == id || (try? huey.decodeMessage($0.data))?.id == id }
        if matching.isEmpty {
            FileHandle.standardError.write(Data("Error: no dead letter \(id) (see `dead` for the list)\n".utf8))
            throw ExitCode(1)
        }
        return matching
    }
}

/// `dead requeue ID|--all`: back to the queue, each with the reason it was set aside.
struct DeadRequeueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "requeue",
        abstract: "Put dead letters back in the queue (they may fail again for the reason shown).")
    @OptionGroup var selection: DeadSelection

    func run() throws {
        let huey = try CommandContext.current()
        var moved: [DeadRow] = []
        for letter in try selection.letters(in: huey) where try huey.requeueDeadLetter(id: letter.id) != nil {
            moved.append(DeadRow(letter, decodingWith: huey))
        }
        if selection.output.json { return try AdminOutput.json(["requeued": moved]) }
        if moved.isEmpty { print("No dead letters requeued.") }
        for row in moved {
            print("Requeued \(row.name ?? "(undecodable)") \(row.id ?? row.letter). It may fail again: it was set aside because \(row.reason)")
        }
    }
}

/// `dead discard ID|--all`: removes dead letters for good.
struct DeadDiscardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "discard", abstract: "Remove dead letters for good.")
    @OptionGroup var selection: DeadSelection

    func run() throws {
        let huey = try CommandContext.current()
        var dropped: [DeadRow] = []
        for letter in try selection.letters(in: huey) where try huey.discardDeadLetter(id: letter.id) != nil {
            dropped.append(DeadRow(letter, decodingWith: huey))
        }
        if selection.output.json { return try AdminOutput.json(["discarded": dropped]) }
        print("Discarded \(dropped.count) dead letter\(dropped.count == 1 ? "" : "s").")
    }
}
