
/// Where a Huey keeps its queue, schedule, results, counters, claims and dead letters.
///
/// Huey's storage primitives (enqueue, dequeue, schedule, key/value results) plus what
/// Huey lacks: claims, so a task taken by a worker that dies is never lost, an atomic
/// ``ack(_:writes:)``, dead letters for undecodable entries, and ``waitForWork(timeout:)``
/// so idle workers need not poll blindly (DESIGN §4).
///
/// Every method may be called from any thread of the process that made the storage.
/// Implementations that hold OS resources (SQLite connections, file descriptors) open
/// them lazily in the process that uses them, so a storage made before `fork()` is safe
/// to use in the child (the child opens its own).
///
/// All byte payloads are opaque to the storage; keys and queue names are UTF-8 text.
public protocol Storage: AnyObject, Sendable {
    /// The queue name; two storages with different names never see each other's data.
    var name: String { get }

    // MARK: Queue

    /// Adds a message to the queue.
    /// - Throws: ``StorageError`` when the write fails (disk full, read-only, …).
    func enqueue(_ data: [UInt8], priority: Double) throws
    /// Adds many messages in one transaction (all or none).
    /// - Throws: ``StorageError`` when the write fails; then none were added.
    func enqueue(batch: [QueueItem]) throws
    /// Removes and returns the highest-priority, oldest message (priority desc, FIFO).
    /// - Throws: ``StorageError``.
    func dequeue() throws -> [UInt8]?
    /// The number of queued (unclaimed) messages.
    /// - Throws: ``StorageError``.
    func queueSize() throws -> Int
    /// Queued messages in dequeue order, at most `limit`.
    /// - Throws: ``StorageError``.
    func enqueuedItems(limit: Int?) throws -> [[UInt8]]
    /// Removes every queued message.
    /// - Throws: ``StorageError``.
    func flushQueue() throws

    // MARK: Schedule

    /// Stores a message to run at `timestamp` (Unix seconds, UTC).
    /// - Throws: ``StorageError``.
    func addToSchedule(_ data: [UInt8], timestamp: Double) throws
    /// Removes and returns the messages due at or before `timestamp`, earliest first.
    /// - Throws: ``StorageError``.
    func readSchedule(timestamp: Double) throws -> [[UInt8]]
    /// Moves every scheduled message due at or before `timestamp` into the queue, as the
    /// item `prepare` makes of each (its priority, and its bytes: the scheduler re-resolves a
    /// relative expiry there), in one atomic step: a process that dies midway loses nothing
    /// (each message is in the schedule or in the queue). Returns how many moved.
    /// - Throws: ``StorageError``.
    func promoteDue(timestamp: Double, prepare: ([UInt8]) -> QueueItem) throws -> Int
    /// Scheduled messages, earliest first, at most `limit`.
    /// - Throws: ``StorageError``.
    func scheduledItems(limit: Int?) throws -> [[UInt8]]
    /// The number of scheduled messages.
    /// - Throws: ``StorageError``.
    func scheduleSize() throws -> Int
    /// Removes every scheduled message.
    /// - Throws: ``StorageError``.
    func flushSchedule() throws

    // MARK: Results and key/value data

    /// Stores `value` under `key`, replacing what was there.
    /// - Throws: ``StorageError``.
    func putData(key: String, value: [UInt8]) throws
    /// Returns the value under `key` without removing it.
    /// - Throws: ``StorageError``.
    func peekData(key: String) throws -> [UInt8]?
    /// Removes and returns the value under `key`.
    /// - Throws: ``StorageError``.
    func popData(key: String) throws -> [UInt8]?
    /// Removes `key`; says whether it was there.
    /// - Throws: ``StorageError``.
    func deleteData(key: String) throws -> Bool
    /// Whether `key` has a value.
    /// - Throws: ``StorageError``.
    func hasData(key: String) throws -> Bool
    /// Stores `value` only when `key` has none; says whether it stored.
    /// - Throws: ``StorageError``.
    func putIfEmpty(key: String, value: [UInt8]) throws -> Bool
    /// The values of `keys`, in order, `nil` where a key has none.
    /// - Throws: ``StorageError``.
    func peekMany(keys: [String]) throws -> [[UInt8]?]
    /// The number of stored keys.
    /// - Throws: ``StorageError``.
    func resultStoreSize() throws -> Int
    /// Every stored key and value.
    /// - Throws: ``StorageError``.
    func resultItems() throws -> [String: [UInt8]]
    /// Removes every stored key.
    /// - Throws: ``StorageError``.
    func flushResults() throws

