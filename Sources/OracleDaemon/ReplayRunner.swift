import Foundation
import OracleConfig
import OracleCore
import OracleTape

/// `oracled replay`: reads the tape record by record through `TapeReplay` and writes `DIR/marks.jsonl`,
/// `DIR/notices.jsonl`, `DIR/vol.jsonl`, `DIR/summary.json` and `DIR/report.html` (docs/replay.md).
///
/// All I/O of the command is here; nothing reads a clock, the network, syslog or a spool, and every
/// file is built from the tape's values in a fixed order, so two replays of a tape are byte-identical.
public enum ReplayRunner {
    /// What was replayed, for the command's summary line.
    public struct Outcome: Sendable {
        public var responses: Int
        public var cycles: Int
        public var notices: Int
        public var tornTail: (offset: Int, reason: String)?
        public var outDir: String
    }

    public static func run(tapePath: String, configPath: String, accountsPath: String?, outDir: String) throws(ReplayError) -> Outcome {
        let config: OracleConfiguration
        do { config = try ConfigLoader.load(path: configPath) } catch { throw ReplayError("\(error)") }
        var accounts: [Account]?
        if let accountsPath {
            do {
                // Options are valued on the surfaces rebuilt from the tape's [[vol]] answers (no surface: unpriced, as live).
                accounts = try BacktestRunner.readAccounts(accountsPath, universe: MarginRuntime.universe(config), allowOptions: true)
            } catch {
                throw ReplayError(error.description)
            }
        }
        let reader: TapeReader
        do { reader = try TapeReader(path: tapePath) } catch { throw ReplayError("\(error)") }
        var replay: TapeReplay
        do { replay = try TapeReplay(config: config, accounts: accounts) } catch {
            throw ReplayError("\(configPath): the pairs cannot be aggregated: \(error)")
        }

        let marksPath = (outDir as NSString).appendingPathComponent("marks.jsonl")
        let noticesPath = (outDir as NSString).appendingPathComponent("notices.jsonl")
        let volPath = (outDir as NSString).appendingPathComponent("vol.jsonl")
        let marksOut: OutputFile, noticesOut: OutputFile, volOut: OutputFile
        do {
            try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)
            marksOut = try OutputFile(path: marksPath)
            noticesOut = try OutputFile(path: noticesPath)
            volOut = try OutputFile(path: volPath)
        } catch {
            throw ReplayError("cannot write into \(outDir): \(error.localizedDescription); check the directory is writable")
        }
        var report = ReplayReport()
        var notices = 0
        do {
            while let record = try reader.next() {
                guard let cycle = replay.feed(record) else { continue }
                for mark in cycle.marks { marksOut.append(markLine(mark, atMs: cycle.atMs)) }
                for n in cycle.notices { noticesOut.append(n.jsonLine() + "\n") }
                for surface in cycle.vol { volOut.append(volLine(surface, atMs: cycle.atMs)) }
                notices += cycle.notices.count
                report.add(cycle)
                if marksOut.failed || noticesOut.failed || volOut.failed { break }
            }
        } catch {
            throw ReplayError("\(error); outputs in \(outDir) are partial")
        }
        marksOut.close()
        noticesOut.close()
        volOut.close()
        if let e = marksOut.error ?? noticesOut.error ?? volOut.error { throw ReplayError("cannot write into \(outDir): \(e)") }

        let stats = replay.stats
        let summary = stats.json(accounts: accounts?.count, tornTail: reader.tornTail).rendered + "\n"
        let html = report.html(title: (tapePath as NSString).lastPathComponent, summary: stats, accounts: accounts?.count)
        do {
            try Data(summary.utf8).write(to: URL(fileURLWithPath: (outDir as NSString).appendingPathComponent("summary.json")), options: .atomic)
            try Data(html.utf8).write(to: URL(fileURLWithPath: (outDir as NSString).appendingPathComponent("report.html")), options: .atomic)
        } catch {
            throw ReplayError("cannot write the report into \(outDir): \(error.localizedDescription); check the directory is writable")
        }
        return Outcome(responses: stats.responses, cycles: stats.cycles, notices: notices, tornTail: reader.tornTail, outDir: outDir)
    }

    /// One line of `marks.jsonl`: the cycle's time, then the mark exactly as `GET /v1/prices/{pair}`
    /// shows it at that moment (`age_ms` against the cycle's time).
    static func markLine(_ mark: Mark, atMs: Int64) -> String {
        var fields: [(String, JSON)] = [("at", .string(RFC3339.format(ms: atMs)))]
        if case .object(let api) = MarkJSON.render(mark, nowMs: atMs) { fields += api }
        return JSON.object(fields).rendered + "\n"
    }
}

extension ReplayRunner {
    /// One line of `vol.jsonl`: a surface build, compact — the cycle's time, status and reason, when
    /// the served slices were fitted (a held `stale` surface keeps its old time), per served expiry
    /// its forward, ATM vol (the fitted smile at k = 0, a fraction), method, RMSE and venues used;
    /// the DVOL fallback level; the dropped expiries; and each source's verdict in `[[vol]]` order.
    /// The full surface is what `GET /v1/vol/{underlying}` shows; this is what a timeline needs.
    static func volLine(_ s: VolSurface, atMs: Int64) -> String {
        let fields: [(String, JSON)] = [
            ("at", .string(RFC3339.format(ms: atMs))),
            ("underlying", .string(s.underlying)),
            ("status", .string(s.status.rawValue)),
            ("reason", .optional(s.statusReason)),
            ("updated_at", .string(RFC3339.format(ms: s.builtAtMs))),
            ("sources_used", .int(s.sourcesUsed)),
            ("sources_total", .int(s.sourcesTotal)),
            ("fallback_vol", s.fallbackLevel.map { .number($0.value) } ?? .null),
            ("expiries", .array(s.slices.map { slice in
                .object([
                    ("expiry", .string(RFC3339.format(ms: slice.expiryMs))),
                    ("forward", .number(slice.forward)),
                    ("atm_vol", .number(slice.atmVol)),
                    ("method", .string(slice.smile.method)),
                    ("rmse_vol", .number(slice.rmseVol)),
                    ("sources_used", .array(slice.sourcesUsed.map(JSON.string))),
                ])
            })),
            ("dropped", .array(s.dropped.map { .object([("expiry", .string(RFC3339.format(ms: $0.expiryMs))), ("reason", .string($0.reason))]) })),
            ("verdicts", .object(s.sources.map { ($0.source, .string($0.verdict.rawValue)) })),
        ]
        return JSON.object(fields).rendered + "\n"
    }
}

/// A buffered output file: appends go to memory and reach the file in 1 MiB writes.
final class OutputFile {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private(set) var error: String?
    var failed: Bool { error != nil }

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        handle = h
    }

    func append(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        if buffer.count >= 1 << 20 { drain() }
    }

    private func drain() {
        guard error == nil, !buffer.isEmpty else { return }
        do { try handle.write(contentsOf: buffer) } catch { self.error = "\(error.localizedDescription)" }
        buffer.removeAll(keepingCapacity: true)
    }

    func close() {
        drain()
        do { try handle.close() } catch { if self.error == nil { self.error = error.localizedDescription } }
    }
}
