import Foundation

/// A parsed crontab schedule: which minutes a periodic task runs in.
///
/// Made by ``crontab(minute:hour:day:month:dayOfWeek:strict:)`` (Huey's `crontab()`), or one of
/// the helpers ``hourly``, ``daily``, ``everyMinute``. A minute matches when its minute, hour,
/// day of month, month and day of week (0 = Sunday … 6 = Saturday) are all allowed.
///
/// Day of month and day of week are combined with **AND**, as Huey does: `day: "1",
/// dayOfWeek: "1"` matches only a Monday that is the 1st. This differs from Vixie cron, which
/// fires on either when both are restricted.
///
/// Time is read in a given time zone (UTC by default). Matching is per instant, so in a zone
/// with daylight saving time a local time skipped by the spring change never matches, and one
/// repeated by the autumn change matches twice — as Huey's consumer behaves with `utc=False`.
///
/// Two crontabs are equal when they allow the same values, whatever text made them
/// (`"*/15"` equals `"0,15,30,45"`). A `Crontab` is also a predicate: `cron(date)` is
/// `cron.matches(date)` in UTC, for APIs that take a `@Sendable (Date) -> Bool`.
public struct Crontab: Sendable, Hashable, CustomStringConvertible {
    let minute: CrontabField
    let hour: CrontabField
    let day: CrontabField
    let month: CrontabField
    let dayOfWeek: CrontabField

    /// Parses a schedule; the same as ``crontab(minute:hour:day:month:dayOfWeek:strict:)``.
    ///
    /// - Parameters:
    ///   - minute: minutes, 0-59.
    ///   - hour: hours, 0-23.
    ///   - day: days of the month, 1-31.
    ///   - month: months, 1-12.
    ///   - dayOfWeek: days of the week, 0-6 with 0 = Sunday; 7 also means Sunday.
    ///   - strict: throw on a list item that is in none of the supported forms, instead of
    ///     skipping it as Huey does by default.
    /// - Throws: ``ConfigurationError`` naming the bad field and its text.
    public init(
        minute: String = "*", hour: String = "*", day: String = "*", month: String = "*",
        dayOfWeek: String = "*", strict: Bool = false
    ) throws {
        self.minute = try CrontabField.parse(minute, as: .minute, strict: strict)
        self.hour = try CrontabField.parse(hour, as: .hour, strict: strict)
        self.day = try CrontabField.parse(day, as: .day, strict: strict)
        self.month = try CrontabField.parse(month, as: .month, strict: strict)
        self.dayOfWeek = try CrontabField.parse(dayOfWeek, as: .dayOfWeek, strict: strict)
    }

    /// A schedule from parsed fields (those not given allow every value).
    init(
        minute: CrontabField, hour: CrontabField = .init(everyOf: .hour),
        day: CrontabField = .init(everyOf: .day), month: CrontabField = .init(everyOf: .month),
        dayOfWeek: CrontabField = .init(everyOf: .dayOfWeek)
    ) {
        self.minute = minute
        self.hour = hour
        self.day = day
        self.month = month
        self.dayOfWeek = dayOfWeek
    }

    /// The minutes (0-59) the schedule allows.
    public var minutes: Set<Int> { Set(minute.values) }
    /// The hours (0-23) the schedule allows.
    public var hours: Set<Int> { Set(hour.values) }
    /// The days of the month (1-31) the schedule allows.
    public var days: Set<Int> { Set(day.values) }
    /// The months (1-12) the schedule allows.
    public var months: Set<Int> { Set(month.values) }
    /// The days of the week the schedule allows, 0 = Sunday … 6 = Saturday (a 7 in the text is stored as 0).
    public var daysOfWeek: Set<Int> { Set(dayOfWeek.values) }

    /// The schedule as a five-field cron line in canonical form, e.g. `*/10 9-11,16-18 * * *`.
    public var description: String {
        [
            minute.expression(as: .minute), hour.expression(as: .hour), day.expression(as: .day),
            month.expression(as: .month), dayOfWeek.expression(as: .dayOfWeek),
        ].joined(separator: " ")
    }

    /// Whether the minute containing `date`, read in `timeZone`, matches the schedule.
    ///
    /// - Parameters:
    ///   - date: any instant; its seconds are ignored.
    ///   - timeZone: the zone whose wall clock the fields are read on (UTC by default).
    /// - Returns: true if minute, hour, day, month and day of week are all allowed.
    public func matches(_ date: Date, timeZone: TimeZone = TimeZone(identifier: "UTC")!) -> Bool {
        guard let seconds = LocalTime.wholeSeconds(date) else { return false }
        return mismatch(LocalTime(seconds + Int64(timeZone.secondsFromGMT(for: date)))) == nil
    }

