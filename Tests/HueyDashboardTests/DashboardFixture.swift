import Foundation
import Huey
import HueyDashboard

/// A SQLite queue in a scratch folder with a known content, for the dashboard tests:
/// 3 calls queued then 1 of them claimed (2 pending, 1 running), 2 scheduled an hour
/// ahead, 1 stored error result, 1 dead letter, and the periodic task `nightly` at 02:30.
final class DashboardFixture: @unchecked Sendable {
    // @unchecked Sendable: set up once in init, then only read.
    let directory: String
    let database: String
    let huey: SqliteHuey
    let add: TaskWrapper<Int, Int, Int>
    let failedID = "failed-call-1"
    let queuedIDs: [String]
    let scheduledIDs: [String]
    let claimedID: String

    init(name: String = "test") throws {
        var template = Array("\(FileManager.default.temporaryDirectory.path)/huey-dash-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.EIO) }
        directory = String(cString: made)
        database = directory + "/queue.db"
        let huey = try SqliteHuey(name: name, filename: database)
        let add = huey.task("add") { (a: Int, b: Int) in a + b }
        huey.periodicTask("nightly", try crontab(minute: "30", hour: "2")) {}
        queuedIDs = try (1...3).map { try add($0, $0).id }
        scheduledIDs = try (1...2).map { try add.schedule(args: ($0, 10), delay: 3600).id }
        let claim = try huey.storage.claim(owner: .current, now: Date().timeIntervalSince1970)
        claimedID = try huey.decodeMessage(claim!.data).id
        self.huey = huey
        self.add = add
        let failure = ErrorInfo(
            error: "disk on fire", retries: 0, traceback: "add at step 2", taskID: failedID, type: "FireError")
        try huey.storage.putData(key: failedID, value: try MessageCodec.encode(.error(failure)))
        try huey.storage.addDead(Array("{not json".utf8), reason: "undecodable message: test")
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A dashboard over this queue (token `secret` unless told otherwise).
    func dashboard(token: String? = "secret", statistics: (any TaskStatisticsSource)? = nil) -> Dashboard {
        Dashboard(huey: huey, configuration: DashboardConfiguration(port: 0, token: token, statistics: statistics))
    }
}
