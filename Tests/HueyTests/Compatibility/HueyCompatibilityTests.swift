import Testing

@Suite("Huey compatibility") struct HueyCompatibilityTests {}
