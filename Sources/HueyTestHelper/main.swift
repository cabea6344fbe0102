// A small executable the process tests launch: tests are multithreaded and never fork
// to run Swift code, so anything that needs its own process runs here.
//
//   HueyTestHelper <command> [arguments...]
import Foundation
import Huey

let arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else {
    FileHandle.standardError.write(Data("usage: HueyTestHelper <command> ...\n".utf8))
    exit(2)
}
let rest = Array(arguments.dropFirst())
switch command {
case "hold-lock":
    exit(LockHolderCommand.run(rest))
case "storage-stress":
    exit(StorageStressCommand.run(rest))
case "consumer":
    exit(ConsumerCommand.run(rest))
case "chaos":
    exit(ChaosCommand.run(rest))
case "interop-consumer":
    exit(InteropCommand.run(rest))
case "disk-full":
    exit(DiskFullCommand.run(rest))
case "wait-for-work":
    exit(WaitForWorkCommand.run(rest))
case "notify":
    exit(NotifyCommand.run(rest))
case "fleet-slots":
    exit(FleetSlotsCommand.run(rest))
case "postgres-fork":
    exit(PostgresForkCommand.run(rest))
default:
    FileHandle.standardError.write(Data("HueyTestHelper: unknown command \(command)\n".utf8))
    exit(2)
}
