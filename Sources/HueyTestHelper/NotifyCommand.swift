import Foundation
import HueyConsumer

/// `notify`: sends, through `SystemdNotifier()` (so from `$NOTIFY_SOCKET`), `READY=1` with
/// a status, `RELOADING=1`, `STOPPING=1` and `MAINPID=<own pid>`, as four datagrams. Exit
/// 0, 3 when there was no socket to notify, 1 on an error.
enum NotifyCommand {
    static func run(_ arguments: [String]) -> Int32 {
        let notifier = SystemdNotifier()
        do {
            guard try notifier.ready(status: "helper ready") else { return 3 }
            try notifier.reloading()
            try notifier.stopping()
            try notifier.mainPID(getpid())
            return 0
        } catch {
            FileHandle.standardError.write(Data("notify: \(error)\n".utf8))
            return 1
        }
    }
}
