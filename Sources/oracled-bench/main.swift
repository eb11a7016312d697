// oracled-bench: release-build figures for the hot paths, each beside its baseline from the same run.
// Every figure ends up as one line `BENCH <name> <value> <unit>` at the end of the output.
#if canImport(Glibc)
import Glibc
#endif

var figures: [(name: String, value: Double, unit: String)] = []
let args = CommandLine.arguments
let accounts = args.firstIndex(of: "--accounts").flatMap { i in i + 1 < args.count ? Int(args[i + 1]) : nil } ?? 1_000_000

print("parsing: our byte scanner vs Foundation JSONDecoder, per body")
figures += runParseBench()
print("aggregation: MarkEngine vs a straightforward C median/MAD filter, 7 sources per pair")
figures += runAggregateBench()
print("margin sweep: \(accounts) accounts × 8 positions + 4 collateral, Swift vs a plain C loop")
figures += runSweepBench(accounts: accounts)

print("")
for f in figures {
    let v = f.value >= 100 ? String(Int(f.value.rounded())) : String((f.value * 1000).rounded() / 1000)
    print("BENCH \(f.name) \(v) \(f.unit)")
}
