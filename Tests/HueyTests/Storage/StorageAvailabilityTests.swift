import HueyTestSupport
import Testing

/// Says visibly when the server-backed storages drop out of the conformance suite: these
/// tests are skipped, with the reason, exactly when their backends are not in
/// ``StorageBackend/testable`` (and fail if a backend went missing while its server is there).
@Suite("Storage backends under test")
struct StorageAvailabilityTests {
    @Test(
        "the Redis storages are in the conformance suite",
        .enabled(if: RedisTestTarget.canProvide, "no Redis server: set HUEY_TEST_REDIS_URL or install redis-server"))
    func redis() {
        #expect(StorageBackend.testable.filter(\.isRedis).count == 4)
    }

    @Test(
        "the PostgreSQL storage is in the conformance suite",
        .enabled(if: PostgresTestTarget.canProvide, "no PostgreSQL: set HUEY_TEST_POSTGRES_URL or install postgresql"))
    func postgres() {
        #expect(StorageBackend.testable.contains(.postgres))
    }
}
