import Foundation

extension Huey {
    /// Moves every scheduled call due at `now` to the queue in one atomic step (a master
    /// killed midway loses nothing); returns how many moved. The consumer's master calls
    /// this every scheduler tick. As Huey's scheduler enqueueing a call, a relative expiry
    /// is resolved again from `now`, and `enqueued` is signalled for each call once moved.
    /// An entry that does not decode moves unchanged with priority 0 and becomes a dead
    /// letter when a worker takes it.
    /// - Throws: ``StorageError``.
    @discardableResult
    public func enqueueDueScheduled(now: Date? = nil) throws -> Int {
        let now = (now ?? clock()).timeIntervalSince1970
        var moved: [Message] = []
        let count = try storage.promoteDue(timestamp: now) { data in
            guard var message = try? self.decodeMessage(data) else { return QueueItem(data: data, priority: 0) }
            moved.append(message)
            let priority = message.priority ?? 0
            guard case .seconds = message.expires else { return QueueItem(data: data, priority: priority) }
            message.expiresResolved = message.expires?.resolved(enqueuedAt: now)
            guard let rewritten = try? self.encodeMessage(message) else { return QueueItem(data: data, priority: priority) }
            return QueueItem(data: rewritten, priority: priority)
        }
        // The suffix: the last run of `prepare` when a storage ran its transaction twice.
        for message in moved.suffix(count) { emit(.enqueued, TaskCall(message: message)) }
        return count
    }

    /// Enqueues every periodic task whose schedule matches the minute of `date`; returns
    /// their names. The consumer's master calls this once a minute, on the minute.
    /// - Throws: ``CodecError``, ``StorageError``.
    @discardableResult
    public func enqueuePeriodicTasks(at date: Date) throws -> [String] {
        var names: [String] = []
        var messages: [Message] = []
        for task in registry.periodicTasks where task.schedule?(date) == true {
            let options = task.options
            messages.append(
                Message(
                    name: task.name, retries: options.retries, retryDelay: options.retryDelay,
                    retryBackoff: options.retryBackoff, priority: options.priority, expires: options.expires,
                    timeout: options.timeout))
            names.append(task.name)
        }
        if !messages.isEmpty { try enqueue(batch: messages) }
        return names
    }

    /// Takes the next queued call for `owner`, runs it and acknowledges it; returns false
    /// when the queue was empty. One step of a ``TaskRunner``, for tests and scripts.
    /// - Throws: ``StorageError``.
    @discardableResult
    public func processNext(owner: ClaimOwner, in storage: any Storage) throws -> Bool {
        var runner = TaskRunner(huey: self, owner: owner, storage: storage)
        return try runner.runNext()
    }
}
