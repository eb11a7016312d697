import OracleCore
import TOMLKit

/// `[[pair]]`: symbols, margins, sources and their cross rates, aggregation overrides, risk inputs.
extension ConfigDecoder {
    struct DecodedPairs {
        /// Valid pairs in dependency order.
        var ordered: [PairSpec] = []
        /// Every well-formed symbol declared, valid pair or not (for reference checks).
        var declared: Set<String> = []
    }

    /// A `convert` awaiting the check that its pair exists (all pairs must be read first).
    private struct PendingConvert {
        /// The pair's symbol, empty when the symbol itself was invalid.
        var pair: String
        var target: String
        var reader: TableReader
        var key: String
    }

    func decodePairs(_ top: TableReader, defaults: AggregationPolicy, sources: DecodedSources) -> DecodedPairs {
        var result = DecodedPairs()
        let tables = arrayOfTables(top, "pair")
        if tables.isEmpty && !top.has("pair") {
            diagnostics.report(.missingKey, path: "", section: "", key: "pair",
                               "no [[pair]] defined; add a [[pair]] block with symbol, margins and sources")
        }
        var specs: [String: PairSpec] = [:]
        var fileOrder: [String] = []
        var firstLine: [String: Int] = [:]
        var pending: [PendingConvert] = []

        for (index, table) in tables {
            let rawSymbol = table["symbol"]?.string
            let section = rawSymbol.map { "[[pair]] \($0)" } ?? "[[pair]] #\(index + 1)"
            let r = TableReader(table: table, path: "pair[\(index)]", section: section, diagnostics: diagnostics)

            var symbol: String?
            if let text = r.string("symbol", example: "\"BTC-USD\"") {
                if let problem = Self.pairSymbolProblem(text) {
                    r.report(.invalidValue, "symbol", problem)
                } else if let line = firstLine[text] {
                    r.report(.duplicate, "symbol", "duplicate pair \"\(text)\" (first defined on line \(line)); define each pair once")
                } else {
                    firstLine[text] = diagnostics.lines.line(for: r.keyPath("symbol")) ?? 0
                    result.declared.insert(text)
                    symbol = text
                }
            } else if !r.has("symbol") {
                r.reportTable(.missingKey, "symbol is missing; add symbol = \"BASE-QUOTE\", e.g. \"BTC-USD\"")
            }

            let margins = readMargins(r)
            let pairSources = readPairSources(r, sources: sources)
            for (n, convert) in pairSources.converts {
                pending.append(PendingConvert(pair: symbol ?? "", target: convert,
                                              reader: r, key: "sources[\(n)].convert"))
            }
            let policy = readAggregation(r, defaults: defaults)
            if let list = pairSources.list, policy.minSources > list.count {
                let key = r.has("min_sources") ? "min_sources" : "sources"
                r.report(.invalidValue, key, "\(list.count) source\(list.count == 1 ? "" : "s") listed but min_sources = \(policy.minSources) "
                         + "must be usable for an ok mark, so it could never be ok; add sources or set min_sources = \(list.count) for this pair")
            }
            let risk = readRisk(r, margins: margins)
            r.finish(known: ConfigKeys.pair)
            // In the convert graph even when invalid otherwise, so a loop is reported in the same run.
            if let symbol { fileOrder.append(symbol) }

            guard let symbol, let margins, let list = pairSources.list, let risk else { continue }
            specs[symbol] = PairSpec(symbol: symbol, sources: list, policy: policy,
                                     maintenanceMargin: margins.maintenance, initialMargin: margins.initial, risk: risk)
        }

        // Cross-references: each convert names a declared pair quoted in the same currency.
        var dependencies: [String: [String]] = Dictionary(uniqueKeysWithValues: fileOrder.map { ($0, []) })
        var convertKey: [String: [String: (TableReader, String)]] = [:]
        for item in pending {
            guard Self.pairSymbolProblem(item.target) == nil else {
                item.reader.report(.invalidValue, item.key, "\"\(item.target)\" is not a pair symbol; name a [[pair]] as BASE-QUOTE, e.g. convert = \"USDT-USD\"")
                continue
            }
            guard result.declared.contains(item.target) else {
                let hint = KeySuggestion.closest(to: item.target, in: Array(result.declared).sorted(), maxDistance: 1).map { "did you mean \"\($0)\"? " } ?? ""
                item.reader.report(.unknownReference, item.key, "unknown pair \"\(item.target)\"; \(hint)define a [[pair]] with that symbol or fix the spelling")
                continue
            }
            let ownQuote = item.pair.split(separator: "-").last.map(String.init) ?? ""
            let targetQuote = item.target.split(separator: "-").last.map(String.init) ?? ""
            if !item.pair.isEmpty && ownQuote != targetQuote {
                item.reader.report(.invalidValue, item.key, "convert = \"\(item.target)\" turns prices into \(targetQuote), but \(item.pair) is quoted in \(ownQuote); "
                                   + "convert through a pair quoted in \(ownQuote), e.g. \"USDT-\(ownQuote)\"")
                continue
            }
            if !item.pair.isEmpty {
                dependencies[item.pair, default: []].append(item.target)
                if convertKey[item.pair]?[item.target] == nil { convertKey[item.pair, default: [:]][item.target] = (item.reader, item.key) }
            }
        }

        let graph = PairGraph(symbols: fileOrder, dependencies: dependencies)
        for loop in graph.cycles() {
            let spelled = loop.joined(separator: " → ")
            let first = loop[0], next = loop.count > 1 ? loop[1] : loop[0]
            let message = loop.count == 2
                ? "convert cycle \(spelled): a pair cannot convert through itself; quote this source in \(first.split(separator: "-").last.map(String.init) ?? "the quote currency") directly or drop the convert"
                : "convert cycle \(spelled): each pair needs the other's mark first, so none can ever be computed; "
                    + "quote one of these pairs from venues in its own quote currency (drop one convert)"
            if let (reader, key) = convertKey[first]?[next] {
                reader.report(.cycle, key, message)
            } else {
                diagnostics.report(.cycle, path: "pair", section: "[[pair]] \(first)", key: "sources", message)
            }
        }
        result.ordered = graph.dependencyOrder().compactMap { specs[$0] }
        return result
    }

