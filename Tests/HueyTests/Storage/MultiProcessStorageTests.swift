import Foundation
import Huey
import HueyTestSupport
import Testing

extension StorageBackend {
    /// The path `make(name:in:)` uses inside `place`, for a helper process to open the
    /// same storage (the helper's storage kind is the raw value).
    func helperPath(in place: ScratchDirectory) -> String {
        switch self {
        case .memory: return place.path
        case .sqlite: return place.file("huey.db")
        case .file: return place.file("files")
        case .redis, .priorityRedis, .redisExpire, .priorityRedisExpire:
            // The server, and the queue name `make(name: "test", in: place)` uses as the fragment.
            return "\((try? place.redisURL()) ?? "")#test-\(place.uniqueName)"
        case .postgres:
            // The server, and the queue name `make(name: "test", in: place)` uses as the fragment.
            return "\((try? PostgresTestTarget.sharedURL()) ?? "")#test-\(place.uniqueName)"
        }
    }
}

/// Several real processes (the test helper, launched — never forked) sharing one storage.
/// One backend at a time: each case runs 4 busy processes, and 2 cores shared by several
/// cases at once (with the rest of the suite) made them time out.
@Suite("Storage shared by processes", .serialized)
struct MultiProcessStorageTests {
    @Test(
        "4 processes enqueue and claim 5,000 items: each is claimed exactly once, no error escapes",
        .timeLimit(.minutes(3)), arguments: [StorageBackend.sqlite, .file] + StorageBackend.testable.filter { $0 == .priorityRedis || $0 == .postgres })
    func fourProcesses(backend: StorageBackend) throws {
        let place = try ScratchDirectory()
        let workers = 4
        let perWorker = 1_250
        let path = backend.helperPath(in: place)
        // Create the storage first, as an application would, so the helpers race on use,
        // not only on creation.
        let storage = try backend.make(name: "test", in: place)
        var helpers: [HelperProcess] = []
        for index in 0..<workers {
            let arguments = [
                "storage-stress", backend.rawValue, path, "\(index)", "\(perWorker)", "\(workers)",
                place.file("claimed-\(index)"),
            ]
            helpers.append(try HelperProcess(arguments, outputDirectory: place.path))
        }
        for (index, helper) in helpers.enumerated() {
            let exit = helper.waitForExit(timeout: 150)
            #expect(
                exit?.reason == .exited && exit?.status == 0,
                "worker \(index) ended with \(String(describing: exit)): \(helper.standardError)")
            #expect(helper.standardError.isEmpty, "worker \(index) wrote to stderr")
            #expect(!helper.standardError.contains("locked"))
        }

        var counts: [String: Int] = [:]
        for index in 0..<workers {
            let text = (try? String(contentsOfFile: place.file("claimed-\(index)"), encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n") { counts[String(line), default: 0] += 1 }
        }
        let expected = Set((0..<workers).flatMap { worker in (0..<perWorker).map { "w\(worker)-\($0)" } })
        #expect(counts.values.reduce(0, +) == workers * perWorker)
        #expect(Set(counts.keys) == expected)
        let twice = counts.filter { $0.value != 1 }.keys.sorted()
        #expect(twice.count == 0, "claimed more than once, e.g. \(twice.prefix(10))")
        #expect(try storage.queueSize() == 0)
        #expect(try storage.claims().isEmpty)
        #expect(try storage.resultStoreSize() == workers * perWorker)
    }
}
