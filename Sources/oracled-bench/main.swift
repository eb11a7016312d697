// oracled-bench: release-build figures for the hot paths, each beside its baseline from the same run.
// Every figure ends up as one line `BENCH <name> <value> <unit>` at the end of the output.
// Usage: oracled-bench [parse] [aggregate] [sweep] [incremental] [portfolio] [notice] [import] [batchparse] [options]
//                     [--accounts N] [--incremental-accounts N] [--batch-bodies DIR]  (no names: all;
//                     batchparse needs --batch-bodies, written by scripts/footprint-bench.py --bodies-out DIR)
#if canImport(Glibc)
import Glibc
#endif

var figures: [(name: String, value: Double, unit: String)] = []
let args = CommandLine.arguments
let accounts = args.firstIndex(of: "--accounts").flatMap { i in i + 1 < args.count ? Int(args[i + 1]) : nil } ?? 1_000_000
let incrementalAccounts = args.firstIndex(of: "--incremental-accounts").flatMap { i in i + 1 < args.count ? Int(args[i + 1]) : nil } ?? 100_000
let batchBodies = args.firstIndex(of: "--batch-bodies").flatMap { i in i + 1 < args.count ? args[i + 1] : nil }
let groups = Set(["parse", "aggregate", "sweep", "incremental", "portfolio", "notice", "import", "batchparse", "options"]).intersection(args)
func wanted(_ g: String) -> Bool { groups.isEmpty || groups.contains(g) }

if wanted("parse") {
    print("parsing: our byte scanner vs Foundation JSONDecoder, per body")
    figures += runParseBench()
}
if wanted("batchparse") {
    if let batchBodies {
        print("batch parsing: one whole answer per batch venue (2000 synthetic pairs) vs the single-ticker parse × symbols")
        figures += runBatchParseBench(directory: batchBodies)
    } else if groups.contains("batchparse") {
        print("batchparse skipped: give --batch-bodies DIR (scripts/footprint-bench.py --bodies-out DIR writes it)")
    }
}
if wanted("aggregate") {
    print("aggregation: MarkEngine vs a straightforward C implementation of the same per-pair work, 7 sources per pair")
    figures += runAggregateBench()
}
if wanted("sweep") {
    print("margin sweep: \(accounts) accounts × 8 positions + 4 collateral, Swift vs a plain C loop")
    figures += runSweepBench(accounts: accounts)
}
if wanted("incremental") {
    print("incremental: the daemon's path per mark update (MarginEvaluator.marksUpdated), \(incrementalAccounts) accounts")
    figures += runIncrementalBench(accounts: incrementalAccounts)
}
if wanted("portfolio") {
    print("portfolio requirement: MarginModel.value (VaR + ES + add-ons + floors, 8 positions) vs the same in plain C")
    figures += runPortfolioBench()
}
if wanted("options") {
    print("options: Black-76 price + Greeks per option, and the scenario grid for a 20-option account, Swift vs plain C")
    figures += runOptionBench()
}

// Disk figures run in a scratch directory under the current directory: the disk being measured.
var scratchTemplate = Array("oracled-bench-XXXXXX".utf8CString)
let scratch = scratchTemplate.withUnsafeMutableBufferPointer { buf in mkdtemp(buf.baseAddress!).map { String(cString: $0) } }
if let scratch {
    if wanted("notice") {
        print("notices: mark update → durable notice (SQLite + spool), against a bare 600-byte write+fsync+rename+dir fsync")
        figures += runNoticeBench(directory: scratch)
    }
    if wanted("import") {
        print("import: NDJSON accounts → AccountJSON.decode → OracleDatabase.putAccounts")
        figures += runImportBench(directory: scratch, count: 100_000)
    }
    removeTree(scratch)
} else {
    print("notices/import skipped: cannot create a scratch directory under the current directory")
}

print("")
for f in figures {
    let v = f.value >= 100 ? String(Int(f.value.rounded())) : String((f.value * 1000).rounded() / 1000)
    print("BENCH \(f.name) \(v) \(f.unit)")
}
