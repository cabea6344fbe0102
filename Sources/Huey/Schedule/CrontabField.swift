/// One parsed field of a ``Crontab``: the set of values it allows, kept as a bit mask
/// (bit `n` set = value `n` allowed; every field's values are below 64).
struct CrontabField: Sendable, Hashable {
    /// Which of the five fields this is; decides the allowed numbers.
    enum Kind: String, Sendable, CaseIterable {
        case minute, hour, day, month, dayOfWeek

        /// The numbers the text may contain (day of week also takes 7, for Sunday).
        var bounds: ClosedRange<Int> {
            switch self {
            case .minute: 0...59
            case .hour: 0...23
            case .day: 1...31
            case .month: 1...12
            case .dayOfWeek: 0...7
            }
        }

        /// The values `*` stands for, and over which `*/n` steps.
        var all: ClosedRange<Int> { self == .dayOfWeek ? 0...6 : bounds }

        /// A number as stored: day-of-week 7 is Sunday, stored as 0.
        func normalized(_ value: Int) -> Int { self == .dayOfWeek && value == 7 ? 0 : value }
    }

    /// The allowed values as bits.
    let mask: UInt64

    /// A field allowing exactly `values` (already normalized, each below 64).
    init<S: Sequence<Int>>(values: S) {
        mask = values.reduce(0) { $0 | (1 << UInt64($1)) }
    }

    /// A field allowing every value of `kind`.
    init(everyOf kind: Kind) { self.init(values: kind.all) }

    /// Whether `value` is allowed.
    func contains(_ value: Int) -> Bool {
        value >= 0 && value < 64 && mask & (1 << UInt64(value)) != 0
    }

    /// The allowed values, ascending.
    var values: [Int] { (0..<64).filter(contains) }

    /// The smallest allowed value greater than `value`, if any.
    func next(after value: Int) -> Int? {
        guard value < 63 else { return nil }
        let above = mask >> UInt64(value + 1)
        return above == 0 ? nil : value + 1 + above.trailingZeroBitCount
    }

    /// The smallest allowed value, if any.
    var first: Int? { mask == 0 ? nil : mask.trailingZeroBitCount }

    /// A canonical text for this set: `*`, `*/n` (not on day of week), or a comma list of values
    /// and `m-n` runs.
    func expression(as kind: Kind) -> String {
        let all = CrontabField(everyOf: kind)
        if self == all { return "*" }
        for step in 2..<kind.all.count
        where kind != .dayOfWeek
            && self == CrontabField(values: stride(from: kind.all.lowerBound, through: kind.all.upperBound, by: step))
        {
            return "*/\(step)"
        }
        var parts: [String] = []
        var runs: [(Int, Int)] = []
        for value in values {
            if let last = runs.last, last.1 == value - 1 { runs[runs.count - 1].1 = value } else { runs.append((value, value)) }
        }
        for (low, high) in runs {
            switch high - low {
            case 0: parts.append("\(low)")
            case 1: parts.append("\(low),\(high)")
            default: parts.append("\(low)-\(high)")
            }
        }
        return parts.isEmpty ? "-" : parts.joined(separator: ",")
    }
}

// MARK: - Parsing

extension CrontabField {
    /// What one comma-separated piece of a field turned out to be.
    private enum Piece {
        /// A recognised piece and the values it allows.
        case values(UInt64)
        /// Not one of the supported forms (ignored unless `strict`, as in Huey).
        case unrecognized(String)
    }

