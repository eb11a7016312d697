import OracleCore
import TOMLKit

/// Finds the `ConfigWarning`s of a configuration that decoded without errors.
///
/// Why a quorum warning when the decoder already rejects `min_sources` above the number of listed
/// sources: a count of entries can still never be met. Two `[[source]]` blocks with the same kind
/// and base URL are one venue (they fail together and quote the same book), and an entry that
/// converts through a pair whose own mark can never be ok never yields a quote. The pair then sits
/// in `insufficient` forever, which the operator learns only at run time.
struct ConfigAdvisor {
    let configuration: OracleConfiguration
    let root: TOMLTable
    let lines: SourceLineIndex
    let file: String

    func warnings() -> [ConfigWarning] {
        (unusedSources() + unreachableQuorums()).sorted { ($0.line ?? .max) < ($1.line ?? .max) }
    }

    /// Index in the file of each `[[name]]` table, by the value of `key` (`name` or `symbol`).
    private func fileIndex(_ name: String, by key: String) -> [String: (index: Int, table: TOMLTable)] {
        guard let array = root[name]?.array else { return [:] }
        var out: [String: (index: Int, table: TOMLTable)] = [:]
        for i in 0..<array.count {
            if let table = array[i].table, let value = table[key]?.string, out[value] == nil { out[value] = (i, table) }
        }
        return out
    }

    private func unusedSources() -> [ConfigWarning] {
        let used = Set(configuration.pairs.flatMap { $0.sources.map(\.source) })
        let index = fileIndex("source", by: "name")
        return configuration.sources.filter { !used.contains($0.name) }.map { s in
            ConfigWarning(code: .unusedSource, file: file, line: index[s.name].flatMap { lines.line(for: "source[\($0.index)].name") },
                          section: "[[source]] \(s.name)", key: "name",
                          message: "no [[pair]] lists source \"\(s.name)\", so it is never polled; add { source = \"\(s.name)\", symbol = \"...\" } "
                            + "to a pair's sources, or delete this [[source]] block")
        }
    }

    /// The venue a source polls: kind and base URL (generic sources also by URL template), so two
    /// names for one endpoint count once.
    private static func venue(_ s: SourceSpec) -> String {
        var url = s.baseURL.lowercased()
        while url.hasSuffix("/") { url.removeLast() }
        return "\(s.kind.rawValue) \(url)\(s.generic.map { " " + $0.urlTemplate } ?? "")"
    }

    private func unreachableQuorums() -> [ConfigWarning] {
        let sources = Dictionary(configuration.sources.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let index = fileIndex("pair", by: "symbol")
        let globalMinSources = root["aggregation"]?.table?["min_sources"] != nil
        var reachable: [String: Bool] = [:]
        var out: [ConfigWarning] = []
        // Dependency order: a convert's own pair is settled before the pairs that use it.
        for pair in configuration.pairs {
            var firstOfVenue: [String: String] = [:]
            var notes: [String] = []
            for entry in pair.sources {
                guard let spec = sources[entry.source] else { continue }
                if let convert = entry.convert, reachable[convert] != true {
                    notes.append("\"\(entry.source)\" converts through \(convert), whose mark can never be ok")
                    continue
                }
                let venue = Self.venue(spec)
                if let first = firstOfVenue[venue] {
                    notes.append("\"\(entry.source)\" polls the same venue as \"\(first)\" (kind \(spec.kind.rawValue), base_url \(spec.baseURL))")
                } else {
                    firstOfVenue[venue] = entry.source
                }
            }
            let distinct = firstOfVenue.count
            reachable[pair.symbol] = distinct >= pair.policy.minSources
            guard distinct < pair.policy.minSources else { continue }
            let own = index[pair.symbol].map { $0.table["min_sources"] != nil } ?? false
            let key = own ? "min_sources" : "sources"
            let line = index[pair.symbol].flatMap { lines.line(for: "pair[\($0.index)].\(key)") }
            let origin = own ? "this pair's min_sources" : (globalMinSources ? "[aggregation] min_sources" : "the default min_sources")
            let fix = distinct > 0
                ? "add sources on other venues, or set min_sources = \(distinct) in this [[pair]]"
                : "add sources on other venues"
            out.append(ConfigWarning(code: .quorumUnreachable, file: file, line: line, section: "[[pair]] \(pair.symbol)", key: key,
                                     message: "\(pair.sources.count) sources listed but only \(distinct) distinct venue\(distinct == 1 ? "" : "s") can quote it "
                                        + "(\(notes.joined(separator: "; "))), below \(origin) = \(pair.policy.minSources), "
                                        + "so its mark can never be ok; \(fix)"))
        }
        return out
    }
}
