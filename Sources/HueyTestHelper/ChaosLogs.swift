import Foundation

/// What the chaos run's consumers logged (`consumer-<n>.log`), counted.
struct ChaosLogs {
    /// Workers the master killed because their task ran past its timeout.
    private(set) var timeoutKills = 0
    /// Claims of dead processes (a killed master's workers) a new master requeued.
    private(set) var orphanRequeues = 0
    /// Times a master delayed respawning because workers died right after starting.
    private(set) var spawnBackoffs = 0
    /// Workers that logged a storage error (and put their claim back).
    private(set) var storageErrorPIDs: Set<Int32> = []
    /// Claims a master recovered from a dead worker, as `<call id> <pid>`: the worker's
    /// `WorkerCrashed` (`task <name> <id>: worker <pid> killed by signal 9`) or a new
    /// master's requeue (`Requeued task <name> <id> left by dead process <pid>.`), or a call
    /// of a dead worker's batch put back (`Batch call <name> <id> back in the queue: worker <pid> died …`:
    /// the worker crashed, or was killed for another call's timeout).
    private(set) var recoveredClaims: Set<String> = []

    /// Reads the logs of masters `0..<masters` in `directory`.
    init(directory: String, masters: Int) {
        for index in 0..<masters {
            let text = (try? String(contentsOfFile: "\(directory)/consumer-\(index).log", encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n") {
                if line.contains("ran past its timeout") && line.contains("; killing worker") { timeoutKills += 1 }
                if line.contains("Requeued task") { orphanRequeues += 1 }
                if line.contains("Workers are dying at start") { spawnBackoffs += 1 }
                if let claim = Self.recoveredClaim(line) { recoveredClaims.insert(claim) }
                if let range = line.range(of: ": storage error") {
                    // "… worker <pid>: storage error: …"
                    let before = line[..<range.lowerBound].split(separator: " ")
                    if let pid = before.last.flatMap({ Int32($0) }) { storageErrorPIDs.insert(pid) }
                }
            }
        }
    }

    /// `<call id> <pid>` from a master's line about a dead worker's claim, else nil.
    private static func recoveredClaim(_ line: Substring) -> String? {
        let words = line.split(separator: " ")
        // "task <name> <id>: worker <pid> killed by signal 9"
        if let start = words.firstIndex(of: "task"), start + 5 < words.count, words[start + 2].hasSuffix(":"),
            words[start + 3] == "worker", line.contains("killed by signal")
        {
            return "\(words[start + 2].dropLast()) \(words[start + 4])"
        }
        // "Requeued task <name> <id> left by dead process <pid>."
        if let start = words.firstIndex(of: "Requeued"), start + 8 < words.count, words[start + 1] == "task",
            words[start + 7] == "process"
        {
            return "\(words[start + 3]) \(words[start + 8].trimmingCharacters(in: ["."]))"
        }
        // "Batch call <name> <id> back in the queue: worker <pid> died running another call."
        if let start = words.firstIndex(of: "Batch"), start + 9 < words.count, words[start + 1] == "call",
            words[start + 8] == "worker"
        {
            return "\(words[start + 3]) \(words[start + 9])"
        }
        return nil
    }
}