    /// Parses the text of one field.
    ///
    /// Forms, combinable in a comma list: `*`, `*/n`, `n`, `m-n`, `m-n/s`; a range whose
    /// start is after its end wraps around, and `*/n` is refused on day of week, as in Huey.
    /// Numbers out of range and zero steps always throw. A piece in none of these forms
    /// throws when `strict` is true; otherwise it is skipped, as Huey does, unless no piece
    /// of the field is usable at all (an empty or all-garbage field always throws).
    /// - Throws: ``ConfigurationError`` naming the field and the text.
    static func parse(_ text: String, as kind: Kind, strict: Bool) throws -> CrontabField {
        func failure(_ reason: String) -> ConfigurationError {
            ConfigurationError("crontab \(kind.rawValue) \"\(text)\": \(reason)")
        }
        if text.isEmpty { throw failure("empty field") }
        var mask: UInt64 = 0
        var firstUnrecognized: String?
        var recognizedAny = false
        for piece in text.split(separator: ",", omittingEmptySubsequences: false) {
            switch try parsePiece(piece, as: kind, failure: failure) {
            case .values(let bits):
                mask |= bits
                recognizedAny = true
            case .unrecognized(let reason):
                if strict { throw failure(reason) }
                firstUnrecognized = firstUnrecognized ?? reason
            }
        }
        if !recognizedAny, let reason = firstUnrecognized { throw failure(reason) }
        return CrontabField(mask: mask)
    }

    private init(mask: UInt64) { self.mask = mask }

    /// Parses one piece of a comma list.
    private static func parsePiece(
        _ piece: Substring, as kind: Kind, failure: (String) -> ConfigurationError
    ) throws -> Piece {
        let unrecognized = Piece.unrecognized(
            piece.isEmpty
                ? "empty item in the list"
                : "\"\(piece)\" is not a crontab value (expected *, */n, n, m-n or m-n/s, or a comma list of them)")
        let halves = piece.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        var step = 1
        if halves.count == 2 {
            guard let parsed = number(halves[1]) else { return unrecognized }
            guard parsed > 0 else { throw failure("step must be positive") }
            step = parsed
        }
        let base = halves[0]
        let run: [Int]
        if base == "*" {
            if halves.count == 2 && kind == .dayOfWeek { throw failure("*/n cannot be used on day of week") }
            run = Array(kind.all)
        } else if let dash = base.firstIndex(of: "-") {
            guard let low = try bounded(base[..<dash], kind, failure),
                  let high = try bounded(base[base.index(after: dash)...], kind, failure)
            else { return unrecognized }
            run = wrappingRun(from: low, to: high, kind)
        } else if halves.count == 1, let value = try bounded(base, kind, failure) {
            run = [value]
        } else {
            return unrecognized
        }
        let values = run.indices.filter { $0 % step == 0 }.map { kind.normalized(run[$0]) }
        return .values(CrontabField(values: values).mask)
    }

    /// The values of `low-high` in order; a range whose start is after its end wraps around
    /// the field's end (`22-2` is 22, 23, 0, 1, 2; day of week `5-1` is Fri, Sat, Sun, Mon),
    /// as in Huey.
    private static func wrappingRun(from low: Int, to high: Int, _ kind: Kind) -> [Int] {
        if low <= high { return Array(low...high) }
        let top = kind == .dayOfWeek ? 6 : kind.bounds.upperBound
        return Array(stride(from: low, through: top, by: 1)) + Array(kind.bounds.lowerBound...high)
    }

    /// `text` as a number `kind` allows; nil if it is not a number at all.
    /// - Throws: ``ConfigurationError`` if it is a number out of the field's range.
    private static func bounded(
        _ text: Substring, _ kind: Kind, _ failure: (String) -> ConfigurationError
    ) throws -> Int? {
        guard let value = number(text) else { return nil }
        guard kind.bounds.contains(value) else {
            let sunday = kind == .dayOfWeek ? " (0 and 7 are Sunday)" : ""
            throw failure("\(text) is out of range \(kind.bounds.lowerBound)-\(kind.bounds.upperBound)\(sunday)")
        }
        return value
    }

    /// A non-empty run of ASCII digits as a number (saturating at 1,000,000, far above any
    /// field's range); nil for anything else, including signs and spaces.
    private static func number(_ text: Substring) -> Int? {
        guard !text.isEmpty else { return nil }
        var value = 0
        for byte in text.utf8 {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = min(value * 10 + Int(byte - UInt8(ascii: "0")), 1_000_000)
        }
        return value
    }
}
