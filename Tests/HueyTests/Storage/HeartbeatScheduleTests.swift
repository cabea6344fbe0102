import Huey
import Testing

@Suite("Heartbeat schedule")
struct HeartbeatScheduleTests {
    struct SendFailed: Error {}

    @Test("sends at once, then once per interval; after a failed send or a clock gone back, at the next call")
    func schedule() throws {
        let schedule = HeartbeatSchedule()
        var sentAt: [Double] = []
        func ask(_ now: Double) throws { try schedule.sendIfDue(now: now, every: 5) { sentAt.append(now) } }
        for now in [100.0, 101, 104.9, 105, 109, 110.5] { try ask(now) }
        #expect(sentAt == [100, 105, 110.5])
        #expect(throws: SendFailed.self) { try schedule.sendIfDue(now: 116, every: 5) { throw SendFailed() } }
        try ask(116.5)  // the failed send is tried again, not 5 s later
        try ask(90)  // the clock went back
        try ask(91)
        #expect(sentAt == [100, 105, 110.5, 116.5, 90])
    }
}
