/// Keyword arguments: a call's `kwargs` (from a Python producer, or a dictionary result
/// of the previous pipeline stage) bound to a task's parameters by name.
///
/// A Swift closure's parameters have no names at run time, so a task that accepts
/// keyword arguments declares them when it is registered:
/// ```swift
/// huey.task("tasks.add", argumentNames: ["a", "b"]) { (a: Int, b: Int) in a + b }
/// ```
/// Binding follows Python's rules: positional arguments fill the first names, keywords
/// fill the rest, and a keyword the task does not declare, a parameter given twice or
/// one given not at all is an ``ArgumentDecodingError`` naming the task and the keyword.
enum KeywordArguments {
    /// The positional argument list for a call of `task` with `args` and `kwargs`.
    /// - Parameter names: the task's declared argument names; `nil` when it declared none.
    /// - Throws: ``ArgumentDecodingError`` when `kwargs` cannot be bound.
    static func bind(
        task: String, names: [String]?, args: [JSONValue], kwargs: [String: JSONValue]
    ) throws -> [JSONValue] {
        if kwargs.isEmpty { return args }
        guard let names else {
            let keywords = kwargs.keys.sorted().map(\.debugDescription).joined(separator: ", ")
            throw ArgumentDecodingError(
                task: task,
                detail: "keyword argument\(kwargs.count == 1 ? "" : "s") \(keywords) given, but the task declares "
                    + "no argument names (register it with argumentNames:)")
        }
        if let unknown = kwargs.keys.sorted().first(where: { !names.contains($0) }) {
            throw ArgumentDecodingError(
                task: task,
                detail: "unexpected keyword argument \(unknown.debugDescription) (arguments: \(names.joined(separator: ", ")))")
        }
        guard args.count <= names.count else {
            throw ArgumentDecodingError(
                task: task, detail: "takes \(names.count) arguments, got \(args.count) positional and \(kwargs.count) keyword")
        }
        if let twice = names.prefix(args.count).first(where: { kwargs[$0] != nil }) {
            throw ArgumentDecodingError(task: task, detail: "got multiple values for argument \(twice.debugDescription)")
        }
        var bound = args
        for name in names.dropFirst(args.count) {
            guard let value = kwargs[name] else {
                throw ArgumentDecodingError(task: task, detail: "missing argument \(name.debugDescription)")
            }
            bound.append(value)
        }
        return bound
    }

    /// Validates names given at registration.
    /// - Precondition: one distinct, non-empty name per parameter.
    static func check(_ names: [String]?, task: String, arity: Int) {
        guard let names else { return }
        precondition(
            names.count == arity,
            "huey: task \(task.debugDescription) takes \(arity) arguments but argumentNames has \(names.count)")
        precondition(
            Set(names).count == names.count && !names.contains(""),
            "huey: task \(task.debugDescription) has empty or repeated argumentNames \(names)")
    }
}

/// How many types a pack holds.
func packCount<each T>(_ types: repeat (each T).Type) -> Int {
    var count = 0
    for _ in repeat each types { count += 1 }
    return count
}
