import Foundation

extension Huey {
    /// Registers a task: a closure with Codable arguments and a Codable result.
    ///
    /// ```swift
    /// let add = huey.task("add") { (a: Int, b: Int) in a + b }
    /// ```
    /// - Parameters:
    ///   - name: the task's name, unique in this Huey (`"module.function"` names work).
    ///   - retries: how many times a failing call is retried.
    ///   - retryDelay: seconds before each retry.
    ///   - retryBackoff: factor applied to the delay after each retry.
    ///   - priority: queue priority (higher first).
    ///   - expires: calls not started within this many seconds (or by `.date(...)`) are skipped.
    ///   - timeout: seconds a call may run (process workers are killed; thread workers must
    ///     check ``TaskContext/checkTimeout()``).
    ///   - lock: a lock every call holds while it runs.
    ///   - argumentNames: the arguments' names, one per closure parameter, so keyword
    ///     arguments (a Python producer's `kwargs`, a dictionary result of the previous
    ///     stage) bind by name; without names a call with keywords fails with an
    ///     ``ArgumentDecodingError`` naming the task and the keyword.
    /// - Precondition: no task named `name` is registered yet; `argumentNames`, when
    ///   given, has one distinct name per parameter.
    @discardableResult
    public func task<each A: Codable & Sendable, R: Codable & Sendable>(
        _ name: String, retries: Int = 0, retryDelay: Double = 0, retryBackoff: Double = 1,
        expires: Expiry? = nil, timeout: Double? = nil, priority: Double? = nil, lock: String? = nil,
        argumentNames: [String]? = nil, _ body: @escaping @Sendable (repeat each A) throws -> R
    ) -> TaskWrapper<repeat each A, R> {
        let options = TaskOptions(
            retries: retries, retryDelay: retryDelay, retryBackoff: retryBackoff, priority: priority,
            expires: expires, timeout: timeout, lock: lock, argumentNames: argumentNames)
        return register(name, options: options, schedule: nil, plainBody: body, contextBody: nil)
    }

    /// Registers a task whose closure returns nothing.
    /// - Precondition: no task named `name` is registered yet.
    @discardableResult
    public func task<each A: Codable & Sendable>(
        _ name: String, retries: Int = 0, retryDelay: Double = 0, retryBackoff: Double = 1,
        expires: Expiry? = nil, timeout: Double? = nil, priority: Double? = nil, lock: String? = nil,
        argumentNames: [String]? = nil, _ body: @escaping @Sendable (repeat each A) throws -> Void
    ) -> TaskWrapper<repeat each A, Void> {
        let options = TaskOptions(
            retries: retries, retryDelay: retryDelay, retryBackoff: retryBackoff, priority: priority,
            expires: expires, timeout: timeout, lock: lock, argumentNames: argumentNames)
        return registerVoid(name, options: options, schedule: nil, plainBody: body, contextBody: nil)
    }

    /// Registers a task whose closure gets the running call (``TaskContext``) first.
    /// - Precondition: `context` is true; no task named `name` is registered yet.
    @discardableResult
    public func task<each A: Codable & Sendable, R: Codable & Sendable>(
        _ name: String, retries: Int = 0, retryDelay: Double = 0, retryBackoff: Double = 1,
        expires: Expiry? = nil, timeout: Double? = nil, priority: Double? = nil, lock: String? = nil,
        argumentNames: [String]? = nil, context: Bool, _ body: @escaping @Sendable (TaskContext, repeat each A) throws -> R
    ) -> TaskWrapper<repeat each A, R> {
        precondition(context, "huey: a closure taking a TaskContext needs context: true")
        let options = TaskOptions(
            retries: retries, retryDelay: retryDelay, retryBackoff: retryBackoff, priority: priority,
            expires: expires, timeout: timeout, lock: lock, argumentNames: argumentNames)
        return register(name, options: options, schedule: nil, plainBody: nil, contextBody: body)
    }

    /// Registers a task that gets its ``TaskContext`` first and returns nothing.
    /// - Precondition: `context` is true; no task named `name` is registered yet.
    @discardableResult
    public func task<each A: Codable & Sendable>(
        _ name: String, retries: Int = 0, retryDelay: Double = 0, retryBackoff: Double = 1,
        expires: Expiry? = nil, timeout: Double? = nil, priority: Double? = nil, lock: String? = nil,
        argumentNames: [String]? = nil, context: Bool, _ body: @escaping @Sendable (TaskContext, repeat each A) throws -> Void
    ) -> TaskWrapper<repeat each A, Void> {
        precondition(context, "huey: a closure taking a TaskContext needs context: true")
        let options = TaskOptions(
            retries: retries, retryDelay: retryDelay, retryBackoff: retryBackoff, priority: priority,
            expires: expires, timeout: timeout, lock: lock, argumentNames: argumentNames)
        return registerVoid(name, options: options, schedule: nil, plainBody: nil, contextBody: body)
    }

    func register<each A: Codable & Sendable, R: Codable & Sendable>(
        _ name: String, options: TaskOptions, schedule: (@Sendable (Date) -> Bool)?,
        plainBody: (@Sendable (repeat each A) throws -> R)?,
        contextBody: (@Sendable (TaskContext, repeat each A) throws -> R)?
    ) -> TaskWrapper<repeat each A, R> {
        KeywordArguments.check(options.argumentNames, task: name, arity: packCount(repeat (each A).self))
        let wrapper = TaskWrapper(
            name: name, huey: self, options: options, plainBody: plainBody, contextBody: contextBody,
            decodeResult: { try JSONCodec.convert($0, to: R.self) })
        registry.register(
            RegisteredTask(
                name: name, options: options, body: { context, args in try JSONCodec.value(wrapper.invoke(context, args)) },
                spreadsResult: R.self is any SpreadingResult.Type, schedule: schedule))
        return wrapper
    }

    func registerVoid<each A: Codable & Sendable>(
        _ name: String, options: TaskOptions, schedule: (@Sendable (Date) -> Bool)?,
        plainBody: (@Sendable (repeat each A) throws -> Void)?,
        contextBody: (@Sendable (TaskContext, repeat each A) throws -> Void)?
    ) -> TaskWrapper<repeat each A, Void> {
        KeywordArguments.check(options.argumentNames, task: name, arity: packCount(repeat (each A).self))
        let wrapper = TaskWrapper(
            name: name, huey: self, options: options, plainBody: plainBody, contextBody: contextBody,
            decodeResult: { _ in () })
        registry.register(
            RegisteredTask(
                name: name, options: options,
                body: { context, args in
                    try wrapper.invoke(context, args)
                    return nil
                },
                spreadsResult: false, schedule: schedule))
        return wrapper
    }
}
