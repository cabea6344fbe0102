import Foundation
import Synchronization

/// New call ids: random (version 4) UUIDs in lowercase text, as Huey writes them
/// (`"1b4e28ba-2fa1-4d2a-8e7b-3c5f6a2b9d10"`).
///
/// Foundation's `UUID()` opens and reads `/dev/urandom` for every id and formats it with
/// `snprintf`, which was a third of the cost of `map`. Here the random bytes come from
/// `getrandom` (through `arc4random_buf`) 4 KiB at a time, 256 ids per system call, and
/// the text is written by hand.
/// The buffer belongs to the process that filled it: a forked child (counted by a
/// `pthread_atfork` handler) refills its own before its first id, so parent and child never
/// hand out the same bytes.
public enum CallID {
    private struct RandomPool {
        var bytes = [UInt8](repeating: 0, count: 4096)
        var used = 4096
        /// ``forks`` when the bytes were drawn.
        var forkCount: UInt64 = 0
    }

    private static let pool = Mutex(RandomPool())
    /// How many times this process was forked into (bumped in each child by `pthread_atfork`).
    private static let forks = Atomic<UInt64>(0)
    private static let watchesForks: Void = {
        _ = pthread_atfork(nil, nil) { CallID.forks.add(1, ordering: .relaxed) }
    }()

    /// A new random id.
    public static func make() -> String {
        _ = watchesForks
        var random = pool.withLock { pool -> (UInt64, UInt64) in
            let forkCount = forks.load(ordering: .relaxed)
            if pool.used + 16 > pool.bytes.count || pool.forkCount != forkCount {
                fill(&pool.bytes)
                pool.used = 0
                pool.forkCount = forkCount
            }
            defer { pool.used += 16 }
            return pool.bytes.withUnsafeBytes { raw in
                (raw.loadUnaligned(fromByteOffset: pool.used, as: UInt64.self),
                 raw.loadUnaligned(fromByteOffset: pool.used + 8, as: UInt64.self))
            }
        }
        // Version 4 (random) and the RFC 4122 variant, as UUID() sets them.
        random.0 = (random.0 & ~0xF000) | 0x4000
        random.1 = (random.1 & ~(0xC000 << 48)) | (0x8000 << 48)
        return String(unsafeUninitializedCapacity: 36) { text in
            var at = 0
            func put(_ value: UInt64, digits: Int) {
                for shift in stride(from: (digits - 1) * 4, through: 0, by: -4) {
                    let digit = UInt8(truncatingIfNeeded: value >> UInt64(shift)) & 0xF
                    text[at] = digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10
                    at += 1
                }
            }
            func dash() {
                text[at] = UInt8(ascii: "-")
                at += 1
            }
            put(random.0 >> 32, digits: 8)
            dash()
            put(random.0 >> 16, digits: 4)
            dash()
            put(random.0, digits: 4)
            dash()
            put(random.1 >> 48, digits: 4)
            dash()
            put(random.1, digits: 12)
            return at
        }
    }

    /// Fills `buffer` from the kernel's random source (glibc's `arc4random_buf`, which
    /// reads `getrandom`).
    private static func fill(_ buffer: inout [UInt8]) {
        buffer.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return }
            arc4random_buf(base, raw.count)
        }
    }
}
