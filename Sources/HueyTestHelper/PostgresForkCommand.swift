import Foundation
import Huey
import HueyPostgres

/// `postgres-fork <url>`: checks that a PostgreSQL connection inherited across `fork()`
/// leaves the parent's session alone.
///
/// Opens a connection and forks. The child tries a query on the inherited connection
/// (it must be refused as misuse, without a byte sent), then releases it (which must not
/// close the parent's session) and exits. The parent then runs a query on its
/// connection, which must still work. Prints `child=<refused|…> parent=<ok|…>`. Exit
/// status: 0 when both hold, 1 otherwise, 2 on bad arguments.
enum PostgresForkCommand {
    static func run(url: String) -> Int32 {
        do {
            var connection: PostgresConnection? = try PostgresConnection(PostgresConfiguration(url: url))
            let before = connection!.backendPID
            let child = fork()
            if child == 0 {
                var status: Int32 = 3
                do {
                    _ = try connection!.query("SELECT 1")
                } catch let error as PostgresError where error.code == .misuse {
                    status = 0
                } catch {}
                connection = nil  // deinit must leave the parent's socket alone
                _exit(status)
            }
            guard child > 0 else {
                FileHandle.standardError.write(Data("postgres-fork: fork failed: errno \(errno)\n".utf8))
                return 1
            }
            var status: Int32 = 0
            _ = try? System.call("waitpid") { waitpid(child, &status, 0) }
            let childRefused = (status & 0x7f) == 0 && (status >> 8) & 0xff == 0
            var parent = "ok"
            do {
                let rows = try connection!.query("SELECT pg_backend_pid()")
                if rows.first?.int(0) != Int(before) { parent = "another session" }
            } catch {
                parent = "failed: \(error)"
            }
            print("child=\(childRefused ? "refused" : "status \(status)") parent=\(parent)")
            return childRefused && parent == "ok" ? 0 : 1
        } catch {
            FileHandle.standardError.write(Data("postgres-fork: \(error)\n".utf8))
            return 1
        }
    }
}
