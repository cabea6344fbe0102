import Foundation

extension ProcessInfoReader {
    /// The resident memory of process `pid` in bytes (field 2 of `/proc/PID/statm`, in
    /// pages, times the page size), or nil when there is no such process. The consumer's
    /// `--max-memory` cap compares a worker's value with it between tasks.
    public static func residentBytes(of pid: Int32) -> Int? {
        guard let text = readSmallFile("/proc/\(pid)/statm") else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count >= 2, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
