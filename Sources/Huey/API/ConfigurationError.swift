/// Something given to Huey's configuration is invalid: a bad ``crontab(minute:hour:day:month:dayOfWeek:strict:)``
/// field, a task name registered twice, an option out of range.
///
/// The message says what was wrong and with which value, e.g.
/// `crontab minute "*/0": step must be positive`.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// What is wrong, naming the offending setting and its value.
    public var message: String

    /// Makes an error with `message`.
    /// - Parameter message: what is wrong, naming the setting and the value.
    public init(_ message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
