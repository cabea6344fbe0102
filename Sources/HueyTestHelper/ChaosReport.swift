import Foundation
import Huey
import HueyTestSupport

/// The end state of a chaos run, checked against the rules: every call has exactly one
/// final outcome (a value or an error result) and the one its task allows; nothing is
/// left in the queue, the schedule, the claims or the dead letters; no call completed
/// twice unless the worker of its first completion was killed before it could ack.
struct ChaosReport {
    /// Ordered `key=value` counts, printed and parsed by the tests.
    private(set) var counts: [(String, String)] = []
    /// Rules broken, one line each.
    private(set) var violations: [String]
    private var lines: [String] = []

    /// Reads the storage, the journal and the consumers' logs of `run` (whose consumers
    /// have all stopped).
    /// - Throws: ``StorageError`` when the storage cannot be read.
    init(run: ChaosRun, elapsed: Double, earlierViolations: [String]) throws {
        violations = earlierViolations
        let storage = run.huey.storage
        let results = try storage.resultItems()
        let logs = ChaosLogs(directory: run.options.directory, masters: run.masters.count)
        let journal = ChaosJournal(path: run.journal)

        add("storage", run.options.kind)
        add("tasks", run.calls.count)
        for kind in ChaosTasks.Kind.allCases { add("tasks-\(kind.shortName)", run.calls.count { $0.kind == kind }) }
        checkOutcomes(run.calls, results: results)
        let ids = Set(run.calls.map(\.id))
        let stray = results.keys.filter { !ids.contains($0) }
        add("stray", stray.count)
        if !stray.isEmpty { violations.append("\(stray.count) result keys that are no call's id: \(stray.prefix(5))") }

        let left = [
            ("queue", try storage.queueSize()), ("schedule", try storage.scheduleSize()),
            ("claims", try storage.claims().count), ("dead", try storage.deadItems().count),
        ]
        for (name, count) in left {
            add(name, count)
            if count != 0 { violations.append("\(count) left in \(name)") }
        }

        add("worker-kills", run.workerKills)
        add("master-kills", run.masterKills)
        if run.masterKills != 2 { violations.append("the master was killed \(run.masterKills) times, not 2") }
        add("timeouts-fired", logs.timeoutKills)
        add("orphans-requeued", logs.orphanRequeues)
        add("spawn-backoffs", logs.spawnBackoffs)
        add("storage-errors", logs.storageErrorPIDs.count)
        let crashed = (try? FileManager.default.contentsOfDirectory(atPath: run.markers))?.count { $0.hasPrefix("crash-") }
        add("crash-first-fired", crashed ?? 0)
        checkReruns(journal, logs: logs)
        add("elapsed", String(format: "%.1f", elapsed))
        add("violations", violations.count)
    }

    /// Each call's outcome: present, and one its task allows.
    private mutating func checkOutcomes(_ calls: [ChaosCall], results: [String: [UInt8]]) {
        var values = 0
        var errors: [String: Int] = [:]
        var missing: [ChaosCall] = []
        var wrong: [String] = []
        for call in calls {
            guard let raw = results[call.id] else {
                missing.append(call)
                continue
            }
            switch try? MessageCodec.decodeOutcome(raw) {
            case .value(let value):
                values += 1
                if call.kind == .fail || value != .int(call.index) {
                    wrong.append("\(call.kind.rawValue)(\(call.index)) \(call.id) returned \(value)")
                }
            case .error(let info):
                errors[info.type, default: 0] += 1
                if !call.kind.allowedErrors.contains(info.type) {
                    wrong.append("\(call.kind.rawValue)(\(call.index)) \(call.id) failed with \(info.type): \(info.error)")
                }
            case nil:
                wrong.append("\(call.kind.rawValue)(\(call.index)) \(call.id): undecodable result")
            }
        }
        add("results", calls.count - missing.count)
        add("values", values)
        add("errors", errors.values.reduce(0, +))
        for type in ["ChaosFailure", "WorkerCrashed", "TaskTimeout"] { add("error-\(type)", errors[type] ?? 0) }
        for (type, count) in errors.sorted(by: { $0.key < $1.key })
        where !["ChaosFailure", "WorkerCrashed", "TaskTimeout"].contains(type) {
            add("error-\(type)", count)
        }
        add("missing", missing.count)
        add("wrong", wrong.count)
        if !missing.isEmpty {
            violations.append(
                "\(missing.count) calls have no result: "
                    + missing.prefix(10).map { "\($0.kind.rawValue)(\($0.index)) \($0.id)" }.joined(separator: ", "))
        }
        for line in wrong.prefix(10) { violations.append("unexpected outcome: \(line)") }
    }

