extension ConsumerStatus {
    /// The consumer as JSON, as `consumers --json` prints it and the dashboard's
    /// `/api/consumers` serves it: the record's fields (`host`, `pid`, `processStart`,
    /// `startedAt`, `version`, `workerType`, `workerCount`, `queue`, `storage`, `heartbeat`)
    /// and `workers`, each `{pid, task, id, since, running_seconds}` (`null` when idle),
    /// the running time measured at `now` (Unix seconds).
    public func json(now: Double) -> JSONValue {
        func optional(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
        let workers: [JSONValue] = workers.map { worker in
            .object([
                "pid": .int(Int(worker.pid)), "task": optional(worker.task), "id": optional(worker.callID),
                "since": worker.since.map { .double($0) } ?? .null,
                "running_seconds": worker.since.map { .double(now - $0) } ?? .null,
            ])
        }
        return .object([
            "host": .string(record.host), "pid": .int(Int(record.pid)), "processStart": .int(Int(record.processStart)),
            "startedAt": .double(record.startedAt), "version": .string(record.version),
            "workerType": .string(record.workerType), "workerCount": .int(record.workerCount),
            "queue": .string(record.queue), "storage": .string(record.storage), "heartbeat": .double(record.heartbeat),
            "workers": .array(workers),
        ])
    }
}