    /// Whether the minute containing `date` matches in UTC; lets a `Crontab` be used as a
    /// `@Sendable (Date) -> Bool` predicate, e.g. `{ cron($0) }` or `cron.callAsFunction`.
    /// - Parameter date: any instant.
    /// - Returns: `matches(date)` in UTC.
    public func callAsFunction(_ date: Date) -> Bool {
        matches(date)
    }

    /// The schedule as a predicate reading the wall clock of `timeZone`, for APIs that take a
    /// `@Sendable (Date) -> Bool` (such as `periodicTask` with a Huey made with `utc: false`).
    /// - Parameter timeZone: the zone the predicate reads fields in (UTC by default).
    /// - Returns: a closure equal to `matches(_:timeZone:)` with that zone.
    public func predicate(timeZone: TimeZone = TimeZone(identifier: "UTC")!) -> @Sendable (Date) -> Bool {
        { [self] date in matches(date, timeZone: timeZone) }
    }

    /// The start of the first matching minute strictly after `date`.
    ///
    /// Looks up to eight years ahead, so a `day: "29", month: "2"` schedule always finds its
    /// next leap day (even across 2100); beyond that it gives up. Consistent with
    /// ``matches(_:timeZone:)``: the result matches, and no instant in between does.
    /// - Parameters:
    ///   - date: the instant to search after; the minute containing it is never returned.
    ///   - timeZone: the zone whose wall clock the fields are read on (UTC by default).
    /// - Returns: the matching minute's first instant, or nil if none comes within eight
    ///   years (e.g. February 30, or April 31).
    public func nextMatch(after date: Date, timeZone: TimeZone = TimeZone(identifier: "UTC")!) -> Date? {
        guard let start = LocalTime.wholeSeconds(date) else { return nil }
        func offset(_ instant: Int64) -> Int64 {
            Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant))))
        }
        let limit = start + Self.horizon
        var instant = start + 1
        while instant <= limit {
            let currentOffset = offset(instant)
            let local = instant + currentOffset
            let intoMinute = LocalTime.floorMod(local, 60)
            if intoMinute != 0 {  // not on the local minute grid: move to the next local minute
                instant += 60 - intoMinute
                continue
            }
            guard let target = mismatch(LocalTime(local)) else {
                return Date(timeIntervalSince1970: TimeInterval(instant))
            }
            // Jump to the wall-clock target, at most a day at a time so that no more than one
            // offset change can lie in a jump; if one does, stop at it: before it, the wall
            // clock runs evenly from `local` towards `target`, so nothing in between matches.
            var next = instant + min(target - local, 86_400)
            if offset(next) != currentOffset {
                var low = instant
                while next - low > 1 {
                    let middle = low + (next - low) / 2
                    if offset(middle) == currentOffset { low = middle } else { next = middle }
                }
            }
            instant = next
        }
        return nil
    }

    /// How far ``nextMatch(after:timeZone:)`` looks: eight years and a day, in seconds.
    static let horizon: Int64 = (8 * 366 + 1) * 86_400

    /// Nil when `time` matches; otherwise the wall-clock time (local seconds) of the earliest
    /// minute after it that could match, judged by the most significant field that fails.
    func mismatch(_ time: LocalTime) -> Int64? {
        if !month.contains(time.month) {
            if let next = month.next(after: time.month) {
                return LocalTime.seconds(year: time.year, month: next, day: 1)
            }
            return LocalTime.seconds(year: time.year + 1, month: month.first ?? 1, day: 1)
        }
        let nextDay = time.dayStart + 86_400
        if !day.contains(time.day) || !dayOfWeek.contains(time.weekday) { return nextDay }
        if !hour.contains(time.hour) {
            return hour.next(after: time.hour).map { time.dayStart + Int64($0) * 3600 } ?? nextDay
        }
        if !minute.contains(time.minute) {
            let hourStart = time.dayStart + Int64(time.hour) * 3600
            return minute.next(after: time.minute).map { hourStart + Int64($0) * 60 } ?? hourStart + 3600
        }
        return nil
    }
}

