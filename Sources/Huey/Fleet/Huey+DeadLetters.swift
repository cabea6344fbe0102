import Foundation

/// Acting on dead letters (messages a consumer could not run): put them back in the queue
/// or drop them, one by one or all. Each letter is moved in one storage step, so two
/// processes acting on the same letter never both succeed.
extension Huey {
    /// Puts dead letter `id` back in the queue, with its message's priority (0 when the
    /// message does not decode), and returns it — its ``DeadLetter/reason`` says why it
    /// may fail again. Nil when there is no such letter.
    /// - Throws: ``StorageError`` (`.unsupported` for a storage that cannot act on one letter).
    @discardableResult
    public func requeueDeadLetter(id: String) throws -> DeadLetter? {
        let storage = self.storage
        guard let letter = try storage.deadItems().first(where: { $0.id == id }) else { return nil }
        let priority = (try? decodeMessage(letter.data))?.priority ?? 0
        return try storage.requeueDead(id: id, priority: priority) ? letter : nil
    }

    /// Puts every dead letter back in the queue (see ``requeueDeadLetter(id:)``) and returns
    /// those it moved, oldest first.
    /// - Throws: ``StorageError``; letters moved before the error stay moved.
    @discardableResult
    public func requeueAllDeadLetters() throws -> [DeadLetter] {
        let storage = self.storage
        var moved: [DeadLetter] = []
        for letter in try storage.deadItems() {
            let priority = (try? decodeMessage(letter.data))?.priority ?? 0
            if try storage.requeueDead(id: letter.id, priority: priority) { moved.append(letter) }
        }
        return moved
    }

    /// Drops dead letter `id` for good and returns it; nil when there is no such letter.
    /// - Throws: ``StorageError`` (`.unsupported` for a storage that cannot act on one letter).
    @discardableResult
    public func discardDeadLetter(id: String) throws -> DeadLetter? {
        let storage = self.storage
        guard let letter = try storage.deadItems().first(where: { $0.id == id }) else { return nil }
        return try storage.discardDead(id: id) ? letter : nil
    }

    /// Drops every dead letter and returns those it dropped, oldest first.
    /// - Throws: ``StorageError``; letters dropped before the error stay dropped.
    @discardableResult
    public func discardAllDeadLetters() throws -> [DeadLetter] {
        let storage = self.storage
        var dropped: [DeadLetter] = []
        for letter in try storage.deadItems() where try storage.discardDead(id: letter.id) { dropped.append(letter) }
        return dropped
    }
}
