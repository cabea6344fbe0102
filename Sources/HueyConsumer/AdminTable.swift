import Foundation

/// Prints admin command output: an aligned text table for people, JSON for scripts.
enum AdminOutput {
    /// Prints `rows` under `headers`, columns padded to their widest cell; `empty` when
    /// there are no rows.
    static func table(_ headers: [String], _ rows: [[String]], empty: String) {
        guard !rows.isEmpty else {
            print(empty)
            return
        }
        var widths = headers.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        print(line(headers))
        for row in rows { print(line(row)) }
    }

    /// Prints `value` as one line of JSON.
    /// - Throws: ``CodecError`` when it cannot be encoded.
    static func json<T: Encodable>(_ value: T) throws {
        print(String(decoding: try JSONCodec.encode(value), as: UTF8.self))
    }

    /// `text` cut to `limit` characters with an ellipsis.
    static func shorten(_ text: String, _ limit: Int = 60) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }

    /// A Unix time as `YYYY-MM-DD HH:MM:SS` UTC.
    static func time(_ seconds: Double) -> String {
        var whole = time_t(seconds.rounded(.down))
        var parts = tm()
        gmtime_r(&whole, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday)) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}

/// A queued or scheduled call, as admin commands show it.
struct CallRow: Encodable {
    var id: String
    var name: String
    var args: [JSONValue]
    var priority: Double?
    var retries: Int
    var eta: Double?

    init(_ call: TaskCall) {
        id = call.id
        name = call.name
        args = call.args
        priority = call.priority
        retries = call.retries
        eta = call.eta?.timeIntervalSince1970
    }

    var cells: [String] {
        [
            id, name, AdminOutput.shorten(JSONValue.array(args).description, 40),
            priority.map { String($0) } ?? "-", String(retries), eta.map(AdminOutput.time) ?? "-",
        ]
    }

    static let headers = ["ID", "TASK", "ARGS", "PRIORITY", "RETRIES", "ETA"]

    private enum CodingKeys: String, CodingKey { case id, name, args, priority, retries, eta }

    /// Every key, `null` when absent, so scripts see a fixed shape.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(args, forKey: .args)
        try container.encode(priority, forKey: .priority)
        try container.encode(retries, forKey: .retries)
        try container.encode(eta, forKey: .eta)
    }
}

/// A dead letter, as `dead` shows it.
struct DeadRow: Encodable {
    /// The storage's handle for the letter (for `dead requeue` / `dead discard`).
    var letter: String
    var timestamp: Double
    var reason: String
    var id: String?
    var name: String?
    var data: String

    /// Reads `letter`; its id and name when `huey` can decode it (through its message
    /// signer, if any — a letter refused for its signature shows none).
    init(_ letter: DeadLetter, decodingWith huey: Huey) {
        self.letter = letter.id
        timestamp = letter.timestamp
        reason = letter.reason
        data = String(decoding: letter.data, as: UTF8.self)
        if let message = try? huey.decodeMessage(letter.data) {
            id = message.id
            name = message.name
        }
    }

    var cells: [String] {
        [letter, AdminOutput.time(timestamp), name ?? "-", id ?? "-", AdminOutput.shorten(reason, 80)]
    }

    static let headers = ["LETTER", "TIME", "TASK", "ID", "REASON"]

    private enum CodingKeys: String, CodingKey { case letter, timestamp, reason, id, name, data }

    /// Every key, `null` when absent, so scripts see a fixed shape.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(letter, forKey: .letter)
        try container.encode(timestamp, forKey: .timestamp)
        try container.encode(reason, forKey: .reason)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(data, forKey: .data)
    }
}
