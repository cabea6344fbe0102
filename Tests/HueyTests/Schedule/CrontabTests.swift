import Foundation
import Huey
import Testing

/// An instant given as a wall-clock time in `zone` (UTC by default), computed with Foundation's
/// Calendar so the expectations do not share the implementation's arithmetic.
private func at(
    _ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Double = 0,
    in zone: String = "UTC"
) -> Date {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: zone)!
    let whole = calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute))!
    return whole.addingTimeInterval(second)
}

private let utc = TimeZone(identifier: "UTC")!
private let newYork = TimeZone(identifier: "America/New_York")!

/// Minutes of one hour that `cron` matches, by asking `matches` for each one.
private func matchingMinutes(_ cron: Crontab) -> Set<Int> {
    Set((0..<60).filter { cron.matches(at(2024, 5, 15, 10, $0)) })
}

@Suite("Crontab")
struct CrontabTests {
    // MARK: Forms

    @Test(
        "every field form gives the right minutes",
        arguments: [
            ("*", Set(0...59)),
            ("*/15", [0, 15, 30, 45]),
            ("*/16", [0, 16, 32, 48]),  // Huey: on the intervals, not "every 16 minutes"
            ("*/100", [0]),
            ("5", [5]),
            ("05", [5]),
            ("59", [59]),
            ("10-14", [10, 11, 12, 13, 14]),
            ("0-0", [0]),
            ("10-20/5", [10, 15, 20]),
            ("10-21/5", [10, 15, 20]),
            ("0-59/30", [0, 30]),
            ("1,2,3", [1, 2, 3]),
            ("4,8-9,*/6,1", [0, 1, 4, 6, 8, 9, 12, 18, 24, 30, 36, 42, 48, 54]),  // Huey's own test
            ("50-55/2,*/20,7", [0, 7, 20, 40, 50, 52, 54]),
        ] as [(String, Set<Int>)]
    )
    func minuteForms(expression: String, expected: Set<Int>) throws {
        let cron = try crontab(minute: expression)
        #expect(cron.minutes == expected)
        #expect(matchingMinutes(cron) == expected)
    }

    @Test("the guide's */10 during 9-11 and 16-18", arguments: [
        (9, 0, true), (9, 10, true), (11, 50, true), (16, 30, true), (18, 50, true), (10, 40, true),
        (8, 50, false), (12, 0, false), (9, 5, false), (15, 50, false), (19, 0, false), (0, 0, false),
    ])
    func guideExample(hour: Int, minute: Int, expected: Bool) throws {
        let cron = try crontab(minute: "*/10", hour: "9-11,16-18")
        #expect(cron.matches(at(2024, 5, 15, hour, minute)) == expected)
        #expect(cron.matches(at(2024, 5, 15, hour, minute, 59.9)) == expected)  // the whole minute
    }

    @Test("minute 0 every third hour")
    func everyThirdHour() throws {
        let cron = try crontab(minute: "0", hour: "*/3")
        #expect(cron.hours == [0, 3, 6, 9, 12, 15, 18, 21])
        for hour in 0..<24 {
            for minute in [0, 1, 30, 59] {
                #expect(cron.matches(at(2024, 2, 29, hour, minute)) == (hour % 3 == 0 && minute == 0))
            }
        }
    }

    @Test("hour, day and month lists as in Huey's tests")
    func hueyVectors() throws {
        let hours = try crontab(hour: "8-9,*/6,1,4")
        #expect(Set((0..<24).filter { hours.matches(at(2011, 1, 1, $0)) }) == [0, 1, 4, 6, 8, 9, 12, 18])
        let days = try crontab(day: "*/6,1,4,8-9")
        #expect(Set((1...31).filter { days.matches(at(2011, 1, $0)) }) == [1, 4, 7, 8, 9, 13, 19, 25, 31])
        let tenth = try crontab(day: "*/10")
        #expect(Set((1...28).filter { tenth.matches(at(2011, 2, $0)) }) == [1, 11, 21])
        let months = try crontab(month: "1,4,*/6,8-9")
        #expect(Set((1...12).filter { months.matches(at(2011, $0, 1)) }) == [1, 4, 7, 8, 9])
    }

    @Test("day 1 and 15 of each month")
    func firstAndFifteenth() throws {
        let cron = try crontab(minute: "0", hour: "0", day: "1,15")
        #expect(Set((1...31).filter { cron.matches(at(2024, 1, $0)) }) == [1, 15])
        #expect(Set((1...29).filter { cron.matches(at(2024, 2, $0)) }) == [1, 15])
        #expect(!cron.matches(at(2024, 1, 15, 0, 1)))
    }

