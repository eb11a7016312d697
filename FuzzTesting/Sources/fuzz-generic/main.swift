import FuzzDriver
import FuzzSupport
import OracleCore

/// libFuzzer entry point for the generic JSON-path adapter: both the paths and the body are fuzzed.
///
/// Input: six lines — price path, bid path, ask path, timestamp path, timestamp unit
/// (s|ms|us|ns|iso8601), error path; an empty line is an absent path — then the venue input
/// of `VenueFuzz` (status, symbol, Retry-After, body).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: size > 0 ? data : nil, count: size)
    let input = FuzzInput(bytes, lineCount: 6)
    func path(_ i: Int) -> String? { input.lines[i].isEmpty ? nil : input.lines[i] }
    let spec = GenericAdapterSpec(urlTemplate: "/ticker?market={symbol}",
                                  pricePath: path(0), bidPath: path(1), askPath: path(2),
                                  timestampPath: path(3),
                                  timestampUnit: GenericAdapterSpec.TimestampUnit(rawValue: input.lines[4]) ?? .ms,
                                  errorPath: path(5))
    return input.rest.withUnsafeBytes { rest in
        VenueFuzz.run(.generic, rest.baseAddress, rest.count, generic: spec)
    }
}

/// The entry point SwiftPM links as `main` (see FuzzDriver/include/fuzz_driver.h).
@_cdecl("fuzz_generic_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    oracled_fuzz_run(argc, argv, fuzzOneInput)
}
