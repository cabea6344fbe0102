import Foundation
import Logging
import Synchronization

extension Huey {
    private static func chordMemberKey(_ config: ChordConfig, _ index: Int) -> String {
        "chord:\(config.cid):\(index)"
    }

    /// Stores a member's value with the member's ack.
    func reportToChord(_ config: ChordConfig, value: JSONValue, plan: inout ExecutionPlan) {
        let data = (try? JSONCodec.encode(value)) ?? Array("null".utf8)
        plan.writes.append(.put(key: Huey.chordMemberKey(config, config.idx), value: data))
        plan.chords.append(config)
    }

    /// A call that will not run reports to the chord of its pipeline's last stage.
    func abortChordMember(_ message: Message, value: JSONValue, plan: inout ExecutionPlan) {
        var stage: Message? = message
        while let current = stage {
            if let config = current.chordConfig {
                reportToChord(config, value: value, plan: &plan)
                return
            }
            stage = current.completionCallback
        }
    }

    /// Once every member has reported, enqueues the chord's callback exactly once with the
    /// list of the members' values, and removes the members' values.
    func completeChordIfReady(_ config: ChordConfig, storage: any Storage) throws {
        let keys = (0..<config.size).map { Huey.chordMemberKey(config, $0) }
        let values = try storage.peekMany(keys: keys)
        guard values.allSatisfy({ $0 != nil }) else { return }
        let marker = "chord:\(config.cid)"
        guard try storage.putIfEmpty(key: marker, value: Array("1".utf8)) else { return }
        let results = values.map { raw in raw.flatMap { try? JSONCodec.decode(JSONValue.self, from: $0) } ?? .null }
        var callback = config.callback.value
        callback.args.append(.array(results))
        switch try prepare(callback) {
        case .schedule(let data, let timestamp): try storage.addToSchedule(data, timestamp: timestamp)
        case .enqueue(let data, let priority): try storage.enqueue(data, priority: priority)
        default: break
        }
        for key in keys + [marker] { _ = try storage.deleteData(key: key) }
    }
}
