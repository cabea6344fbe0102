import Foundation
import Huey
import Testing

/// Call ids: version 4 UUIDs in Huey's lowercase text, never repeated.
@Suite("Call ids")
struct CallIDTests {
    @Test("ids are lowercase version 4 UUIDs that Foundation reads back")
    func format() throws {
        for _ in 0..<1000 {
            let id = CallID.make()
            let parsed = try #require(UUID(uuidString: id), "\(id) is not a UUID")
            #expect(parsed.uuidString.lowercased() == id)
            let bytes = parsed.uuid
            #expect(bytes.6 >> 4 == 4, "version of \(id)")
            #expect(bytes.8 >> 6 == 0b10, "variant of \(id)")
        }
    }

    @Test("10,000 ids from four threads, across several refills of the random pool, are all distinct")
    func distinct() async {
        let batches = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<4 { group.addTask { (0..<2_500).map { _ in CallID.make() } } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let all = batches.flatMap { $0 }
        #expect(all.count == 10_000)
        #expect(Set(all).count == all.count)
        // Random hex digits: each of the 16 appears in the first position of some id.
        #expect(Set(all.map(\.first)).count == 16)
    }

    @Test("messages and calls made without an id get one")
    func defaults() {
        #expect(UUID(uuidString: Message(name: "t").id) != nil)
        #expect(UUID(uuidString: TaskCall(name: "t").id) != nil)
        #expect(Message(name: "t").id != Message(name: "t").id)
    }
}
