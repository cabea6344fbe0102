import Foundation
import Huey
import HueyConsumer

/// `huey-bench consume --db PATH|URL [--storage S] [--fsync] [-- consumer flags]`:
/// this binary as the consumer the driver starts. It registers the same tasks as the
/// driver, then hands the rest of the arguments to ``HueyCommand/main(_:arguments:bootstrapLogging:)``
/// (`consume -w 2 -k process` by default). Nothing here touches threads before the
/// consumer forks.
enum ConsumeEntry {
    static func run(_ arguments: [String]) -> Never {
        var path: String?
        var storage = BenchStorage.sqlite
        var fsync = false
        var rest = arguments[...]
        var consumerFlags: [String] = []
        while let flag = rest.popFirst() {
            switch flag {
            case "--db": path = rest.popFirst()
            case "--storage": storage = rest.popFirst().flatMap(BenchStorage.init(rawValue:)) ?? .sqlite
            case "--fsync": fsync = true
            case "--":
                consumerFlags = Array(rest)
                rest = []
            default: consumerFlags.append(flag)
            }
        }
        guard let path else {
            FileHandle.standardError.write(Data("huey-bench consume: --db PATH is required\n".utf8))
            exit(2)
        }
        let queue: BenchQueue
        do {
            queue = try BenchQueue(storage: storage, path: path, fsync: fsync)
        } catch {
            FileHandle.standardError.write(Data("huey-bench consume: cannot open \(path): \(error)\n".utf8))
            exit(1)
        }
        HueyCommand.main(queue.huey, arguments: ["consume"] + consumerFlags)
    }
}