    /// Why `text` is not a canonical `BASE-QUOTE` symbol, or nil when it is.
    static func pairSymbolProblem(_ text: String) -> String? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        let isCode: (Substring) -> Bool = { !$0.isEmpty && $0.allSatisfy { $0.isASCII && ($0.isUppercase || $0.isNumber) } }
        if parts.count == 2 && parts.allSatisfy(isCode) { return nil }
        let upper = text.uppercased().replacingSeparators()
        let upperParts = upper.split(separator: "-", omittingEmptySubsequences: false)
        let hint = upperParts.count == 2 && upperParts.allSatisfy(isCode) ? "write \"\(upper)\"" : "write e.g. \"BTC-USD\""
        return "\"\(text)\" is not a pair symbol: use BASE-QUOTE in upper case; \(hint)"
    }

    // MARK: Margins and risk

    private struct Margins { var maintenance: Double; var initial: Double }

    /// `maintenance_margin` and `initial_margin`: fractions of notional in (0, 1], initial ≥ maintenance.
    private func readMargins(_ r: TableReader) -> Margins? {
        let maintenance = requiredFraction(r, "maintenance_margin", example: "0.05")
        let initial = requiredFraction(r, "initial_margin", example: "0.10")
        guard let maintenance, let initial else { return nil }
        guard initial >= maintenance else {
            r.report(.invalidValue, "initial_margin", "initial_margin = \(TableReader.format(initial)) is below maintenance_margin = \(TableReader.format(maintenance)); "
                     + "opening a position must need at least the margin that keeps it open")
            return nil
        }
        return Margins(maintenance: maintenance, initial: initial)
    }

    private func requiredFraction(_ r: TableReader, _ key: String, example: String) -> Double? {
        guard r.has(key) else {
            r.reportTable(.missingKey, "\(key) is missing; add \(key) = \(example) (a fraction of notional)")
            return nil
        }
        guard let value = r.double(key, example: example) else { return nil }
        return r.check(key, value, .leftOpen(0, 1)) ? value : nil
    }

    private func readRisk(_ r: TableReader, margins: Margins?) -> PairRiskSpec? {
        var risk = PairRiskSpec()
        var ok = true
        if let adv = r.double("adv", example: "25000") {
            if r.check("adv", adv, .positive) { risk.adv = adv } else { ok = false }
        }
        risk.spreadBps = r.double("spread_bps", default: risk.spreadBps, .nonNegative)
        risk.impactBps = r.double("impact_bps", default: risk.impactBps, .nonNegative)
        if let array = r.array("tiers", example: "[{ from_notional = 1000000, maintenance_margin = 0.075, initial_margin = 0.15 }]") {
            var tiers: [MarginTier] = []
            var previous = margins.map { MarginTier(fromNotional: 0, maintenanceMargin: $0.maintenance, initialMargin: $0.initial) }
            for n in 0..<array.count {
                let element = array[n]
                guard element.type == .table, let table = element.table else {
                    diagnostics.report(.wrongType, path: r.keyPath("tiers[\(n)]"), section: r.section, key: "tiers[\(n)]",
                                       "must be an inline table { from_notional = ..., maintenance_margin = ..., initial_margin = ... }")
                    ok = false
                    continue
                }
                let t = r.nested(table, pathSuffix: ".tiers[\(n)]", keyPrefix: "tiers[\(n)].")
                let from = t.has("from_notional") ? t.double("from_notional", example: "1000000") : nil
                if !t.has("from_notional") {
                    t.reportTable(.missingKey, "from_notional is missing; add the notional (in the margin currency) above which this tier applies")
                }
                let tierMargins = readMargins(t)
                t.finish(known: ConfigKeys.tier)
                guard let from, let tierMargins else { ok = false; continue }
                guard t.check("from_notional", from, .positive) else { ok = false; continue }
                let tier = MarginTier(fromNotional: from, maintenanceMargin: tierMargins.maintenance, initialMargin: tierMargins.initial)
                if let previous, from <= previous.fromNotional {
                    t.report(.invalidValue, "from_notional", "tiers must be in ascending from_notional; \(TableReader.format(from)) does not exceed the previous \(TableReader.format(previous.fromNotional))")
                    ok = false
                } else if let previous, tier.maintenanceMargin < previous.maintenanceMargin || tier.initialMargin < previous.initialMargin {
                    t.report(.invalidValue, "maintenance_margin", "a larger tier must not charge lower rates than the one below it "
                             + "(\(TableReader.format(previous.maintenanceMargin)) / \(TableReader.format(previous.initialMargin))); raise this tier's margins")
                    ok = false
                }
                tiers.append(tier)
                previous = tier
            }
            risk.tiers = tiers
        }
        return ok ? risk : nil
    }

    // MARK: Sources of a pair

    private struct PairSources {
        /// nil when the list itself was missing or any entry was invalid.
        var list: [PairSourceSpec]?
        /// (entry index, convert target) for every entry that names a convert.
        var converts: [(Int, String)] = []
    }

    private func readPairSources(_ r: TableReader, sources: DecodedSources) -> PairSources {
        var result = PairSources()
        guard r.has("sources") else {
            r.reportTable(.missingKey, "sources is missing; add sources = [ { source = \"coinbase\", symbol = \"BTC-USD\" }, ... ]")
            return result
        }
        guard let array = r.array("sources", example: "[ { source = \"coinbase\", symbol = \"BTC-USD\" } ]") else { return result }
        guard array.count > 0 else {
            r.report(.invalidValue, "sources", "is empty; list at least one { source = ..., symbol = ... }")
            return result
        }
        var list: [PairSourceSpec] = []
        var ok = true
        var usedSources: [String: Int] = [:]
        for n in 0..<array.count {
            let element = array[n]
            let key = "sources[\(n)]"
            guard element.type == .table, let table = element.table else {
                diagnostics.report(.wrongType, path: r.keyPath(key), section: r.section, key: key,
                                   "must be an inline table { source = \"...\", symbol = \"...\" }")
                ok = false
                continue
            }
            let e = r.nested(table, pathSuffix: ".sources[\(n)]", keyPrefix: "\(key).")
            let sourceName = e.string("source", example: "\"coinbase\"")
            if !e.has("source") { e.reportTable(.missingKey, "source is missing; add source = \"<name of a [[source]]>\"") }
            let venueSymbol = e.string("symbol", example: "\"BTC-USD\"")
            if !e.has("symbol") { e.reportTable(.missingKey, "symbol is missing; add the venue's own spelling, e.g. symbol = \"XBTUSD\"") }
            let convert = e.string("convert", example: "\"USDT-USD\"")
            e.finish(known: ConfigKeys.pairSource)

            var entryOK = sourceName != nil && venueSymbol != nil && (convert != nil || !e.has("convert"))
            if let sourceName {
                if let kind = sources.declared[sourceName] {
                    if let previous = usedSources[sourceName] {
                        e.report(.duplicate, "source", "source \"\(sourceName)\" is already used by sources[\(previous)]; "
                                 + "a venue counts once toward the quorum, so list it once per pair")
                        entryOK = false
                    } else {
                        usedSources[sourceName] = n
                    }
                    if let kind, let venueSymbol, let problem = Self.venueSymbolProblem(venueSymbol, kind: kind) {
                        e.report(.invalidValue, "symbol", problem)
                        entryOK = false
                    }
                } else {
                    let hint = KeySuggestion.closest(to: sourceName, in: sources.names, maxDistance: 2).map { "did you mean \"\($0)\"? " } ?? ""
                    e.report(.unknownReference, "source", "unknown source \"\(sourceName)\"; \(hint)define a [[source]] with that name or fix the spelling")
                    entryOK = false
                }
            }
            if let venueSymbol, venueSymbol.isEmpty || venueSymbol.contains(where: \.isWhitespace) {
                e.report(.invalidValue, "symbol", "\"\(venueSymbol)\" is not a venue symbol; write the venue's own spelling, e.g. \"BTCUSDT\"")
                entryOK = false
            }
            if let convert { result.converts.append((n, convert)) }
            guard entryOK, let sourceName, let venueSymbol else { ok = false; continue }
            list.append(PairSourceSpec(source: sourceName, symbol: venueSymbol, convert: convert))
        }
        result.list = ok ? list : nil
        return result
    }

    /// Venue-specific symbol shapes that are cheap to check and easy to get wrong.
    static func venueSymbolProblem(_ symbol: String, kind: VenueKind) -> String? {
        switch kind {
        case .pyth:
            let hex = symbol.hasPrefix("0x") ? symbol.dropFirst(2) : Substring(symbol)
            if hex.count != 64 || !hex.allSatisfy(\.isHexDigit) {
                return "\"\(symbol)\" is not a Pyth feed id; write the 64-hex-digit id from pyth.network/developers/price-feed-ids"
            }
        case .coingecko:
            let parts = symbol.split(separator: "/", omittingEmptySubsequences: false)
            if parts.count != 2 || parts.contains(where: \.isEmpty) {
                return "\"\(symbol)\" is not a CoinGecko symbol; write coin id and currency, e.g. \"bitcoin/usd\""
            }
        default:
            break
        }
        return nil
    }
}

extension String {
    /// `btc/usd`, `BTC_USD` → `BTC-USD` for the "write this instead" hint.
    fileprivate func replacingSeparators() -> String {
        String(map { $0 == "/" || $0 == "_" ? "-" : $0 })
    }
}
