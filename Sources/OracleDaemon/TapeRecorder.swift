import Dispatch
import Logging
import OracleCore
import OracleFetch
import OracleTape
import Synchronization

/// Records what the poll loop receives into a tape (`oracled record`, `oracled run --record`).
///
/// The loop only encodes into memory (`append`) and hands the cycle's bytes over (`flush`, once
/// per cycle); the `write(2)` happens on a serial queue of its own, so a slow disk never holds up
/// the loop. A write failure is logged and counted, never fatal: the daemon's job is the marks,
/// the tape is a witness. While writes are failing or slow, at most `maxPendingBytes` wait;
/// beyond that whole cycles are dropped (counted), so memory stays bounded.
public final class TapeRecorder: Sendable {
    public let path: String
    /// Used only on `queue` (the one writer), which is what makes `nonisolated(unsafe)` safe.
    nonisolated(unsafe) let writer: TapeWriter
    private let queue = DispatchQueue(label: "oracled.tape-writer")
    private let buffer = Mutex<[UInt8]>([])
    private let pendingBytes = Atomic<Int>(0)
    private let tallies = Mutex<Counters>(Counters())
    private let logger: Logger
    static let maxPendingBytes = 64 << 20

    /// What the recorder did, for the log at exit and health.
    public struct Counters: Sendable, Equatable {
        public var records = 0
        public var bytesWritten = 0
        public var writeFailures = 0
        public var droppedCycles = 0
        public var lastError: String?
    }

    public init(path: String, logger: Logger) throws(TapeError) {
        self.path = path
        self.writer = try TapeWriter(path: path)
        self.logger = logger
    }

    public var counters: Counters { tallies.withLock { $0 } }

    /// Encodes a record into the current cycle's buffer (called by the poll loop).
    public func append(_ record: TapeRecord) {
        buffer.withLock { TapeEncoder.append(record, to: &$0) }
        tallies.withLock { $0.records += 1 }
    }

    /// Hands the cycle's records to the writer queue; returns at once.
    public func flush() {
        let bytes = buffer.withLock { b in defer { b = [] }; return b }
        guard !bytes.isEmpty else { return }
        if pendingBytes.load(ordering: .relaxed) + bytes.count > Self.maxPendingBytes {
            let first = tallies.withLock { c in c.droppedCycles += 1; return c.droppedCycles == 1 }
            if first { logger.error("tape writes are behind by more than 64 MiB; dropping cycles from the tape (counted) until they catch up", metadata: ["tape": "\(path)"]) }
            return
        }
        pendingBytes.add(bytes.count, ordering: .relaxed)
        queue.async { [self] in
            defer { pendingBytes.subtract(bytes.count, ordering: .relaxed) }
            do {
                try writer.write(bytes)
                tallies.withLock { $0.bytesWritten += bytes.count }
            } catch {
                // Not fatal: the marks do not depend on the tape. The writer cut the partial record
                // off, so the tape stays readable; the next cycle tries again.
                let n = tallies.withLock { c in c.writeFailures += 1; c.lastError = "\(error)"; return c.writeFailures }
                if n == 1 || n % 100 == 0 {
                    logger.error("cannot write to the tape; recording continues, this cycle is missing from it", metadata: ["error": "\(error)", "failures": "\(n)"])
                }
            }
        }
    }

    /// Flushes, waits for the writes and syncs the file (at shutdown).
    public func close() {
        flush()
        queue.sync {
            do { try writer.sync() } catch {
                tallies.withLock { $0.writeFailures += 1; $0.lastError = "\(error)" }
                logger.error("cannot sync the tape", metadata: ["error": "\(error)"])
            }
        }
    }

    /// The tape record of one answer (`PollService.fetch` calls it only when recording).
    static func response(_ unit: FetchPlan.Unit, receivedAtMs: Int64, response: FetchResponse) -> TapeResponse {
        TapeResponse(wallMs: receivedAtMs, monoMs: Int64(WallClock.monotonicMs()), source: unit.source, batch: unit.isBatch,
                     targets: unit.targets.map { .init(pair: $0.pair, symbol: $0.symbol) }, status: response.status,
                     latencyUs: response.timing.totalMs.isFinite ? Int64(response.timing.totalMs * 1000) : nil,
                     headers: response.headers.filter { TapeFormat.keptHeader($0.name) }, body: response.body)
    }

    /// The tape record of a request that got no HTTP answer (a timeout is a record too).
    static func failure(_ unit: FetchPlan.Unit, atMs: Int64, error: FetchError) -> TapeResponse {
        TapeResponse(wallMs: atMs, monoMs: Int64(WallClock.monotonicMs()), source: unit.source, batch: unit.isBatch,
                     targets: unit.targets.map { .init(pair: $0.pair, symbol: $0.symbol) }, status: 0,
                     transportError: error.code.rawValue, transportMessage: "\(error)")
    }

    /// The tape record of one `[[vol]]` answer (`VolPollService.fetch`, only when recording): a whole
    /// option chain, so `batch` and one target, (pair: the `[[vol]]` underlying, symbol: the same).
    /// `oracled replay` recognises it by its source being a `[[vol]]` source (docs/replay.md).
    static func volResponse(source: String, underlying: String, receivedAtMs: Int64, response: FetchResponse) -> TapeResponse {
        TapeResponse(wallMs: receivedAtMs, monoMs: Int64(WallClock.monotonicMs()), source: source, batch: true,
                     targets: [.init(pair: underlying, symbol: underlying)], status: response.status,
                     latencyUs: response.timing.totalMs.isFinite ? Int64(response.timing.totalMs * 1000) : nil,
                     headers: response.headers.filter { TapeFormat.keptHeader($0.name) }, body: response.body)
    }

    /// A `[[vol]]` request that got no HTTP answer.
    static func volFailure(source: String, underlying: String, atMs: Int64, error: FetchError) -> TapeResponse {
        TapeResponse(wallMs: atMs, monoMs: Int64(WallClock.monotonicMs()), source: source, batch: true,
                     targets: [.init(pair: underlying, symbol: underlying)], status: 0,
                     transportError: error.code.rawValue, transportMessage: "\(error)")
    }
}
