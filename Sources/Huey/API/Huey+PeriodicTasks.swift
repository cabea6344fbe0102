import Foundation

extension Huey {
    /// Registers a periodic task: the consumer enqueues it in every minute `schedule`
    /// matches (a ``Crontab`` or any predicate). It can also be called like any task.
    /// - Parameters:
    ///   - name: the task's name, unique in this Huey.
    ///   - schedule: which minutes it runs in.
    ///   - retries: how many times a failing run is retried; `retryDelay`, `retryBackoff`,
    ///     `expires`, `timeout`, `priority` and `lock` are as for `task(...)`.
    ///   - body: the closure; its results are not stored.
    /// - Precondition: no task named `name` is registered yet.
    @discardableResult
    public func periodicTask(
        _ name: String, _ schedule: @escaping @Sendable (Date) -> Bool, retries: Int = 0,
        retryDelay: Double = 0, retryBackoff: Double = 1, expires: Expiry? = nil, timeout: Double? = nil,
        priority: Double? = nil, lock: String? = nil, _ body: @escaping @Sendable () throws -> Void
    ) -> TaskWrapper<Void> {
        let options = TaskOptions(
            retries: retries, retryDelay: retryDelay, retryBackoff: retryBackoff, priority: priority,
            expires: expires, timeout: timeout, lock: lock)
        return registerVoid(name, options: options, schedule: schedule, plainBody: body, contextBody: nil)
    }

    /// Registers a periodic task that returns a value: ``TaskWrapper/callLocal()`` returns
    /// it and post-execute hooks see it, but the consumer stores no result, as Huey.
    /// - Precondition: no task named `name` is registered yet.
    @discardableResult
    public func periodicTask<R: Codable & Sendable>(
        _ name: String, _ schedule: @escaping @Sendable (Date) -> Bool, retries: Int = 0,
        retryDelay: Double = 0, retryBackoff: Double = 1, expires: Expiry? = nil, timeout: Double? = nil,
        priority: Double? = nil, lock: String? = nil, _ body: @escaping @Sendable () throws -> R
    ) -> TaskWrapper<R> {
        let options = TaskOptions(
            retries: retries, retryDelay: retryDelay, retryBackoff: retryBackoff, priority: priority,
            expires: expires, timeout: timeout, lock: lock)
        return register(name, options: options, schedule: schedule, plainBody: body, contextBody: nil)
    }

    /// Registers a periodic task whose closure gets the running call (``TaskContext``).
    /// - Precondition: `context` is true; no task named `name` is registered yet.
    @discardableResult
    public func periodicTask(
        _ name: String, _ schedule: @escaping @Sendable (Date) -> Bool, retries: Int = 0,
        retryDelay: Double = 0, retryBackoff: Double = 1, expires: Expiry? = nil, timeout: Double? = nil,
        priority: Double? = nil, lock: String? = nil, context: Bool,
        _ body: @escaping @Sendable (TaskContext) throws -> Void
    ) -> TaskWrapper<Void> {
        precondition(context, "huey: a closure taking a TaskContext needs context: true")
        let options = TaskOptions(
            retries: retries, retryDelay: retryDelay, retryBackoff: retryBackoff, priority: priority,
            expires: expires, timeout: timeout, lock: lock)
        return registerVoid(name, options: options, schedule: schedule, plainBody: nil, contextBody: body)
    }

    /// Registers a periodic task that gets its ``TaskContext`` and returns a value (not
    /// stored by the consumer, as Huey).
    /// - Precondition: `context` is true; no task named `name` is registered yet.
    @discardableResult
    public func periodicTask<R: Codable & Sendable>(
        _ name: String, _ schedule: @escaping @Sendable (Date) -> Bool, retries: Int = 0,
        retryDelay: Double = 0, retryBackoff: Double = 1, expires: Expiry? = nil, timeout: Double? = nil,
        priority: Double? = nil, lock: String? = nil, context: Bool,
        _ body: @escaping @Sendable (TaskContext) throws -> R
    ) -> TaskWrapper<R> {
        precondition(context, "huey: a closure taking a TaskContext needs context: true")
        let options = TaskOptions(
            retries: retries, retryDelay: retryDelay, retryBackoff: retryBackoff, priority: priority,
            expires: expires, timeout: timeout, lock: lock)
        return register(name, options: options, schedule: schedule, plainBody: nil, contextBody: body)
    }

