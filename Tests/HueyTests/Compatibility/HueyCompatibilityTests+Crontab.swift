import Foundation
import Huey
import Testing

extension HueyCompatibilityTests {
    /// Huey's `tests/test_crontab.py`, case by case (read in UTC, as a Huey made with `utc: true`).
    @Suite("test_crontab.py")
    struct CrontabPorts {
        /// `datetime.datetime(year, month, day, hour, minute)` in UTC.
        func date(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0) -> Date {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            return calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute))!
        }

        @Test("test_crontab_month")
        func month() throws {
            let valid = [1, 4, 7, 8, 9]
            let cron = try crontab(month: "1,4,*/6,8-9")
            for x in 1...12 { #expect(cron.matches(date(2011, x, 1)) == valid.contains(x), "month \(x)") }
        }

        @Test("test_crontab_day")
        func day() throws {
            let valid = [1, 4, 7, 8, 9, 13, 19, 25, 31]
            let cron = try crontab(day: "*/6,1,4,8-9")
            for x in 1...31 { #expect(cron.matches(date(2011, 1, x)) == valid.contains(x), "day \(x)") }
            var tens = [1, 11, 21, 31]
            let everyTen = try crontab(day: "*/10")
            for x in 1...31 { #expect(everyTen.matches(date(2011, 1, x)) == tens.contains(x), "day \(x)") }
            tens.removeLast()  // February 2011 has 28 days
            for x in 1...28 { #expect(everyTen.matches(date(2011, 2, x)) == tens.contains(x), "Feb \(x)") }
        }

        @Test("test_crontab_hour")
        func hour() throws {
            let valid = [0, 1, 4, 6, 8, 9, 12, 18]
            let cron = try crontab(hour: "8-9,*/6,1,4")
            for x in 0..<24 { #expect(cron.matches(date(2011, 1, 1, x)) == valid.contains(x), "hour \(x)") }
            let edge = try crontab(hour: "0")
            #expect(edge.matches(date(2011, 1, 1, 0, 0)))
            #expect(!edge.matches(date(2011, 1, 1, 12, 0)))
        }

        @Test("test_crontab_minute")
        func minute() throws {
            let valid = [0, 1, 4, 6, 8, 9, 12, 18, 24, 30, 36, 42, 48, 54]
            let cron = try crontab(minute: "4,8-9,*/6,1")
            for x in 0..<60 { #expect(cron.matches(date(2011, 1, 1, 1, x)) == valid.contains(x), "minute \(x)") }
            let sixteen = [0, 16, 32, 48]
            let every16 = try crontab(minute: "*/16")
            for x in 0..<60 { #expect(every16.matches(date(2011, 1, 1, 1, x)) == sixteen.contains(x), "minute \(x)") }
        }

        @Test("test_crontab_day_of_week")
        func dayOfWeek() throws {
            let valid = [2, 4, 9, 11, 16, 18, 23, 25, 30]  // 2011-01-01 is a Saturday
            let cron = try crontab(dayOfWeek: "0,2")
            for x in 1...31 { #expect(cron.matches(date(2011, 1, x)) == valid.contains(x), "day \(x)") }
        }

        @Test("test_crontab_sunday", arguments: ["0", "7"])
        func sunday(dow: String) throws {
            let cron = try crontab(minute: "0", hour: "0", dayOfWeek: dow)
            let valid = [2, 9, 16, 23, 30]
            for x in 1...31 { #expect(cron.matches(date(2011, 1, x)) == valid.contains(x), "day \(x)") }
        }

        @Test("test_crontab_sunday_range")
        func sundayRange() throws {
            let cases: [(String, [Int])] = [
                ("0-7", Array(0..<7)), ("0-7/2", [0, 2, 4, 6]), ("1-7/2", [0, 1, 3, 5]), ("5-7", [0, 5, 6]),
                ("7-2", [0, 1, 2]), ("7-3/2", [0, 2]),
            ]
            for (dow, valid) in cases {
                let cron = try crontab(dayOfWeek: dow)
                for x in 0..<7 {  // 2011-01-02 is a Sunday
                    #expect(cron.matches(date(2011, 1, 2 + x)) == valid.contains(x), "\(dow) day \(x)")
                }
            }
        }

        @Test("test_crontab_all_together")
        func allTogether() throws {
            let cron = try crontab(minute: "1-5,10-15,50", hour: "*/4", day: "1,4,7", month: "1,5", dayOfWeek: "0,6")
            #expect(cron.matches(date(2011, 5, 1, 4, 11)))
            #expect(cron.matches(date(2011, 5, 7, 20, 50)))
            #expect(cron.matches(date(2011, 1, 1, 0, 1)))
            #expect(!cron.matches(date(2011, 6, 4, 4, 11)))  // month
            #expect(!cron.matches(date(2011, 1, 6, 4, 11)))  // day
            #expect(!cron.matches(date(2011, 1, 4, 4, 11)))  // day of week
            #expect(!cron.matches(date(2011, 1, 1, 1, 11)))  // hour
            #expect(!cron.matches(date(2011, 1, 1, 4, 6)))  // minute
        }

        @Test("test_invalid_crontabs")
        func invalid() throws {
            #expect(throws: ConfigurationError.self) { try crontab(minute: "61") }
            #expect(throws: ConfigurationError.self) { try crontab(minute: "0-61") }
            #expect(throws: ConfigurationError.self) { try crontab(dayOfWeek: "*/3") }
        }

        @Test("test_invalid_crontabs_2", arguments: ["abc", "*abc", "a-b", "1-c", "0x9"])
        func invalid2(text: String) throws {
            #expect(throws: ConfigurationError.self) { try crontab(minute: text) }
            #expect(throws: ConfigurationError.self) { try crontab(minute: text, strict: true) }
        }

        @Test("test_crontab_range_step")
        func rangeStep() throws {
            let minutes = try crontab(minute: "0-30/5")
            for x in 0..<60 {
                let expected = [0, 5, 10, 15, 20, 25, 30].contains(x)
                #expect(minutes.matches(date(2011, 1, 1, 1, x)) == expected, "minute \(x)")
            }
            let hours = try crontab(hour: "9-17/4", strict: true)
            for x in 0..<24 { #expect(hours.matches(date(2011, 1, 1, x)) == [9, 13, 17].contains(x), "hour \(x)") }
        }

        @Test("test_crontab_wrap_around_hour")
        func wrapAroundHour() throws {
            let cron = try crontab(minute: "0", hour: "22-2", strict: true)
            for x in 0..<24 { #expect(cron.matches(date(2011, 1, 1, x)) == [22, 23, 0, 1, 2].contains(x), "hour \(x)") }
        }

        @Test("test_crontab_wrap_around_day_of_week")
        func wrapAroundDayOfWeek() throws {
            let all = try crontab(minute: "0", hour: "0", dayOfWeek: "1-7", strict: true)
            for x in 2...8 { #expect(all.matches(date(2011, 1, x)), "day \(x)") }
            let wrapped = try crontab(minute: "0", hour: "0", dayOfWeek: "5-1", strict: true)
            for x in 2...8 { #expect(wrapped.matches(date(2011, 1, x)) == [2, 3, 7, 8].contains(x), "day \(x)") }
        }

        @Test("test_crontab_empty")
        func empty() throws {
            #expect(throws: ConfigurationError.self) { try crontab(minute: "foo") }
            #expect(throws: ConfigurationError.self) { try crontab(minute: "0-30/0") }
        }

        @Test("test_crontab_shortcuts — crontab.hourly / crontab.daily")
        func shortcuts() throws {
            let hourly = Crontab.hourly
            #expect(hourly.matches(date(2026, 4, 1, 0)))
            #expect(!hourly.matches(date(2026, 4, 1, 0, 1)))
            #expect(!hourly.matches(date(2026, 4, 1, 0, 59)))
            #expect(hourly.matches(date(2026, 4, 1, 1)))
            let daily = Crontab.daily
            #expect(daily.matches(date(2026, 4, 1, 0)))
            #expect(!daily.matches(date(2026, 4, 1, 1)))
            #expect(!daily.matches(date(2026, 4, 1, 23, 59)))
            #expect(daily.matches(date(2026, 4, 2, 0)))
        }
    }
}
