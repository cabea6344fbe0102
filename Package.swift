// swift-tools-version:6.0
import PackageDescription

/// The same strict settings on every target.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

// swift-huey runs on Linux only: it uses /proc, inotify, prctl, pipe2 and flock, and
// links system libraries through pkg-config (apt). SwiftPM's `platforms:` can only name
// Apple systems (a minimum version, not a restriction), so it is left out and other
// systems are refused here instead.
#if !os(Linux)
    #error("swift-huey builds on Linux only (it uses /proc, inotify and prctl)")
#endif

let package = Package(
    name: "swift-huey",
    products: [
        .library(name: "Huey", targets: ["Huey"]),
        .library(name: "HueyConsumer", targets: ["HueyConsumer"]),
        .library(name: "HueySigning", targets: ["HueySigning"]),
        .library(name: "HueyRedis", targets: ["HueyRedis"]),
        .library(name: "HueyPostgres", targets: ["HueyPostgres"]),
        .executable(name: "huey-demo", targets: ["HueyDemo"]),
        .executable(name: "huey-bench", targets: ["HueyBench"]),
        // The web dashboard: a library entry (HueyDashboard.main(huey)) and a standalone executable.
        .library(name: "HueyDashboard", targets: ["HueyDashboard"]),
        .executable(name: "huey-dashboard", targets: ["HueyDashboardTool"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // Only for the optional HueySigning product (HMAC-SHA256 message signing).
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        // Only for the HueyDashboard product (a separate process, never the consumer's master).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // Per-call counters and timers (no-op unless the application bootstraps a backend).
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        // A span per call, linked to its producer's (no-op unless the application bootstraps a tracer).
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .target(name: "CHueyShims"),
        // hiredis for the optional HueyRedis product (Debian/Ubuntu ship 0.14: the old API).
        .systemLibrary(
            name: "CHiredis",
            pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"])]
        ),
        // libpq for the optional HueyPostgres product (Debian/Ubuntu: headers in /usr/include/postgresql).
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        // The generic JSON reader, writer and JSONValue coder, apart so that Huey reads as a
        // task queue. Huey re-exports it (JSONValue is in Huey's API).
        .target(name: "HueyJSON", swiftSettings: strictSettings),
        .target(
            name: "Huey",
            dependencies: [
                "HueyJSON",
                "CSQLite",
                "CHueyShims",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "HueyConsumer",
            dependencies: [
                "Huey",
                "CHueyShims",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        // Optional message signing, in its own target so users who do not sign do not build it.
        .target(
            name: "HueySigning",
            dependencies: ["Huey", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings
        ),
        // Redis storage, in its own target so users without Redis do not need hiredis.
        .target(
            name: "HueyRedis",
            dependencies: [
                "Huey",
                "CHiredis",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // PostgreSQL storage, in its own target so users without PostgreSQL do not need libpq.
        .target(
            name: "HueyPostgres",
            dependencies: ["Huey", "CLibPQ", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),
        // The web dashboard (Hummingbird, swift-prometheus), in its own product so users of the
        // core never build them.
        .target(
            name: "HueyDashboard",
            dependencies: [
                "Huey",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "HueyDashboardTool",
            dependencies: ["Huey", "HueyDashboard"],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "HueyDemo",
            dependencies: [
                "Huey", "HueyConsumer", "HueyDashboard",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "HueyBench",
            dependencies: [
                "Huey", "HueyConsumer", "HueyPostgres", "HueyRedis",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        // A small executable the process tests launch (tests never fork Swift code).
        .executableTarget(
            name: "HueyTestHelper",
            dependencies: [
                "Huey", "HueyConsumer", "HueyRedis", "HueyPostgres", "HueyTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strictSettings
        ),
        // Launching and watching helper processes from tests.
        .target(
            name: "HueyTestSupport",
            dependencies: ["Huey"],
            swiftSettings: strictSettings
        ),
        // Test targets that launch the helper executables depend on them, so `swift test`
        // always builds them fresh beside the test runner (HelperProcess.executablePath).
        .testTarget(
            name: "HueyTests",
            dependencies: [
                "Huey", "HueyRedis", "HueyPostgres", "HueyTestSupport", "HueyTestHelper",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HueyJSONTests",
            dependencies: ["HueyJSON"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HueySigningTests",
            dependencies: ["Huey", "HueySigning"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HueyRedisTests",
            dependencies: ["HueyRedis", "Huey", "HueyTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HueyPostgresTests",
            dependencies: ["HueyPostgres", "Huey", "HueyTestSupport", "HueyTestHelper"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HueyDashboardTests",
            dependencies: [
                "Huey", "HueyDashboard", "HueyTestSupport", "HueyTestHelper", "HueyDashboardTool", "HueyDemo",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HueyConsumerTests",
            dependencies: [
                "Huey", "HueyConsumer", "HueyRedis", "HueyPostgres", "HueyTestSupport", "HueyTestHelper", "HueyDemo",
                "HueyBench",
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
