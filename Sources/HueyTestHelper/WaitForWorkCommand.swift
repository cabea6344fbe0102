import Foundation
import Huey

/// `wait-for-work <kind> <path> <queue> <ready-file>`: blocks in `waitForWork(timeout: 30)`
/// on the storage's queue `queue` until another process enqueues.
///
/// Makes one `waitForWork(timeout: 0)` call first (it sets up this process's watch), then
/// writes `ready-file` and waits. Prints `woken=<true|false> inotify=<yes|no>`, where
/// `inotify` says whether the process holds an inotify descriptor (so it slept in
/// `poll()` rather than polling). Exit status: 0 when woken, 1 after the full 30 s or on
/// an error, 2 on bad arguments.
enum WaitForWorkCommand {
    static func run(kind: String, path: String, queue: String, readyFile: String) -> Int32 {
        do {
            let storage = try HelperStorage.open(kind: kind, path: path, name: queue)
            _ = try storage.waitForWork(timeout: 0)
            _ = FileManager.default.createFile(atPath: readyFile, contents: Data("\(getpid())".utf8))
            let woken = try storage.waitForWork(timeout: 30)
            print("woken=\(woken) inotify=\(holdsInotifyDescriptor() ? "yes" : "no")")
            return woken ? 0 : 1
        } catch {
            FileHandle.standardError.write(Data("wait-for-work: \(error)\n".utf8))
            return 1
        }
    }

    /// Whether any descriptor of this process is an inotify instance.
    private static func holdsInotifyDescriptor() -> Bool {
        ProcessTable.descriptors(of: getpid()).contains("anon_inode:inotify")
    }
}
