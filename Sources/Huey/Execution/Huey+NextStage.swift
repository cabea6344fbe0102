extension Huey {
    /// Adds a finished stage's `value` to the next stage's call, by Huey's rules
    /// (`Task.extend_data`): a ``Spread`` (Huey's tuple) extends the positional arguments;
    /// a dictionary fills keyword arguments not already given, when the next task binds
    /// by name — it declares `argumentNames`, or it is not registered here (another
    /// consumer, e.g. Python, runs it); any other value, or a dictionary for a task
    /// registered here without names, is appended as one argument.
    func extend(_ next: inout Message, with value: JSONValue, spreads: Bool) {
        if spreads, case .array(let values) = value {
            next.args += values
            return
        }
        if case .object(let members) = value, bindsByName(next.name) {
            for (key, member) in members where next.kwargs[key] == nil { next.kwargs[key] = member }
            return
        }
        next.args.append(value)
    }

    /// Whether keyword arguments can reach the task `name`.
    private func bindsByName(_ name: String) -> Bool {
        guard let task = registry.task(named: name) else { return true }
        return task.options.argumentNames != nil
    }
}
