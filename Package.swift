// swift-tools-version:6.1
import PackageDescription

// Dependencies are deliberate: NIO for the Unix-socket API, TOMLKit for oracles.toml,
// GRDB for state, ArgumentParser for the two CLIs, ServiceLifecycle for ordered shutdown.
// OracleCore depends on none of them; OracleClient (the CLI's and the tests' HTTP client) on
// nothing but libc, so oraclectl stays small. Each target lists exactly the modules it imports.
let package = Package(
    name: "oracled",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "oracled", targets: ["oracled"]),
        .executable(name: "oraclectl", targets: ["oraclectl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // The shared store of a cluster; only OracleStorePostgres (and so the daemon) links it.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),
        .target(name: "CurlShim", dependencies: ["CCurl"], path: "Sources/CurlShim"),
        .target(name: "CSystemShim", path: "Sources/CSystemShim"),
        .target(name: "CBench", path: "Sources/CBench"),

        .target(name: "OracleCore"),
        .target(name: "OracleConfig", dependencies: ["OracleCore", "TOMLKit"]),
        .target(name: "OracleFetch", dependencies: ["OracleCore", "CCurl", "CurlShim"]),
        .target(name: "OracleStore", dependencies: [.product(name: "GRDB", package: "GRDB.swift")]),
        // PostgreSQL apart from OracleStore: the SQLite users (outbox, bench, their tests) do not
        // compile or link postgres-nio and its TLS/crypto stack.
        .target(name: "OracleStorePostgres", dependencies: [
            "OracleStore",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "OracleSystem", dependencies: ["CSystemShim", .product(name: "Logging", package: "swift-log")]),
        .target(name: "OracleClient"),
        // The record/replay tape format (docs/replay.md): no dependency, so its decoder is tested alone.
        .target(name: "OracleTape"),
        .target(name: "OracleOutbox", dependencies: [
            "OracleCore", "OracleStore", "OracleSystem",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "OracleServer", dependencies: [
            "OracleCore",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        .target(name: "OracleDaemon", dependencies: [
            "OracleCore", "OracleConfig", "OracleFetch", "OracleStore", "OracleStorePostgres", "OracleSystem", "OracleOutbox", "OracleServer", "OracleTape",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        ]),
        .executableTarget(name: "oracled", dependencies: [
            "OracleDaemon", "OracleCore", "OracleConfig", "OracleFetch", "OracleSystem",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "oraclectl", dependencies: [
            "OracleClient",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Regenerates docs/*.{1,5,8} and contrib/completions/ (`make docs`) from the two CLIs and ConfigKeys.
        .executableTarget(name: "oracled-docs", dependencies: ["OracleConfig"]),
        .executableTarget(name: "fake-venue", dependencies: [
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        .executableTarget(name: "oracled-bench", dependencies: [
            "OracleCore", "OracleStore", "OracleSystem", "OracleOutbox", "CBench",
            .product(name: "Logging", package: "swift-log"),
        ]),

        .testTarget(name: "OracleCoreTests", dependencies: ["OracleCore"]),
        .testTarget(name: "OracleConfigTests", dependencies: ["OracleConfig", "OracleCore"]),
        .testTarget(name: "OracleFetchTests", dependencies: ["OracleFetch", "OracleCore"]),
        .testTarget(name: "OracleServerTests", dependencies: ["OracleServer", "OracleCore", "OracleClient"]),
        .testTarget(name: "OracleSystemTests", dependencies: ["OracleSystem", "OracleStore", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "OracleDaemonTests", dependencies: ["OracleDaemon", "OracleOutbox", "OracleServer", "OracleStore", "OracleStorePostgres", "OracleSystem", "OracleConfig", "OracleCore",
                                                             .product(name: "Logging", package: "swift-log"),
                                                             // A second connection that makes the state database refuse commits (StoreCommitFailureTests).
                                                             .product(name: "GRDB", package: "GRDB.swift"), "OracleTape"]),
        .testTarget(name: "OracleStoreTests", dependencies: ["OracleStore", "OracleStorePostgres", "OracleConfig"]),
        .testTarget(name: "OracleClientTests", dependencies: ["OracleClient"]),
        .testTarget(name: "OracleTapeTests", dependencies: ["OracleTape"]),
        .testTarget(name: "EndToEndTests", dependencies: ["OracleClient"]),
    ]
)
