import Foundation

/// What processes use, from `/proc`: memory, CPU time, context switches, the load average
/// (the bench's idle figures and the tests' checks that an idle consumer sleeps).
extension ProcessTable {
    /// `Rss` and `Pss` of `pid` in KiB, from `/proc/<pid>/smaps_rollup`; nil when unreadable.
    package static func memory(of pid: Int32) -> (rss: Int, pss: Int)? {
        guard let text = readSmallFile("/proc/\(pid)/smaps_rollup"), !text.isEmpty else { return nil }
        var rss = 0
        var pss = 0
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 2, let kib = Int(fields[1]) else { continue }
            if fields[0] == "Rss:" { rss = kib }
            if fields[0] == "Pss:" { pss = kib }
        }
        return (rss, pss)
    }

    /// The resident memory of `pid` in bytes (field 2 of `/proc/<pid>/statm`, in pages,
    /// times the page size); nil when there is no such process. The consumer's
    /// `--max-memory` cap compares a worker's value with it between tasks.
    package static func residentBytes(of pid: Int32) -> Int? {
        guard let text = readSmallFile("/proc/\(pid)/statm") else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count >= 2, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Nanoseconds `pid` (all its threads) has run on a CPU, from `/proc/<pid>/task/*/schedstat`.
    package static func cpuNanoseconds(of pid: Int32) -> Double {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.reduce(0) { total, task in
            let text = readSmallFile("/proc/\(pid)/task/\(task)/schedstat") ?? ""
            return total + (Double(text.split(separator: " ").first ?? "") ?? 0)
        }
    }

    /// The voluntary context switches of `pid` so far (`/proc/<pid>/status`); nil when unreadable.
    package static func voluntaryContextSwitches(of pid: Int32) -> Int? {
        guard let text = readSmallFile("/proc/\(pid)/status") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("voluntary_ctxt_switches:") {
            return Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    /// The 1-minute load average (`/proc/loadavg`), -1 when unreadable.
    package static func loadAverage() -> Double {
        Double(readSmallFile("/proc/loadavg")?.split(separator: " ").first ?? "") ?? -1
    }
}
