import Foundation

/// The chaos tasks' journal (see ``ChaosTasks``): `S|E <id> <pid> <unix time>` lines.
///
/// A process's lines are in the order it wrote them, and a worker acknowledges a call
/// before it claims the next: so a completion followed by any later line of the same
/// worker was acknowledged (or the worker hit a storage error), and only the last
/// completion of a worker that was then killed may have gone unacknowledged.
struct ChaosJournal {
    /// One completed body.
    struct Completion {
        var pid: Int32
        var time: Double
        /// Whether the same worker wrote a later line (started another call).
        var workerMovedOn: Bool
    }

    /// Bodies started.
    private(set) var starts = 0
    /// Completed bodies by call id, in journal order.
    private(set) var completions: [String: [Completion]] = [:]

    /// Reads the journal at `path` (empty when missing).
    init(path: String) {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        var lastLine: [Int32: Int] = [:]
        var events: [(event: Substring, id: String, pid: Int32, time: Double)] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count == 4, let pid = Int32(fields[2]), let time = Double(fields[3]) else { continue }
            lastLine[pid] = events.count
            events.append((fields[0], String(fields[1]), pid, time))
        }
        for (index, event) in events.enumerated() {
            switch event.event {
            case "S": starts += 1
            case "E":
                let completion = Completion(
                    pid: event.pid, time: event.time, workerMovedOn: lastLine[event.pid, default: index] > index)
                completions[event.id, default: []].append(completion)
            default: break
            }
        }
    }
}