    // MARK: Counters

    /// Adds `amount` to the counter `key` (missing = 0) and returns the new value.
    /// - Throws: ``StorageError``.
    func increment(key: String, by amount: Int) throws -> Int
    /// Removes the counter `key`.
    /// - Throws: ``StorageError``.
    func deleteCounter(key: String) throws

    // MARK: Claims (a dequeue that remembers who took the message)

    /// Takes the next message like ``dequeue()`` but keeps it as a claim owned by
    /// `owner` until ``ack(_:writes:)`` or ``release(_:)``.
    /// - Throws: ``StorageError``.
    func claim(owner: ClaimOwner, now: Double) throws -> Claim?
    /// Sets the time after which the claim's owner is overrunning (task timeout).
    /// - Throws: ``StorageError``.
    func setDeadline(_ claim: Claim, deadline: Double?) throws
    /// In one transaction: applies `writes` and drops the claim. Returns false, applying
    /// nothing, when the claim no longer exists (someone else recovered it).
    /// - Throws: ``StorageError``; then nothing was applied and the claim stays.
    @discardableResult
    func ack(_ claim: Claim, writes: [StorageWrite]) throws -> Bool
    /// Puts a claimed message back in the queue with its priority and drops the claim.
    /// Returns false when the claim no longer exists.
    /// - Throws: ``StorageError``.
    @discardableResult
    func release(_ claim: Claim) throws -> Bool
    /// Every outstanding claim, oldest first.
    /// - Throws: ``StorageError``.
    func claims() throws -> [Claim]

    // MARK: Dead letters

    /// Keeps a message that cannot be run, with the reason.
    /// - Throws: ``StorageError``.
    func addDead(_ data: [UInt8], reason: String) throws
    /// Every dead letter, oldest first.
    /// - Throws: ``StorageError``.
    func deadItems() throws -> [DeadLetter]
    /// Removes every dead letter.
    /// - Throws: ``StorageError``.
    func flushDead() throws
    /// In one transaction: removes the dead letter `id` (its ``DeadLetter/id``) and puts its
    /// message back in the queue with `priority`. Returns false when there is no such letter
    /// (another process acted on it first).
    /// - Throws: ``StorageError`` (`.unsupported` when the storage cannot do it atomically).
    func requeueDead(id: String, priority: Double) throws -> Bool
    /// Removes the dead letter `id` for good; false when there is no such letter.
    /// - Throws: ``StorageError`` (`.unsupported` when the storage cannot remove one letter).
    func discardDead(id: String) throws -> Bool

    // MARK: Fleet state (defaults over key/value data in Storage+Fleet.swift)

    /// Stores `value` under the fleet key `key` (a key space apart from results: never
    /// listed, counted or flushed with them, nor by ``flushAll()``) until `expiresAt` (Unix seconds; nil: until
    /// deleted). With `onlyIfAbsent`, stores only when `key` has no live value (an expired
    /// one counts as absent) and says whether it stored, atomically across processes;
    /// otherwise replaces what is there and returns true. `now` is the caller's clock.
    /// - Throws: ``StorageError``.
    func putFleetValue(key: String, value: [UInt8], expiresAt: Double?, onlyIfAbsent: Bool, now: Double) throws
        -> Bool
    /// The live (not expired at `now`) fleet values whose keys start with `prefix`.
    /// - Throws: ``StorageError``.
    func fleetValues(prefix: String, now: Double) throws -> [String: [UInt8]]
    /// Removes the fleet key `key`; says whether it was there.
    /// - Throws: ``StorageError``.
    func deleteFleetValue(key: String) throws -> Bool
    /// Whether ``claim(owner:now:)`` takes nothing while the fleet key ``FleetKeys/paused``
    /// exists (false by default: ``Huey/pause()`` then refuses rather than pause nothing).
    var claimsHonorPause: Bool { get }

