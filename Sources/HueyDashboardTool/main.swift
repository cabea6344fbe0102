// huey-dashboard: the dashboard over a SQLite file or a File storage folder, without the
// application's tasks (periodic tasks need HueyDashboard.main(huey) in your own program).
//
//   huey-dashboard --sqlite /var/lib/app/queue.db --name app [--port 8080] [--token T]
import ArgumentParser
import Foundation
import Huey
import HueyDashboard

/// `huey-dashboard (--sqlite PATH | --file DIR) [--name NAME] [dashboard options]`.
struct StandaloneDashboard: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "huey-dashboard", abstract: "Serves the web dashboard of a Huey queue stored in SQLite or files.")
    @Option(help: "The SQLite database file.") var sqlite: String?
    @Option(help: "The File storage folder.") var file: String?
    @Option(help: "The queue's name (the Huey's name in the application).") var name = "huey"
    @OptionGroup var options: DashboardOptions

    func validate() throws {
        guard (sqlite == nil) != (file == nil) else { throw ValidationError("give exactly one of --sqlite PATH or --file DIR") }
        // Opening a missing path would create an empty queue and show nothing: say so instead.
        for path in [sqlite, file].compactMap({ $0 }) where !FileManager.default.fileExists(atPath: path) {
            throw ValidationError("no storage at \(path)")
        }
    }

    func run() throws {
        let huey: Huey = try sqlite.map { try SqliteHuey(name: name, filename: $0) } ?? FileHuey(name: name, path: file!)
        throw ExitCode(HueyDashboard.serve(huey, configuration: options.configuration()))
    }
}

do {
    var command = try StandaloneDashboard.parseAsRoot()
    try command.run()
} catch let code as ExitCode {
    exit(code.rawValue)
} catch let error as StorageError {
    FileHandle.standardError.write(Data("huey-dashboard: \(error)\n".utf8))
    exit(2)
} catch {
    HueyDashboard.exitForParseError(error, of: StandaloneDashboard.self)
}
