import Foundation

/// A member of a group or chord: a call or pipeline made with `s(...)` (``TaskCall``), or
/// a whole chord (``Chord``), whose callback's result is then the member's result.
public protocol GroupMember: Sendable {
    /// This member as a call or a chord.
    var groupMember: GroupMemberKind { get }
}

/// What a ``GroupMember`` is.
public enum GroupMemberKind: Sendable {
    /// A call, or a pipeline whose last stage's result is the member's result.
    case call(TaskCall)
    /// A chord, whose callback pipeline's last result is the member's result.
    case chord(Chord)
}

extension TaskCall: GroupMember {
    /// This call as a group member.
    public var groupMember: GroupMemberKind { .call(self) }
}

extension Chord: GroupMember {
    /// This chord as a member of an outer group or chord.
    public var groupMember: GroupMemberKind { .chord(self) }
}

/// Calls that run in parallel (Huey's `group`); with ``then(_:_:delay:eta:priority:retries:retryDelay:retryBackoff:expires:timeout:id:)``
/// they become a chord whose callback gets the list of all their results.
public struct TaskGroup: Sendable {
    /// The members: calls, pipelines or chords.
    public var members: [any GroupMember]

    /// Makes a group of `members`.
    public init(_ members: [any GroupMember]) { self.members = members }

    /// A chord: when every member has finished, `task` runs with `args` plus the list of
    /// the members' results (in member order; a failed member contributes its error). The
    /// labeled options are the callback's own; a `delay` counts from now, as in Huey.
    public func then(
        _ task: some TaskDefinition, _ args: any Encodable & Sendable..., delay: Double? = nil, eta: Date? = nil,
        priority: Double? = nil, retries: Int? = nil, retryDelay: Double? = nil, retryBackoff: Double? = nil,
        expires: Expiry? = nil, timeout: Double? = nil, id: String? = nil
    ) -> Chord {
        let options = CallOptions(
            delay: delay, eta: eta, priority: priority, retries: retries, retryDelay: retryDelay,
            retryBackoff: retryBackoff, expires: expires, timeout: timeout, id: id)
        return Chord(members: members, callback: task.makeCall(partialArguments: args, options: options))
    }

    /// A chord whose callback is `callback` (a call made with `makeCall(partialArguments:options:)`
    /// or a pipeline of such calls).
    public func then(_ callback: TaskCall) -> Chord {
        Chord(members: members, callback: callback)
    }

    /// Sets `task` as the error handler of every member (of a chord member: of its
    /// callback), as Huey's `group.error`.
    public func error(_ task: some TaskDefinition, _ args: any Encodable & Sendable...) -> TaskGroup {
        TaskGroup(
            members.map { member -> any GroupMember in
                let handler = task.makeCall(partialArguments: args)  // one id per member
                switch member.groupMember {
                case .call(let call): return call.error(handler)
                case .chord(let chord): return chord.error(handler)
                }
            })
    }
}

/// Makes a group of calls, pipelines or chords (Huey's `group`).
public func group(_ members: [any GroupMember]) -> TaskGroup { TaskGroup(members) }

/// A group whose results feed one callback (Huey's `chord`). Enqueue it with
/// `huey.enqueue(chord)`; a chord can be a member of another group or chord.
public struct Chord: Sendable {
    /// The members: calls, pipelines or chords.
    public var members: [any GroupMember]
    /// The call that receives the list of results (perhaps the head of a pipeline).
    public var callback: TaskCall

    /// Makes a chord of `members` whose results feed `callback`.
    public init(members: [any GroupMember], callback: TaskCall) {
        self.members = members
        self.callback = callback
    }

    /// Adds a stage after the callback (and after the stages added before), as Huey's
    /// `chord.then`; the stage gets the previous stage's result appended to `args`.
    public func then(
        _ task: some TaskDefinition, _ args: any Encodable & Sendable..., delay: Double? = nil, eta: Date? = nil,
        priority: Double? = nil, retries: Int? = nil, retryDelay: Double? = nil, retryBackoff: Double? = nil,
        expires: Expiry? = nil, timeout: Double? = nil, id: String? = nil
    ) -> Chord {
        let options = CallOptions(
            delay: delay, eta: eta, priority: priority, retries: retries, retryDelay: retryDelay,
            retryBackoff: retryBackoff, expires: expires, timeout: timeout, id: id)
        return Chord(members: members, callback: callback.then(task.makeCall(partialArguments: args, options: options)))
    }

    /// Sets the callback's error handler, as Huey's `chord.error`.
    public func error(_ task: some TaskDefinition, _ args: any Encodable & Sendable...) -> Chord {
        error(task.makeCall(partialArguments: args))
    }

    /// Sets `handler` as the callback's error handler.
    public func error(_ handler: TaskCall) -> Chord {
        Chord(members: members, callback: callback.error(handler))
    }
}
