import FuzzDriver
import FuzzSupport

/// libFuzzer entry point for the account/NDJSON import: the input is an import body.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    AccountImportFuzz.run(Array(UnsafeRawBufferPointer(start: size > 0 ? data : nil, count: size)))
    return 0
}

/// The entry point SwiftPM links as `main` (see FuzzDriver/include/fuzz_driver.h).
@_cdecl("fuzz_accounts_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    oracled_fuzz_run(argc, argv, fuzzOneInput)
}
