import Foundation
import OracleCore

/// The option-volatility fixtures in Tests/Fixtures/venues/options (README there).
enum VolFixtures {
    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()   // Volatility
        .deletingLastPathComponent()   // OracleCoreTests
        .deletingLastPathComponent()   // Tests
        .appendingPathComponent("Fixtures/venues/options")

    /// The constructed fixtures' reference time (2026-12-06T02:00:00Z).
    static let nowMs: Int64 = 1_796_522_400_000

    static func bytes(_ file: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(file)))
    }

    static func response(_ file: String, status: Int = 200) throws -> VenueResponse {
        VenueResponse(status: status, body: try bytes(file), receivedAtMs: nowMs)
    }

    static func response(text: String, status: Int = 200) -> VenueResponse {
        VenueResponse(status: status, body: Array(text.utf8), receivedAtMs: nowMs)
    }
}
