#ifndef ORACLED_FUZZ_DRIVER_H
#define ORACLED_FUZZ_DRIVER_H
#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (compiler-rt, linked by -sanitize=fuzzer). SwiftPM links every executable
/// with `--defsym main=<module>_main`, so each target defines that symbol and calls this driver
/// itself instead of relying on libFuzzer's own `main`.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

/// Calls LLVMFuzzerRunDriver; kept in C so the argv pointers stay C types.
int oracled_fuzz_run(int argc, char **argv, int (*callback)(const uint8_t *data, size_t size));
#endif
