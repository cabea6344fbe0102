import Foundation
import Synchronization

/// A task as the executor sees it: a name, options, and a type-erased body over JSON.
struct RegisteredTask: Sendable {
    /// Runs the body with decoded arguments and returns the encoded value (`nil` for `Void`).
    typealias Body = @Sendable (TaskContext, [JSONValue]) throws -> JSONValue?

    let name: String
    let options: TaskOptions
    let body: Body
    /// Whether the result extends (rather than is appended to) a callback's arguments.
    let spreadsResult: Bool
    /// For periodic tasks: which minutes they run in.
    let schedule: (@Sendable (Date) -> Bool)?
}

/// Every task registered on a Huey, by name.
public final class TaskRegistry: Sendable {
    private let tasks = Mutex<[String: RegisteredTask]>([:])

    init() {}

    func register(_ task: RegisteredTask) {
        let duplicate = tasks.withLock { tasks -> Bool in
            if tasks[task.name] != nil { return true }
            tasks[task.name] = task
            return false
        }
        if duplicate {
            preconditionFailure("huey: a task named \(task.name.debugDescription) is already registered")
        }
    }

    func task(named name: String) -> RegisteredTask? {
        tasks.withLock { $0[name] }
    }

    /// The registered task names, sorted.
    public var names: [String] { tasks.withLock { $0.keys.sorted() } }

    /// The names of the periodic tasks, sorted.
    public var periodicNames: [String] {
        tasks.withLock { $0.values.filter { $0.schedule != nil }.map(\.name).sorted() }
    }

    var periodicTasks: [RegisteredTask] {
        tasks.withLock { $0.values.filter { $0.schedule != nil }.sorted { $0.name < $1.name } }
    }
}

/// Decodes a call's JSON arguments as a task's parameter types, one at a time.
final class ArgumentReader {
    private let task: String
    private let args: [JSONValue]
    private(set) var index = 0

    init(task: String, args: [JSONValue]) {
        self.task = task
        self.args = args
    }

    func next<T: Decodable>(_ type: T.Type) throws -> T {
        defer { index += 1 }
        guard index < args.count else {
            throw ArgumentDecodingError(
                task: task, detail: "missing argument \(index + 1) of type \(T.self) (got \(args.count))")
        }
        do {
            return try JSONCodec.convert(args[index], to: type)
        } catch {
            throw ArgumentDecodingError(
                task: task,
                detail: "argument \(index + 1) \(args[index]) is not a \(T.self): \(MessageCodec.describe(error))")
        }
    }

    /// Throws when arguments were left over.
    func finish() throws {
        guard index == args.count else {
            throw ArgumentDecodingError(task: task, detail: "expected \(index) arguments, got \(args.count)")
        }
    }
}

/// Encodes a pack of arguments as JSON values.
func encodeArguments<each A: Encodable>(_ args: repeat each A) throws -> [JSONValue] {
    var values: [JSONValue] = []
    for arg in repeat each args { values.append(try JSONCodec.value(arg)) }
    return values
}
