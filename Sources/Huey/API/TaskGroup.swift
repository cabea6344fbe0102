import Foundation
import Logging
import Synchronization

/// Calls that run in parallel; with ``then(_:_:)`` they become a chord whose callback gets
/// the list of all their results.
public struct TaskGroup: Sendable {
    /// The member calls.
    public var calls: [TaskCall]

    /// Makes a group of `calls`.
    public init(_ calls: [TaskCall]) { self.calls = calls }

    /// A chord: when every member has finished, `task` runs with `args` plus the list of
    /// the members' results (in member order; a failed member contributes its error).
    public func then(_ task: some TaskDefinition, _ args: any Encodable & Sendable...) -> Chord {
        Chord(members: calls, callback: task.makeCall(partialArguments: args))
    }
}

/// Makes a group of calls (Huey's `group`).
public func group(_ calls: [TaskCall]) -> TaskGroup { TaskGroup(calls) }

/// A group whose results feed one callback.
public struct Chord: Sendable {
    /// The member calls.
    public var members: [TaskCall]
    /// The call that receives the list of results.
    public var callback: TaskCall
}
