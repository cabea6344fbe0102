extension RegisteredTask {
    /// The message a periodic run of this task is enqueued as: no arguments, the task's
    /// options. (``Huey/enqueuePeriodicTasks(at:)`` builds the same message inline; it can
    /// call this instead.)
    func periodicMessage() -> Message {
        Message(
            name: name, retries: options.retries, retryDelay: options.retryDelay, retryBackoff: options.retryBackoff,
            priority: options.priority, expires: options.expires, timeout: options.timeout)
    }
}
