import Foundation

extension Huey {
    private static func chordMemberKey(_ config: ChordConfig, _ index: Int) -> String {
        "chord:\(config.cid):\(index)"
    }

    /// Stores a member's value with the member's ack, and completes the chord in that same
    /// transaction when it was the last one to report (``ChordCompletion``): no crash after
    /// the ack can lose the callback. The callback's `enqueued`/`scheduled` signal is sent
    /// after the commit, when this ack queued it.
    /// - Throws: ``CodecError`` when the callback cannot be encoded.
    func reportToChord(_ config: ChordConfig, value: JSONValue, plan: inout WritePlan) throws {
        let data = (try? JSONCodec.encode(value)) ?? Array("null".utf8)
        var callback = config.callback.value
        // The values go where this marker is: a JSON string no argument holds by chance.
        let token = "\u{1}huey-chord-results:\(config.cid)\u{1}"
        callback.args.append(.string(token))
        let now = clock().timeIntervalSince1970
        if let expires = callback.expires { callback.expiresResolved = expires.resolved(enqueuedAt: now) }
        if let carrier = CallTrace.currentCarrier() { callback.traceContext = carrier }  // the last member's span
        let scheduledAt = callback.eta.flatMap { $0 > now ? $0 : nil }
        let sign: (@Sendable ([UInt8]) -> [UInt8])?
        if let signer = messageSigner {
            sign = { signer.sign($0) }
        } else {
            sign = nil
        }
        let template = try MessageCodec.encode(callback)
        let placeholder = try JSONCodec.encode(JSONValue.string(token))
        guard template.firstRange(of: placeholder) != nil else {
            throw CodecError(code: .unencodable, message: "chord callback \(callback.name): results marker not found")
        }
        let completion = ChordCompletion(
            memberKeys: (0..<config.size).map { Huey.chordMemberKey(config, $0) },
            template: template, placeholder: placeholder,
            priority: callback.priority ?? 0, scheduledAt: scheduledAt,
            sign: sign)
        callback.args.removeLast()
        plan.reportToChord(
            value: data, key: Huey.chordMemberKey(config, config.idx), completion: completion,
            callback: TaskCall(message: callback), scheduled: scheduledAt != nil)
    }

    /// A call that will not run reports to the chord of its pipeline's last stage.
    /// - Throws: ``CodecError``, as ``reportToChord(_:value:plan:)``.
    func abortChordMember(_ message: Message, value: JSONValue, plan: inout WritePlan) throws {
        var stage: Message? = message
        while let current = stage {
            if let config = current.chordConfig {
                try reportToChord(config, value: value, plan: &plan)
                return
            }
            stage = current.completionCallback
        }
    }
}