    /// Registers a periodic task on a ``Crontab`` read in this Huey's time zone.
    /// - Precondition: no task named `name` is registered yet.
    @discardableResult
    public func periodicTask(
        _ name: String, _ crontab: Crontab, retries: Int = 0, retryDelay: Double = 0, retryBackoff: Double = 1,
        expires: Expiry? = nil, timeout: Double? = nil, priority: Double? = nil, lock: String? = nil,
        _ body: @escaping @Sendable () throws -> Void
    ) -> TaskWrapper<Void> {
        periodicTask(
            name, zoned(crontab), retries: retries, retryDelay: retryDelay, retryBackoff: retryBackoff,
            expires: expires, timeout: timeout, priority: priority, lock: lock, body)
    }

    /// Registers a periodic task on a ``Crontab`` that returns a value (not stored by the
    /// consumer, as Huey).
    /// - Precondition: no task named `name` is registered yet.
    @discardableResult
    public func periodicTask<R: Codable & Sendable>(
        _ name: String, _ crontab: Crontab, retries: Int = 0, retryDelay: Double = 0, retryBackoff: Double = 1,
        expires: Expiry? = nil, timeout: Double? = nil, priority: Double? = nil, lock: String? = nil,
        _ body: @escaping @Sendable () throws -> R
    ) -> TaskWrapper<R> {
        periodicTask(
            name, zoned(crontab), retries: retries, retryDelay: retryDelay, retryBackoff: retryBackoff,
            expires: expires, timeout: timeout, priority: priority, lock: lock, body)
    }

    /// Registers a periodic task on a ``Crontab`` whose closure gets its ``TaskContext``.
    /// - Precondition: `context` is true; no task named `name` is registered yet.
    @discardableResult
    public func periodicTask(
        _ name: String, _ crontab: Crontab, retries: Int = 0, retryDelay: Double = 0, retryBackoff: Double = 1,
        expires: Expiry? = nil, timeout: Double? = nil, priority: Double? = nil, lock: String? = nil,
        context: Bool, _ body: @escaping @Sendable (TaskContext) throws -> Void
    ) -> TaskWrapper<Void> {
        periodicTask(
            name, zoned(crontab), retries: retries, retryDelay: retryDelay, retryBackoff: retryBackoff,
            expires: expires, timeout: timeout, priority: priority, lock: lock, context: context, body)
    }

    /// Registers a periodic task on a ``Crontab`` that gets its ``TaskContext`` and returns
    /// a value (not stored by the consumer, as Huey).
    /// - Precondition: `context` is true; no task named `name` is registered yet.
    @discardableResult
    public func periodicTask<R: Codable & Sendable>(
        _ name: String, _ crontab: Crontab, retries: Int = 0, retryDelay: Double = 0, retryBackoff: Double = 1,
        expires: Expiry? = nil, timeout: Double? = nil, priority: Double? = nil, lock: String? = nil,
        context: Bool, _ body: @escaping @Sendable (TaskContext) throws -> R
    ) -> TaskWrapper<R> {
        periodicTask(
            name, zoned(crontab), retries: retries, retryDelay: retryDelay, retryBackoff: retryBackoff,
            expires: expires, timeout: timeout, priority: priority, lock: lock, context: context, body)
    }

    /// `crontab` as a predicate read in this Huey's time zone.
    private func zoned(_ crontab: Crontab) -> @Sendable (Date) -> Bool {
        let zone = timeZone
        return { crontab.matches($0, timeZone: zone) }
    }
}