    @Test("month ranges", arguments: [
        ("3-5", Set([3, 4, 5])), ("11-12,1", [1, 11, 12]), ("*/3", [1, 4, 7, 10]), ("1-12/6", [1, 7]), ("12", [12]),
    ] as [(String, Set<Int>)])
    func monthRanges(expression: String, expected: Set<Int>) throws {
        let cron = try crontab(month: expression)
        #expect(cron.months == expected)
        #expect(Set((1...12).filter { cron.matches(at(2024, $0, 10, 12)) }) == expected)
    }

    // MARK: Day of week

    @Test("day of week 0 and 7 are both Sunday", arguments: ["0", "7"])
    func sunday(expression: String) throws {
        let cron = try crontab(minute: "0", hour: "0", dayOfWeek: expression)
        #expect(cron.daysOfWeek == [0])
        // January 1st 2011 was a Saturday.
        #expect(Set((1...31).filter { cron.matches(at(2011, 1, $0)) }) == [2, 9, 16, 23, 30])
    }

    @Test("day-of-week forms", arguments: [
        ("0,2", Set([0, 2])), ("1-5", [1, 2, 3, 4, 5]), ("5-7", [5, 6, 0]), ("0-7", Set(0...6)),
        ("0-6/2", [0, 2, 4, 6]), ("1-7/2", [1, 3, 5, 0]), ("6,7", [6, 0]), ("5-1", [5, 6, 0, 1]),
    ] as [(String, Set<Int>)])
    func dayOfWeekForms(expression: String, expected: Set<Int>) throws {
        let cron = try crontab(dayOfWeek: expression)
        #expect(cron.daysOfWeek == expected)
        // 2011-01-02 is a Sunday, so day 2 + n is weekday n.
        #expect(Set((0...6).filter { cron.matches(at(2011, 1, 2 + $0, 12)) }) == expected)
    }

    @Test("day and day of week are ANDed, as in Huey (not Vixie cron's OR)")
    func dayAndWeekdayAreAnded() throws {
        let mondayFirst = try crontab(minute: "0", hour: "0", day: "1", dayOfWeek: "1")
        #expect(mondayFirst.matches(at(2024, 1, 1)))  // Monday the 1st
        #expect(!mondayFirst.matches(at(2024, 1, 8)))  // a Monday, not the 1st
        #expect(!mondayFirst.matches(at(2024, 2, 1)))  // the 1st, a Thursday
        #expect(mondayFirst.nextMatch(after: at(2024, 1, 1)) == at(2024, 4, 1))

        // Huey's "all together" test: January 1st 2011 was a Saturday, May 1st a Sunday.
        let all = try crontab(minute: "1-5,10-15,50", hour: "*/4", day: "1,4,7", month: "1,5", dayOfWeek: "0,6")
        #expect(all.matches(at(2011, 5, 1, 4, 11)))
        #expect(all.matches(at(2011, 5, 7, 20, 50)))
        #expect(all.matches(at(2011, 1, 1, 0, 1)))
        #expect(!all.matches(at(2011, 6, 4, 4, 11)))  // month
        #expect(!all.matches(at(2011, 1, 6, 4, 11)))  // day
        #expect(!all.matches(at(2011, 1, 4, 4, 11)))  // day of week
        #expect(!all.matches(at(2011, 1, 1, 1, 11)))  // hour
        #expect(!all.matches(at(2011, 1, 1, 4, 6)))  // minute
    }

    // MARK: Time zones

    @Test("the time zone decides the wall clock the fields are read on")
    func timeZones() throws {
        let nine = try crontab(minute: "0", hour: "9")
        #expect(nine.matches(at(2024, 1, 15, 9)))
        #expect(!nine.matches(at(2024, 1, 15, 9), timeZone: newYork))
        #expect(nine.matches(at(2024, 1, 15, 14), timeZone: newYork))  // 09:00 EST
        #expect(nine.matches(at(2024, 7, 15, 13), timeZone: newYork))  // 09:00 EDT
        #expect(nine.matches(at(2024, 1, 15, 3, 30), timeZone: TimeZone(identifier: "Asia/Kolkata")!))
        #expect(nine.matches(at(2024, 1, 15, 9, 0, in: "Asia/Kathmandu"), timeZone: TimeZone(identifier: "Asia/Kathmandu")!))

        let tokyo = TimeZone(identifier: "Asia/Tokyo")!
        let firstOfMonth = try crontab(day: "1")
        #expect(!firstOfMonth.matches(at(2024, 1, 31, 23, 30)))
        #expect(firstOfMonth.matches(at(2024, 1, 31, 23, 30), timeZone: tokyo))  // Feb 1st 08:30 there
        let thursday = try crontab(dayOfWeek: "4")
        #expect(thursday.matches(at(2024, 1, 31, 23, 30), timeZone: tokyo))  // Jan 31st was a Wednesday
        #expect(!thursday.matches(at(2024, 1, 31, 23, 30)))
        #expect(nine.nextMatch(after: at(2024, 1, 15, 10), timeZone: newYork) == at(2024, 1, 15, 14))
    }

