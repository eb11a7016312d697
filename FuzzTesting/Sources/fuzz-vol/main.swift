import FuzzDriver
import FuzzSupport
import OracleCore

/// libFuzzer entry point for the implied-volatility parsers and the surface builder; see VolFuzz.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    VolFuzz.run(data, size)
}

/// The entry point SwiftPM links as `main` (see FuzzDriver/include/fuzz_driver.h).
@_cdecl("fuzz_vol_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    oracled_fuzz_run(argc, argv, fuzzOneInput)
}
