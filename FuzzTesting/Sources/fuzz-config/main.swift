import FuzzDriver
import OracleConfig

/// libFuzzer entry point for the config loader: the input is the text of an oracles.toml.
///
/// Bytes that are not UTF-8 are repaired first, as `ConfigLoader.load` rejects them before
/// parsing. Either a configuration or a `ConfigError` must come back; its description (what
/// `oracled check-config` prints) is rendered too.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeRawBufferPointer(start: size > 0 ? data : nil, count: size), as: UTF8.self)
    do throws(ConfigError) {
        let config = try ConfigLoader.parse(text, file: "fuzz.toml")
        _ = config.pairs.count
    } catch {
        precondition(!error.description.isEmpty, "ConfigError without a description")
    }
    return 0
}

/// The entry point SwiftPM links as `main` (see FuzzDriver/include/fuzz_driver.h).
@_cdecl("fuzz_config_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    oracled_fuzz_run(argc, argv, fuzzOneInput)
}
