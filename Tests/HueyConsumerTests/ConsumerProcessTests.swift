import Testing

/// Every consumer process test, one at a time: they start real consumers
/// (`HueyTestHelper consumer <db> consume ...`), send real signals and measure time and
/// process counts, so they must not share the machine's CPUs with each other.
///
/// The nested suites live in the other files of this folder. Each test makes a
/// ``ConsumerFixture`` and stops it in a `defer`, which kills every process it started.
@Suite("Consumer processes", .serialized)
struct ConsumerProcessTests {}