    // MARK: Disk upkeep (defaults and types in Storage+Upkeep.swift)

    /// Housekeeping the consumer master runs on every tick and, with `final`, once more as
    /// it stops after its workers are gone: SQLite checkpoints its WAL back to a small file.
    /// It never blocks for long; nothing to do by default.
    /// - Throws: ``StorageError`` (the master logs it and carries on).
    func maintain(final: Bool) throws
    /// The bytes this storage takes on the disk (database and WAL, or the folder), or nil
    /// when it keeps nothing on this machine's disk (memory, Redis).
    /// - Throws: ``StorageError`` when the files cannot be looked at.
    func diskUsage() throws -> DiskUsage?
    /// Throws a ``StorageError`` naming the file when this process cannot write the
    /// storage (`.readOnly`) or it is damaged: the consumer checks this before it starts.
    /// - Throws: ``StorageError``.
    func verifyWritable() throws
    /// A full consistency check (SQLite's `PRAGMA integrity_check`, the File storage's walk
    /// of its folders); the problems found, none when it is sound.
    /// - Throws: ``StorageError`` when the check itself cannot run.
    func integrityProblems() throws -> [String]
    /// Makes this process's writes wait out a full disk with `pause` (nil: throw at once,
    /// the default). Storages without a disk of their own ignore it.
    func pauseWhenFull(_ pause: FullDiskPause?)

    // MARK: Statistics (defaults in Statistics/Storage+Statistics.swift)

    /// Every task's counters for each minute from `minute` on (Unix seconds / 60), as the
    /// acks added them (``StorageWrite/tally(_:)``); none by default (a storage that keeps
    /// no statistics).
    /// - Throws: ``StorageError``.
    func statistics(since minute: Int) throws -> [StatsTally]
    /// Removes the counters of the minutes before `minute`; the consumer master calls it
    /// once a minute with the start of ``Huey/statisticsWindow``. Nothing by default.
    /// - Throws: ``StorageError``.
    func pruneStatistics(before minute: Int) throws
    /// Adds `tallies` in one transaction of their own (a worker's pending counts when it
    /// goes idle; see ``Huey/flushStatistics(in:)``). Nothing by default.
    /// - Throws: ``StorageError``; then nothing was added.
    func addStatistics(_ tallies: [StatsTally]) throws

    // MARK: Waiting and locking

    /// Blocks up to `timeout` seconds until work may be ready (something was enqueued),
    /// returning early when it may be. Returns true if woken by a possible change.
    /// Implementations without a notification mechanism sleep for `timeout`.
    /// - Throws: ``StorageError``.
    func waitForWork(timeout: Double) throws -> Bool

    /// A lock named `name` shared by every process using this storage; released by the
    /// kernel when its holder dies (flock), or in-process for memory storage.
    /// - Throws: ``StorageError`` when the lock cannot be set up.
    func lock(named name: String) throws -> any TaskLock

    /// Whether the owner of a claim still runs. Storages one machine can reach answer with
    /// ``ClaimOwner/isAlive`` (a /proc lookup, the default); storages shared between
    /// machines also answer for owners elsewhere, from heartbeats (see ``heartbeat(now:)``).
    /// - Throws: ``StorageError`` when a shared storage cannot be asked.
    func isAlive(_ owner: ClaimOwner) throws -> Bool

    /// Tells other machines that this machine's consumer still runs, so they leave its
    /// claims alone. The consumer master calls it every scheduler tick; storages only one
    /// machine can reach do nothing (the default).
    /// - Throws: ``StorageError``.
    func heartbeat(now: Double) throws

    /// Removes everything: queue, schedule, results, counters, claims, dead letters.
    /// - Throws: ``StorageError``.
    func flushAll() throws

    /// Drops OS resources (connections, descriptors) held by this process. The storage
    /// stays usable: it reopens lazily. The consumer master calls this before `fork()`.
    func closeConnections()
}

extension Storage {
    /// Owners are processes of this machine: looks them up in /proc.
    public func isAlive(_ owner: ClaimOwner) throws -> Bool { owner.isAlive }

    /// Nothing to tell: no other machine shares this storage.
    public func heartbeat(now: Double) throws {}
}
