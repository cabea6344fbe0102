import Foundation
import Huey

/// `hold-lock <sqlite|file> <path> <lock-name> <ready-file>`: takes a storage lock,
/// writes `ready-file`, then sleeps until killed.
enum LockHolderCommand {
    static func run(_ arguments: [String]) -> Int32 {
        guard arguments.count == 4 else {
            FileHandle.standardError.write(Data("usage: hold-lock <kind> <path> <lock> <ready-file>\n".utf8))
            return 2
        }
        do {
            let storage = try HelperStorage.open(kind: arguments[0], path: arguments[1])
            let lock = try storage.lock(named: arguments[2])
            guard try lock.tryAcquire() else {
                FileHandle.standardError.write(Data("hold-lock: lock already held\n".utf8))
                return 1
            }
            FileManager.default.createFile(atPath: arguments[3], contents: Data("\(getpid())".utf8))
            while true { sleep(60) }
        } catch {
            FileHandle.standardError.write(Data("hold-lock: \(error)\n".utf8))
            return 1
        }
    }
}
