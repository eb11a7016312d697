import OracleCore
import TOMLKit

/// Walks the parsed TOML tree section by section, building typed values and reporting problems.
///
/// Sections are decoded in an order that lets later ones check references to earlier ones:
/// `[margin]` (its currency is needed by collateral), `[[source]]`, `[[pair]]` (sources must
/// exist), then `[[collateral]]` (pairs must exist). A section with problems still yields its
/// names, so a typo in one `[[source]]` does not also produce "unknown source" for every pair
/// that uses it.
final class ConfigDecoder {
    let root: TOMLTable
    let diagnostics: ConfigDiagnostics

    init(root: TOMLTable, diagnostics: ConfigDiagnostics) {
        self.root = root
        self.diagnostics = diagnostics
    }

    func decode() -> OracleConfiguration {
        let top = TableReader(table: root, path: "", section: "", diagnostics: diagnostics)
        let daemon = decodeDaemon(top)
        let aggregation = decodeAggregation(top)
        let margin = decodeMargin(top)
        let sources = decodeSources(top)
        let pairs = decodePairs(top, defaults: aggregation, sources: sources)
        let collateral = decodeCollateral(top, pairs: pairs, currency: margin.currency)
        let store = decodeStore(top)
        let cluster = decodeCluster(top, store: store)
        let vol = decodeVol(top, pairs: pairs, sources: sources)
        top.finish(known: ConfigKeys.topLevel)
        var config = OracleConfiguration(daemon: daemon, sources: sources.specs, pairs: pairs.ordered,
                                         collateral: collateral, margin: margin, store: store)
        config.cluster = cluster
        config.vol = vol
        return config
    }

    /// A reader for a single `[name]` table, or nil when absent (defaults apply) or not a table.
    func sectionReader(_ top: TableReader, _ name: String) -> TableReader? {
        guard let value = top.value(name) else { return nil }
        guard value.type == .table, let table = value.table else {
            top.report(.wrongType, name, "must be a table; write a [\(name)] header followed by its keys")
            return nil
        }
        return TableReader(table: table, path: name, section: "[\(name)]", diagnostics: diagnostics)
    }

    /// The tables of a `[[name]]` array, each with its index; reports a `[name]` written with single brackets.
    func arrayOfTables(_ top: TableReader, _ name: String) -> [(index: Int, table: TOMLTable)] {
        guard let value = top.value(name) else { return [] }
        guard value.type == .array, let array = value.array else {
            top.report(.wrongType, name, "must be an array of tables; write [[\(name)]] (double brackets), once per entry")
            return []
        }
        var tables: [(Int, TOMLTable)] = []
        for index in 0..<array.count {
            let element = array[index]
            guard element.type == .table, let table = element.table else {
                diagnostics.report(.wrongType, path: "\(name)[\(index)]", section: "[[\(name)]] #\(index + 1)", key: "",
                                   "must be a table; write each entry as a [[\(name)]] block")
                continue
            }
            tables.append((index, table))
        }
        return tables
    }
}
