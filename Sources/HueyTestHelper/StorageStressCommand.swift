import Foundation
import Huey

/// `storage-stress <kind> <path> <worker-index> <items-per-worker> <workers> <out-file>`:
/// one of several processes hammering one storage at once.
///
/// Enqueues its `items-per-worker` items (`w<index>-<n>`), claiming and acking one item
/// after every second enqueue so enqueues and claims from all processes interleave. When
/// its share is in it adds 1 to the counter `stress-enqueued`, then claims and acks until
/// the queue is empty *and* the counter says all `workers` have enqueued everything.
/// Each ack stores the item under its own name (a result write in the ack's transaction),
/// and each acked item is appended to `out-file` as one line (one `write(2)`).
///
/// Exit status: 0 when done, 1 (with the error on stderr) on any storage error or a
/// failed ack, 2 on bad arguments.
enum StorageStressCommand {
    static func run(kind: String, path: String, index: Int, perWorker: Int, workers: Int, outFile: String) -> Int32 {
        let out = open(outFile, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard out >= 0 else {
            FileHandle.standardError.write(Data("storage-stress: cannot open \(outFile)\n".utf8))
            return 1
        }
        defer { close(out) }
        do {
            let storage = try HelperStorage.open(kind: kind, path: path)
            let worker = Worker(storage: storage, out: out)
            for item in 0..<perWorker {
                try storage.enqueue(Array("w\(index)-\(item)".utf8), priority: Double(item % 3))
                if item % 2 == 1 { _ = try worker.claimOne() }
            }
            _ = try storage.increment(key: "stress-enqueued", by: 1)
            while true {
                let allEnqueued = try storage.increment(key: "stress-enqueued", by: 0) >= workers
                if try worker.claimOne() { continue }
                if allEnqueued { break }
                usleep(1_000)
            }
            return 0
        } catch {
            FileHandle.standardError.write(Data("storage-stress: worker \(index): \(error)\n".utf8))
            return 1
        }
    }

    private struct Worker {
        let storage: any Storage
        let out: Int32
        let owner = ClaimOwner.current

        /// Claims and acks one item; false when the queue was empty.
        func claimOne() throws -> Bool {
            guard let claim = try storage.claim(owner: owner, now: Date().timeIntervalSince1970) else { return false }
            let item = String(decoding: claim.data, as: UTF8.self)
            guard try storage.ack(claim, writes: [.put(key: item, value: Array("\(getpid())".utf8))]) else {
                throw StorageError(code: .io, message: "ack of \(item) found its claim gone")
            }
            let line = Array((item + "\n").utf8)
            let written = line.withUnsafeBytes { write(out, $0.baseAddress, $0.count) }
            guard written == line.count else {
                throw StorageError(code: .io, message: "cannot write to the output file", errno: errno)
            }
            return true
        }
    }
}
