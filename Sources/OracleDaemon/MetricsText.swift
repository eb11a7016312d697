import Foundation
import OracleCore

/// `/metrics` in the Prometheus text exposition format (version 0.0.4).
///
/// Dimensions are bounded by config (source, pair, status, error class) — never an account id.
enum MetricsText {
    static func render(marks: [Mark], sources: [SourceStatus], cycles: Int, lastCycleMs: Double, cycleSumMs: Double,
                       reloadsOK: Int, reloadsFailed: Int, nowMs: Int64, extra: [MetricFamily] = []) -> String {
        var out = ""
        func family(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: String)]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for s in samples { out += "\(name)\(s.labels) \(s.value)\n" }
        }
        func v(_ d: Double) -> String { d.isFinite ? DecimalText.format(d, maxFractionDigits: 6) : (d.isNaN ? "NaN" : (d > 0 ? "+Inf" : "-Inf")) }
        family("oracled_source_requests_total", "counter", "HTTP requests sent to the source.",
               sources.map { ("{source=\"\(esc($0.name))\"}", "\($0.requests)") })
        var errorSamples: [(labels: String, value: String)] = []
        for s in sources {
            for (cls, n) in s.errorsByClass.sorted(by: { $0.key < $1.key }) {
                errorSamples.append(("{source=\"\(esc(s.name))\",class=\"\(esc(cls))\"}", "\(n)"))
            }
        }
        family("oracled_source_errors_total", "counter", "Failed requests by error class.", errorSamples)
        family("oracled_source_latency_seconds_sum", "counter", "Sum of response latencies.",
               sources.map { ("{source=\"\(esc($0.name))\"}", v($0.latencySumMs / 1000)) })
        family("oracled_source_latency_seconds_count", "counter", "Number of timed responses.",
               sources.map { ("{source=\"\(esc($0.name))\"}", "\($0.latencyCount)") })
        family("oracled_source_up", "gauge", "1 when the source's last request succeeded and it is not backing off.",
               sources.map { ("{source=\"\(esc($0.name))\",state=\"\(esc($0.state))\"}", $0.state == "ok" ? "1" : "0") })
        var statusSamples: [(labels: String, value: String)] = []
        for m in marks {
            for st in Mark.Status.allCases {
                statusSamples.append(("{pair=\"\(esc(m.pair))\",status=\"\(st.rawValue)\"}", m.status == st ? "1" : "0"))
            }
        }
        family("oracled_pair_status", "gauge", "Current status of each pair's mark (one-hot).", statusSamples)
        family("oracled_pair_age_seconds", "gauge", "Seconds since the pair's price was computed from fresh quotes.",
               marks.map { m in ("{pair=\"\(esc(m.pair))\"}", m.updatedAtMs.map { v(Double(nowMs - $0) / 1000) } ?? "+Inf") })
        family("oracled_pair_price", "gauge", "Current mark (NaN when unavailable).",
               marks.map { m in ("{pair=\"\(esc(m.pair))\"}", m.price.map(v) ?? "NaN") })
        family("oracled_pair_sources_used", "gauge", "Sources kept in the pair's mark.",
               marks.map { ("{pair=\"\(esc($0.pair))\"}", "\($0.sourcesUsed)") })
        family("oracled_cycle_duration_seconds", "gauge", "Duration of the last aggregation cycle.", [("", v(lastCycleMs / 1000))])
        family("oracled_cycle_duration_seconds_sum", "counter", "Total time spent in aggregation cycles.", [("", v(cycleSumMs / 1000))])
        family("oracled_cycles_total", "counter", "Aggregation cycles completed.", [("", "\(cycles)")])
        family("oracled_reloads_total", "counter", "Configuration reloads by result.",
               [("{result=\"ok\"}", "\(reloadsOK)"), ("{result=\"error\"}", "\(reloadsFailed)")])
        for f in extra { family(f.name, f.type, f.help, f.samples) }
        return out
    }

    static func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}

/// A metric family contributed by another part of the daemon (the margin trigger).
public struct MetricFamily: Sendable {
    public var name: String
    public var type: String
    public var help: String
    public var samples: [(labels: String, value: String)]

    public init(name: String, type: String, help: String, samples: [(labels: String, value: String)]) {
        self.name = name
        self.type = type
        self.help = help
        self.samples = samples
    }
}