    /// Calls whose body completed more than once: fine when the claim of an earlier
    /// completion was recovered from its dead worker (killed before its ack committed) or
    /// that worker hit a storage error; otherwise the call ran again although its run was
    /// acknowledged — a duplicate.
    private mutating func checkReruns(_ journal: ChaosJournal, logs: ChaosLogs) {
        var reruns = 0
        var unexplained: [String] = []
        for (id, completions) in journal.completions where completions.count > 1 {
            reruns += 1
            for completion in completions.dropLast()
            where !logs.recoveredClaims.contains("\(id) \(completion.pid)")
                && !logs.storageErrorPIDs.contains(completion.pid)
            {
                let then = completion.workerMovedOn ? ", which then started another call," : ""
                unexplained.append(
                    "\(id): completed in pid \(completion.pid) at \(completion.time)\(then) with no claim recovered from it, and ran again")
            }
        }
        add("executions", journal.starts)
        add("reruns-after-completion", reruns)
        add("unexplained-reruns", unexplained.count)
        for line in unexplained.prefix(10) { violations.append("duplicate execution: \(line)") }
    }

    private mutating func add(_ key: String, _ value: some CustomStringConvertible) {
        counts.append((key, value.description))
    }

    /// Prints the counts for a person, the violations, then the `chaos-result` line.
    func print() {
        let value = Dictionary(counts, uniquingKeysWith: { first, _ in first })
        func v(_ key: String) -> String { value[key] ?? "?" }
        var text = """
            chaos: storage \(v("storage")), \(v("tasks")) tasks (ok \(v("tasks-ok")), crashFirst \(v("tasks-crashFirst")), \
            slow \(v("tasks-slow")), fail \(v("tasks-fail")))
            chaos: results \(v("results")): values \(v("values")), errors \(v("errors")) \
            (ChaosFailure \(v("error-ChaosFailure")), WorkerCrashed \(v("error-WorkerCrashed")), \
            TaskTimeout \(v("error-TaskTimeout"))); missing \(v("missing")), unexpected \(v("wrong")), stray \(v("stray"))
            chaos: left: queue \(v("queue")), schedule \(v("schedule")), claims \(v("claims")), dead \(v("dead"))
            chaos: worker kills \(v("worker-kills")), master kills \(v("master-kills")), timeouts fired \(v("timeouts-fired")), \
            crashFirst self-kills \(v("crash-first-fired")), orphans requeued \(v("orphans-requeued")), \
            spawn backoffs \(v("spawn-backoffs")), worker storage errors \(v("storage-errors"))
            chaos: executions \(v("executions")), re-runs after a completed body \(v("reruns-after-completion")) \
            (unexplained \(v("unexplained-reruns")))
            chaos: elapsed \(v("elapsed")) s

            """
        for violation in violations { text += "VIOLATION: \(violation)\n" }
        text += "chaos-result " + counts.map { "\($0.0)=\($0.1)" }.joined(separator: " ") + "\n"
        text += violations.isEmpty ? "chaos: PASS\n" : "chaos: FAIL (\(violations.count) violations)\n"
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}

extension ChaosTasks.Kind {
    /// `ok`, `crashFirst`, `slow`, `fail`.
    var shortName: String { String(rawValue.dropFirst("chaos.".count)) }

    /// The final error results a call of this kind may end with: its own failure, or the
    /// chaos using up its retries (a worker killed under it each time), or its timeout.
    var allowedErrors: Set<String> {
        switch self {
        case .ok, .crashFirst: return ["WorkerCrashed"]
        case .slow: return ["WorkerCrashed", "TaskTimeout"]
        case .fail: return ["ChaosFailure", "WorkerCrashed"]
        }
    }
}
