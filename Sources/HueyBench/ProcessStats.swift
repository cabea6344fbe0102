import Foundation

/// Memory and CPU of processes, read from `/proc`.
enum ProcessStats {
    /// `Rss` and `Pss` of `pid` in KiB, from `/proc/<pid>/smaps_rollup`.
    static func memory(of pid: Int32) -> (rss: Int, pss: Int)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/smaps_rollup", encoding: .utf8) else { return nil }
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

    /// The children of `pid` (every thread's), from `/proc/<pid>/task/*/children`.
    static func children(of pid: Int32) -> [Int32] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        var result: [Int32] = []
        for task in tasks {
            let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/children", encoding: .utf8)) ?? ""
            result += text.split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        return result.sorted()
    }

    /// Nanoseconds `pid` (all its threads) has run on a CPU, from `/proc/<pid>/task/*/schedstat`.
    static func cpuNanoseconds(of pid: Int32) -> Double {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        var total = 0.0
        for task in tasks {
            let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/schedstat", encoding: .utf8)) ?? ""
            total += Double(text.split(separator: " ").first ?? "") ?? 0
        }
        return total
    }
}
