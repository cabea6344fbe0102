import Testing

/// Huey's own test suite (huey/tests/*.py), ported case by case; each test names the
/// Huey test it mirrors. Nested suites live in `HueyCompatibilityTests+*.swift`.
@Suite("Huey compatibility") struct HueyCompatibilityTests {}