/// Parses a crontab schedule, as Huey's `crontab()`.
///
/// Each field takes `*`, `*/n` (every n-th value from the field's first), `n`, `m-n`,
/// `m-n/s` (every s-th value from m to n), or a comma list of these, e.g.
/// `crontab(minute: "*/10", hour: "9-11,16-18")`. Ranges: minute 0-59, hour 0-23, day 1-31,
/// month 1-12, dayOfWeek 0-6 with 0 = Sunday and 7 also Sunday (so `5-7` is Friday to Sunday).
/// All five fields must match (day and day of week are ANDed, as in Huey, unlike Vixie cron's OR).
///
/// As in Huey, a range whose start is after its end wraps around (`hour: "22-2"` is 22:00 to
/// 02:00, `dayOfWeek: "5-1"` Friday to Monday), `*/n` is refused on day of week, a number out
/// of range always throws, and `strict` only decides what happens to a list item in none of the
/// forms above: skipped (Huey's legacy default) or thrown. Zero steps always throw, and so does a
/// field with no usable item at all (empty or all garbage), which could otherwise never match.
///
/// - Parameters:
///   - minute: minutes, 0-59.
///   - hour: hours, 0-23.
///   - day: days of the month, 1-31.
///   - month: months, 1-12.
///   - dayOfWeek: days of the week, 0-6 with 0 = Sunday; 7 also means Sunday.
///   - strict: throw on an unrecognised list item instead of skipping it.
/// - Returns: the parsed ``Crontab``.
/// - Throws: ``ConfigurationError`` naming the field and its text, e.g.
///   `crontab minute "*/0": step must be positive`.
public func crontab(
    minute: String = "*", hour: String = "*", day: String = "*", month: String = "*",
    dayOfWeek: String = "*", strict: Bool = false
) throws -> Crontab {
    try Crontab(minute: minute, hour: hour, day: day, month: month, dayOfWeek: dayOfWeek, strict: strict)
}

extension Crontab {
    /// Every minute (`* * * * *`).
    public static let everyMinute = Crontab(minute: CrontabField(everyOf: .minute))
    /// At minute 0 of every hour (`0 * * * *`).
    public static let hourly = Crontab(minute: CrontabField(values: [0]))
    /// At 00:00 every day (`0 0 * * *`).
    public static let daily = Crontab(minute: CrontabField(values: [0]), hour: CrontabField(values: [0]))

    /// At the given minute of every hour.
    /// - Parameter minute: 0-59.
    /// - Throws: ``ConfigurationError`` if `minute` is out of range.
    public static func hourly(minute: Int) throws -> Crontab {
        Crontab(minute: try CrontabField.single(minute, as: .minute))
    }

    /// At the given time every day.
    /// - Parameters:
    ///   - hour: 0-23.
    ///   - minute: 0-59.
    /// - Throws: ``ConfigurationError`` if `hour` or `minute` is out of range.
    public static func daily(hour: Int, minute: Int = 0) throws -> Crontab {
        Crontab(minute: try CrontabField.single(minute, as: .minute), hour: try CrontabField.single(hour, as: .hour))
    }
}

extension CrontabField {
    /// A field allowing only `value`.
    /// - Throws: ``ConfigurationError`` if `value` is outside `kind`'s range.
    static func single(_ value: Int, as kind: Kind) throws -> CrontabField {
        guard kind.all.contains(value) else {
            throw ConfigurationError(
                "crontab \(kind.rawValue) \"\(value)\": \(value) is out of range \(kind.all.lowerBound)-\(kind.all.upperBound)")
        }
        return CrontabField(values: [value])
    }
}

/// A wall-clock minute broken into fields, from seconds since 1970 in local time; plain
/// arithmetic (proleptic Gregorian), no `Calendar`.
struct LocalTime {
    let year: Int, month: Int, day: Int, hour: Int, minute: Int
    /// 0 = Sunday … 6 = Saturday.
    let weekday: Int
    /// Local seconds at 00:00 of this day.
    let dayStart: Int64

    init(_ local: Int64) {
        let days = Self.floorDiv(local, 86_400)
        dayStart = days * 86_400
        let secondOfDay = Int(local - dayStart)
        hour = secondOfDay / 3600
        minute = secondOfDay % 3600 / 60
        weekday = Int(Self.floorMod(days + 4, 7))  // 1970-01-01 was a Thursday
        // Days to civil date (H. Hinnant's algorithm; eras of 400 years from 0000-03-01).
        let shifted = days + 719_468
        let era = Self.floorDiv(shifted, 146_097)
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153  // 0 = March
        day = Int(dayOfYear - (153 * monthIndex + 2) / 5 + 1)
        month = Int(monthIndex < 10 ? monthIndex + 3 : monthIndex - 9)
        year = Int(yearOfEra + era * 400) + (month <= 2 ? 1 : 0)
    }

    /// Local seconds at 00:00 of the given civil date.
    static func seconds(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = floorDiv(y, 400)
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * Int64(month > 2 ? month - 3 : month + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return (era * 146_097 + dayOfEra - 719_468) * 86_400
    }

    /// Whole seconds since 1970 (rounded down), or nil for a date too far out to compute with.
    static func wholeSeconds(_ date: Date) -> Int64? {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        guard seconds.isFinite, abs(seconds) < 1e13 else { return nil }
        return Int64(seconds)
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { (a - floorMod(a, b)) / b }
    static func floorMod(_ a: Int64, _ b: Int64) -> Int64 { ((a % b) + b) % b }
}