    @Test("daylight saving: a skipped wall-clock time never matches, a repeated one matches twice")
    func daylightSaving() throws {
        let halfPastTwo = try crontab(minute: "30", hour: "2")
        // 2024-03-10 02:00 EST jumped to 03:00 EDT in New York.
        #expect(halfPastTwo.nextMatch(after: at(2024, 3, 9, 12), timeZone: newYork) == at(2024, 3, 11, 6, 30))
        let halfPastOne = try crontab(minute: "30", hour: "1")
        // 2024-11-03 02:00 EDT fell back to 01:00 EST: 01:30 happened at 05:30 and 06:30 UTC.
        let first = halfPastOne.nextMatch(after: at(2024, 11, 3), timeZone: newYork)
        #expect(first == at(2024, 11, 3, 5, 30))
        let second = first.flatMap { halfPastOne.nextMatch(after: $0, timeZone: newYork) }
        #expect(second == at(2024, 11, 3, 6, 30))
        #expect(second.flatMap { halfPastOne.nextMatch(after: $0, timeZone: newYork) } == at(2024, 11, 4, 6, 30))
    }

    @Test("nextMatch agrees with a minute-by-minute scan of matches", arguments: [
        "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "Europe/London", "UTC",
    ])
    func nextMatchAgreesWithScan(zone: String) throws {
        let timeZone = TimeZone(identifier: zone)!
        let crons = [
            try crontab(minute: "*/7", hour: "1-3"),
            try crontab(minute: "0,30", hour: "2"),
            try crontab(minute: "59", hour: "23", dayOfWeek: "0"),
            try crontab(minute: "15", day: "1,2,3,4,5,6", month: "4,10,11"),
        ]
        // Around each zone's 2024 changes (New York's, Europe's, Lord Howe's) and a quiet week.
        let starts = [at(2024, 3, 9, 0, 0, 17), at(2024, 3, 30, 12), at(2024, 4, 6, 5), at(2024, 10, 5, 8),
                      at(2024, 10, 26, 20), at(2024, 11, 2, 23, 59, 59.5), at(2024, 6, 10, 3, 30)]
        for cron in crons {
            for start in starts {
                let firstMinute = start.timeIntervalSince1970.rounded(.down) / 60 + 1
                let scanned = (0..<(9 * 24 * 60)).lazy
                    .map { Date(timeIntervalSince1970: (firstMinute.rounded(.down) + Double($0)) * 60) }
                    .first { cron.matches($0, timeZone: timeZone) }
                let next = cron.nextMatch(after: start, timeZone: timeZone)
                if let scanned {
                    #expect(next == scanned, "\(cron) after \(start) in \(zone)")
                } else {
                    #expect(next.map { $0.timeIntervalSince(start) > 9 * 86_400 - 60 } ?? true)
                }
            }
        }
    }

    // MARK: nextMatch

    @Test("nextMatch is strictly after and crosses month and year boundaries")
    func nextMatchBoundaries() throws {
        let monthly = try crontab(minute: "0", hour: "0", day: "1")
        #expect(monthly.nextMatch(after: at(2024, 1, 31, 12)) == at(2024, 2, 1))
        let newYear = try crontab(minute: "0", hour: "0", day: "1", month: "1")
        #expect(newYear.nextMatch(after: at(2024, 6, 1)) == at(2025, 1, 1))
        #expect(newYear.nextMatch(after: at(2024, 12, 31, 23, 59, 30)) == at(2025, 1, 1))
        #expect(newYear.nextMatch(after: at(2025, 1, 1)) == at(2026, 1, 1))  // strictly after
        #expect(newYear.nextMatch(after: at(2025, 1, 1, 0, 0, 30)) == at(2026, 1, 1))  // not its own minute
        #expect(Crontab.everyMinute.nextMatch(after: at(2024, 5, 1, 10)) == at(2024, 5, 1, 10, 1))
        #expect(Crontab.everyMinute.nextMatch(after: at(2024, 5, 1, 10, 0, 59.9)) == at(2024, 5, 1, 10, 1))
        #expect(try crontab(day: "31").nextMatch(after: at(2024, 4, 1)) == at(2024, 5, 31))
        #expect(try crontab(minute: "0", hour: "12", dayOfWeek: "0").nextMatch(after: at(2024, 1, 1)) == at(2024, 1, 7, 12))
        let evening = try crontab(minute: "45", hour: "23")
        #expect(evening.nextMatch(after: at(2024, 12, 31, 23, 50)) == at(2025, 1, 1, 23, 45))
    }

