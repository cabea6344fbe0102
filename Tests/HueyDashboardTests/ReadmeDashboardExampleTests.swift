import Huey
import HueyDashboard

/// README "Watching it": the example, compiled here so it cannot rot. Never called: it would
/// take over the test process.
enum ReadmeDashboardExample {
    static func dashboardExample() throws {
        let huey = try SqliteHuey(name: "app", filename: "/var/lib/app/queue.db")
        huey.periodicTask("nightly", try crontab(minute: "30", hour: "2")) { }
        HueyDashboard.main(huey)   // app-dashboard --port 8080 --token … (read-only without a token)
    }
}
