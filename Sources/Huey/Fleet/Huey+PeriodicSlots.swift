import Foundation

/// Periodic tasks once per fleet: any number of consumers on one storage enqueue each
/// (periodic task, minute) once, because each first claims the slot in the storage
/// (a put-if-empty of a fleet key naming the task and the minute) — no leader election.
///
/// The slot's key is the scheduled minute itself (Unix seconds, so time zones do not
/// matter), not the time the claim was made. A consumer whose clock is a minute behind
/// reaches minute 10:05 when the others are at 10:06: the slot of 10:05 is already taken
/// and it does not run 10:05 again. A slot lives until ``periodicSlotLifetime`` after its
/// minute (the storages drop it then), and a consumer never claims a minute older than
/// ``periodicSlotTolerance`` by its own clock: a minute could run twice only if one
/// consumer dropped its slot (clock past minute + lifetime) while another still claimed
/// it (clock before minute + tolerance), that is with clocks at least lifetime − tolerance
/// (5 minutes) apart. A consumer whose clock is ahead runs its minutes early, once each.
extension Huey {
    /// How far behind its own clock a consumer still claims a minute: 300 s.
    public static let periodicSlotTolerance: Double = 300
    /// How long after its minute a slot is kept: 600 s.
    public static let periodicSlotLifetime: Double = 600

    /// Claims the slot of periodic task `task` in the minute of `minute` for this process;
    /// true when this caller won it and so must enqueue the task for that minute. False when
    /// another consumer (or this one) already claimed it, or when the minute is more than
    /// ``periodicSlotTolerance`` seconds before `now` (too late to run it safely).
    /// - Parameters:
    ///   - task: The periodic task's name.
    ///   - minute: Any time in the minute (the start of it is what counts).
    ///   - now: This consumer's clock.
    /// - Throws: ``StorageError``; then nothing was claimed.
    public func claimPeriodicSlot(task: String, minute: Date, now: Date) throws -> Bool {
        let start = Int((minute.timeIntervalSince1970 / 60).rounded(.down)) * 60
        guard Double(start) >= now.timeIntervalSince1970 - Self.periodicSlotTolerance else { return false }
        let owner = ClaimOwner.current
        let value = Array("\(owner.host) \(owner.pid)".utf8)
        return try storage.putFleetValue(
            key: FleetKeys.periodicSlot(task: task, minute: start), value: value,
            expiresAt: Double(start) + Self.periodicSlotLifetime, onlyIfAbsent: true, now: now.timeIntervalSince1970)
    }

    /// Gives back a slot this process claimed but could not use (its enqueue failed), so
    /// that the next scheduler tick, of this consumer or another, claims it again.
    /// - Throws: ``StorageError``.
    public func releasePeriodicSlot(task: String, minute: Date) throws {
        let start = Int((minute.timeIntervalSince1970 / 60).rounded(.down)) * 60
        _ = try storage.deleteFleetValue(key: FleetKeys.periodicSlot(task: task, minute: start))
    }

    /// Enqueues every periodic task whose schedule matches the minute of `date` and whose
    /// slot for that minute this call wins (``claimPeriodicSlot(task:minute:now:)``);
    /// returns their names. The consumer master calls it once a minute, on the minute, in
    /// place of ``enqueuePeriodicTasks(at:)``. When the enqueue fails, the slots won are
    /// given back before the error is rethrown, so a retry can claim them again.
    /// - Parameters:
    ///   - date: The minute to run (its start is the slot).
    ///   - now: This consumer's clock (default: the Huey's clock).
    /// - Throws: ``StorageError``, ``CodecError``; then nothing was enqueued.
    @discardableResult
    public func enqueuePeriodicTasksOncePerFleet(at date: Date, now: Date? = nil) throws -> [String] {
        let now = now ?? clock()
        var won: [String] = []
        var messages: [Message] = []
        do {
            for task in registry.periodicTasks where task.schedule?(date) == true {
                guard try claimPeriodicSlot(task: task.name, minute: date, now: now) else { continue }
                won.append(task.name)
                messages.append(task.periodicMessage())
            }
            if !messages.isEmpty { try enqueue(batch: messages) }
        } catch {
            for name in won { try? releasePeriodicSlot(task: name, minute: date) }
            throw error
        }
        return won
    }
}