    @Test("leap days are found years ahead; impossible dates give nil")
    func impossibleDates() throws {
        let leapDay = try crontab(minute: "0", hour: "0", day: "29", month: "2")
        #expect(leapDay.nextMatch(after: at(2024, 3, 1)) == at(2028, 2, 29))
        #expect(leapDay.nextMatch(after: at(2097, 1, 1)) == at(2104, 2, 29))  // 2100 is not a leap year
        #expect(try crontab(day: "30", month: "2").nextMatch(after: at(2024, 1, 1)) == nil)
        #expect(try crontab(day: "31", month: "4,6,9,11").nextMatch(after: at(2024, 1, 1), timeZone: newYork) == nil)
        #expect(Crontab.everyMinute.nextMatch(after: Date(timeIntervalSince1970: .infinity)) == nil)
        #expect(!Crontab.everyMinute.matches(Date(timeIntervalSince1970: .nan)))
        #expect(Crontab.everyMinute.nextMatch(after: .distantFuture) == .distantFuture.addingTimeInterval(60))
    }

    // MARK: Helpers, predicates, description

    @Test("hourly, daily and everyMinute helpers")
    func helpers() throws {
        #expect(Crontab.hourly == (try crontab(minute: "0")))
        #expect(Crontab.hourly.matches(at(2024, 5, 1, 10)) && !Crontab.hourly.matches(at(2024, 5, 1, 10, 1)))
        #expect(Crontab.daily == (try crontab(minute: "0", hour: "0")))
        #expect(Crontab.daily.matches(at(2024, 5, 1)) && !Crontab.daily.matches(at(2024, 5, 1, 1)))
        #expect(Crontab.everyMinute == (try crontab()))
        #expect(try Crontab() == Crontab.everyMinute)
        #expect(try Crontab(minute: "*/5", dayOfWeek: "1-5") == crontab(minute: "*/5", dayOfWeek: "1-5"))
        #expect(try Crontab.hourly(minute: 15) == crontab(minute: "15"))
        #expect(try Crontab.daily(hour: 9, minute: 30) == crontab(minute: "30", hour: "9"))
        #expect(try Crontab.daily(hour: 9) == crontab(minute: "0", hour: "9"))
        #expect(try Crontab.daily(hour: 9, minute: 30).nextMatch(after: at(2024, 5, 1, 10)) == at(2024, 5, 2, 9, 30))
    }

    @Test("a Crontab serves as a @Sendable (Date) -> Bool predicate")
    func predicate() async throws {
        let cron = try crontab(minute: "*/3")
        let predicates: [@Sendable (Date) -> Bool] = [{ cron($0) }, cron.callAsFunction, cron.predicate()]
        for predicate in predicates {
            let results = await Task.detached { (predicate(at(2024, 5, 1, 10, 3)), predicate(at(2024, 5, 1, 10, 4))) }.value
            #expect(results == (true, false))
        }
        let nineInNewYork = try crontab(minute: "0", hour: "9").predicate(timeZone: newYork)
        #expect(nineInNewYork(at(2024, 1, 15, 14)) && !nineInNewYork(at(2024, 1, 15, 9)))
    }

    @Test("description is a canonical cron line; equality is by allowed values")
    func descriptionAndEquality() throws {
        #expect(try crontab(minute: "*/10", hour: "9-11,16-18").description == "*/10 9-11,16-18 * * *")
        #expect(try crontab(minute: "0,1,2,30", day: "*/10", dayOfWeek: "7").description == "0-2,30 * */10 * 0")
        #expect(Crontab.daily.description == "0 0 * * *")
        #expect(try crontab(minute: "*/15") == crontab(minute: "0,15,30,45"))
        #expect(try crontab(dayOfWeek: "0-7") == crontab())
        #expect(try Set([crontab(minute: "*/30"), crontab(minute: "0,30"), crontab(minute: "0")]).count == 2)
    }

