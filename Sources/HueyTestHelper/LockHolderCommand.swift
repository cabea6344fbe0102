import Foundation
import Huey

/// `hold-lock <sqlite|file> <path> <lock-name> <ready-file>`: takes a storage lock,
/// writes `ready-file`, then sleeps until killed.
enum LockHolderCommand {
    static func run(kind: String, path: String, lockName: String, readyFile: String) -> Int32 {
        do {
            let storage = try HelperStorage.open(kind: kind, path: path)
            let lock = try storage.lock(named: lockName)
            guard try lock.tryAcquire() else {
                FileHandle.standardError.write(Data("hold-lock: lock already held\n".utf8))
                return 1
            }
            _ = FileManager.default.createFile(atPath: readyFile, contents: Data("\(getpid())".utf8))
            while true { sleep(60) }
        } catch {
            FileHandle.standardError.write(Data("hold-lock: \(error)\n".utf8))
            return 1
        }
    }
}
