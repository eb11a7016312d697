// swift-tools-version:6.1
import PackageDescription

// libFuzzer targets for oracled, kept out of the main package so `make test` never builds them.
//
// Build (FuzzTesting/run-fuzz.sh does this):
//   swift build -c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
// SwiftPM links each executable with `--defsym main=<module>_main`; with -parse-as-library no such
// symbol is generated, so every target defines it (`@_cdecl("fuzz_x_main")`) and calls libFuzzer's
// `LLVMFuzzerRunDriver` through the small C target FuzzDriver.
//
// The library targets are the real sources through symlinks (Sources/OracleCore -> ../../Sources/OracleCore),
// compiled inside this package so `package`-level seams of OracleServer are visible here.

let venues = ["binance", "coinbase", "kraken", "bitstamp", "gemini", "okx", "bybit", "bitfinex",
              "kucoin", "htx", "cryptocom", "pyth", "coingecko"]

var targets: [Target] = [
    .target(name: "CSystemShim", path: "Sources/CSystemShim"),
    .target(name: "OracleCore", path: "Sources/OracleCore"),
    .target(name: "OracleConfig", dependencies: ["OracleCore", "TOMLKit"], path: "Sources/OracleConfig"),
    .target(name: "OracleServer", dependencies: [
        "OracleCore", "CSystemShim",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
    ], path: "Sources/OracleServer"),
    .target(name: "FuzzDriver"),
    .target(name: "FuzzSupport", dependencies: ["OracleCore"]),
    .executableTarget(name: "fuzz-generic", dependencies: ["OracleCore", "FuzzSupport", "FuzzDriver"]),
    .executableTarget(name: "fuzz-config", dependencies: ["OracleConfig", "FuzzSupport", "FuzzDriver"]),
    .executableTarget(name: "fuzz-vol", dependencies: ["OracleCore", "FuzzSupport", "FuzzDriver"]),
    .executableTarget(name: "fuzz-accounts", dependencies: ["OracleCore", "FuzzSupport", "FuzzDriver"]),
    .executableTarget(name: "fuzz-http", dependencies: [
        "OracleServer", "OracleCore", "FuzzSupport", "FuzzDriver",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOEmbedded", package: "swift-nio"),
    ]),
]
// One executable per venue parser: Sources/fuzz-<venue>/main.swift names its VenueKind.
targets += venues.map { .executableTarget(name: "fuzz-\($0)", dependencies: ["OracleCore", "FuzzSupport", "FuzzDriver"]) }

let package = Package(
    name: "oracled-fuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: targets
)