    // MARK: Errors

    @Test("bad fields throw a ConfigurationError naming the field and the text", arguments: [
        ("minute", "*/0", false, #"crontab minute "*/0": step must be positive"#),
        ("minute", "10-20/0", false, #"crontab minute "10-20/0": step must be positive"#),
        ("minute", "61", false, #"crontab minute "61": 61 is out of range 0-59"#),
        ("minute", "0-61", false, #"crontab minute "0-61": 61 is out of range 0-59"#),
        ("minute", "99999999999", false, #"crontab minute "99999999999": 99999999999 is out of range 0-59"#),
        ("hour", "9-11,16-24", false, #"crontab hour "9-11,16-24": 24 is out of range 0-23"#),
        ("day", "0", false, #"crontab day "0": 0 is out of range 1-31"#),
        ("day", "32", false, #"crontab day "32": 32 is out of range 1-31"#),
        ("month", "13", false, #"crontab month "13": 13 is out of range 1-12"#),
        ("month", "0-3", false, #"crontab month "0-3": 0 is out of range 1-12"#),
        ("dayOfWeek", "8", false, #"crontab dayOfWeek "8": 8 is out of range 0-7 (0 and 7 are Sunday)"#),
        ("dayOfWeek", "*/2", false, #"crontab dayOfWeek "*/2": */n cannot be used on day of week"#),
        ("minute", "", false, #"crontab minute "": empty field"#),
        ("minute", "abc", false, #"crontab minute "abc": "abc" is not a crontab value (expected *, */n, n, m-n or m-n/s, or a comma list of them)"#),
        ("minute", "5,abc", true, #"crontab minute "5,abc": "abc" is not a crontab value (expected *, */n, n, m-n or m-n/s, or a comma list of them)"#),
        ("day", "1,,2", true, #"crontab day "1,,2": empty item in the list"#),
        ("month", ",", false, #"crontab month ",": empty item in the list"#),
    ])
    func errors(field: String, text: String, strict: Bool, message: String) {
        let error = #expect(throws: ConfigurationError.self) {
            switch field {
            case "minute": _ = try crontab(minute: text, strict: strict)
            case "hour": _ = try crontab(hour: text, strict: strict)
            case "day": _ = try crontab(day: text, strict: strict)
            case "month": _ = try crontab(month: text, strict: strict)
            default: _ = try crontab(dayOfWeek: text, strict: strict)
            }
        }
        #expect(error?.message == message)
        #expect(error?.description == message)
    }

    @Test("strict rejects every unrecognised item", arguments: [
        "abc", "*abc", "a-b", "1-c", "0x9", " 5", "+5", "-5", "5-", "5/15", "1-2-3", "*/", "*/x", "**", "1,*/2x",
    ])
    func strictRejectsGarbage(text: String) {
        let error = #expect(throws: ConfigurationError.self) { try crontab(minute: text, strict: true) }
        #expect(error?.message.hasPrefix("crontab minute \"\(text)\": ") == true)
    }

    @Test("without strict, Huey skips an unrecognised item if another one is usable")
    func lenientSkipsGarbage() throws {
        #expect(try crontab(minute: "5,abc") == crontab(minute: "5"))
        #expect(try crontab(minute: "*abc,0") == crontab(minute: "0"))
        #expect(try crontab(minute: "1,,2") == crontab(minute: "1,2"))
        // Out-of-range numbers throw whether strict or not, as in Huey.
        #expect(throws: ConfigurationError.self) { try crontab(minute: "5,61") }
    }

    @Test("helpers reject out-of-range times")
    func helperErrors() {
        let cases: [(() throws -> Crontab, String)] = [
            ({ try Crontab.hourly(minute: 60) }, #"crontab minute "60": 60 is out of range 0-59"#),
            ({ try Crontab.hourly(minute: -1) }, #"crontab minute "-1": -1 is out of range 0-59"#),
            ({ try Crontab.daily(hour: 24) }, #"crontab hour "24": 24 is out of range 0-23"#),
            ({ try Crontab.daily(hour: 1, minute: 75) }, #"crontab minute "75": 75 is out of range 0-59"#),
        ]
        for (make, message) in cases {
            let error = #expect(throws: ConfigurationError.self) { _ = try make() }
            #expect(error?.message == message)
        }
    }
}
