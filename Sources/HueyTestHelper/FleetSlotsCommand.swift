import Foundation
import Huey

/// `fleet-slots <kind> <path> <first-minute> <count> <skew> <tick-dir> <index>`: plays a
/// consumer's scheduler for `count` minutes from `first-minute` (Unix seconds), with its
/// clock `skew` seconds off, racing the other helpers for each minute's periodic slot.
/// Minutes pass together for every helper, as real time does: minute `i` starts when the
/// test creates `<tick-dir>/tick-<i>`; the helper then writes `<tick-dir>/done-<index>-<i>`
/// holding `1` if it won the minute's slot, else `0`. Exit 0, or 1 with the error on stderr.
enum FleetSlotsCommand {
    static func run(_ arguments: [String]) -> Int32 {
        guard arguments.count == 7, let first = Int(arguments[2]), let count = Int(arguments[3]),
            let skew = Double(arguments[4])
        else {
            FileHandle.standardError.write(
                Data("usage: fleet-slots <kind> <path> <first-minute> <count> <skew> <tick-dir> <index>\n".utf8))
            return 2
        }
        do {
            let huey = Huey(name: "test", storage: try HelperStorage.open(kind: arguments[0], path: arguments[1]))
            huey.periodicTask("every-minute", { _ in true }) {}
            let directory = arguments[5]
            for index in 0..<count {
                let deadline = Date().addingTimeInterval(120)
                while access("\(directory)/tick-\(index)", F_OK) != 0 {
                    guard Date() < deadline else {
                        FileHandle.standardError.write(Data("fleet-slots: no tick \(index) after 120 s\n".utf8))
                        return 1
                    }
                    usleep(1_000)
                }
                let minute = Double(first + 60 * index)
                let names = try huey.enqueuePeriodicTasksOncePerFleet(
                    at: Date(timeIntervalSince1970: minute), now: Date(timeIntervalSince1970: minute + skew))
                let won = names == ["every-minute"] ? "1" : "0"
                try Data(won.utf8).write(to: URL(fileURLWithPath: "\(directory)/done-\(arguments[6])-\(index)"), options: .atomic)
            }
            return 0
        } catch {
            FileHandle.standardError.write(Data("fleet-slots: \(error)\n".utf8))
            return 1
        }
    }
}
