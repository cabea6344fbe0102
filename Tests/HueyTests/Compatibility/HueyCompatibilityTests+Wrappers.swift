import Foundation
import Huey
import Testing

extension HueyCompatibilityTests {
    /// Huey's `tests/test_wrappers.py`: each storage's Huey names its storage after itself.
    @Suite("test_wrappers.py")
    struct Wrappers {
        @Test("test_wrappers — each Huey makes its storage, named after the queue")
        func wrappers() throws {
            let place = try ScratchDirectory()
            let hueys: [(Huey, any Storage.Type)] = [
                (BlackHoleHuey(name: "testhuey"), BlackHoleStorage.self),
                (MemoryHuey(name: "testhuey"), MemoryStorage.self),
                (try SqliteHuey(name: "testhuey", filename: place.file("huey.db")), SqliteStorage.self),
                (try FileHuey(name: "testhuey", path: place.file("files")), FileStorage.self),
            ]
            for (huey, storageType) in hueys {
                #expect(huey.name == "testhuey")
                #expect(huey.storage.name == "testhuey")
                #expect(type(of: huey.storage) == storageType)
            }
        }

        @Test("test_fake_wrapper — Huey(name:storage:) uses the storage it is given, as made")
        func fakeWrapper() throws {
            let place = try ScratchDirectory()
            let storage = try SqliteStorage(name: "test", filename: place.file("custom.db"), fsync: true)
            let huey = Huey(name: "test", storage: storage)
            #expect(huey.name == "test")
            #expect(huey.storage.name == "test")
            #expect(huey.storage as? SqliteStorage === storage)
        }
    }
}
