import OracleCore

/// `[[collateral]]`.
extension ConfigDecoder {
    func decodeCollateral(_ top: TableReader, pairs: DecodedPairs, currency: String) -> [CollateralSpec] {
        var result: [CollateralSpec] = []
        var firstLine: [String: Int] = [:]
        let pairSymbols = pairs.declared.sorted()
        for (index, table) in arrayOfTables(top, "collateral") {
            let rawAsset = table["asset"]?.string
            let section = rawAsset.map { "[[collateral]] \($0)" } ?? "[[collateral]] #\(index + 1)"
            let r = TableReader(table: table, path: "collateral[\(index)]", section: section, diagnostics: diagnostics)
            defer { r.finish(known: ConfigKeys.collateral) }

            var asset: String?
            if let text = r.string("asset", example: "\"BTC\"") {
                if let problem = Self.assetProblem(text) {
                    r.report(.invalidValue, "asset", problem)
                } else if let line = firstLine[text] {
                    r.report(.duplicate, "asset", "duplicate collateral asset \"\(text)\" (first defined on line \(line)); list each asset once")
                } else {
                    firstLine[text] = diagnostics.lines.line(for: r.keyPath("asset")) ?? 0
                    asset = text
                }
            } else if !r.has("asset") {
                r.reportTable(.missingKey, "asset is missing; add asset = \"BTC\" (the asset accounts deposit)")
            }
            let pair = r.string("pair", example: "\"BTC-USD\"")
            let haircut = r.has("haircut") ? r.double("haircut", example: "0.10") : nil
            let haircutOK = haircut.map { r.check("haircut", $0, .rightOpen(0, 1)) } ?? true
            let tiers = readHaircutTiers(r, base: haircut)

            guard let asset else { continue }
            if asset == currency {
                // The margin currency is the unit of account: price 1, no haircut (DESIGN.md).
                if r.has("pair") {
                    r.report(.invalidValue, "pair", "\(asset) is the margin currency and is worth 1 by definition; remove pair")
                    continue
                }
                if r.has("tiers") {
                    r.report(.invalidValue, "tiers", "\(asset) is the margin currency and is taken without haircut; remove tiers")
                    continue
                }
                if let haircut, haircut != 0 {
                    r.report(.invalidValue, "haircut", "\(asset) is the margin currency and is taken without haircut; remove haircut or set it to 0")
                    continue
                }
                result.append(CollateralSpec(asset: asset, pair: nil, haircut: 0))
                continue
            }
            if !r.has("haircut") {
                r.reportTable(.missingKey, "haircut is missing; add haircut = 0.10 (the fraction of value not counted, in [0, 1))")
            }
            guard let pair else {
                if !r.has("pair") {
                    r.reportTable(.missingKey, "pair is missing; add pair = \"\(asset)-\(currency)\" (the pair whose mark prices \(asset))")
                }
                continue
            }
            guard pairs.declared.contains(pair) else {
                let hint = KeySuggestion.closest(to: pair, in: pairSymbols, maxDistance: 1).map { "did you mean \"\($0)\"? " } ?? ""
                r.report(.unknownReference, "pair", "unknown pair \"\(pair)\"; \(hint)define a [[pair]] with that symbol or fix the spelling")
                continue
            }
            let parts = pair.split(separator: "-").map(String.init)
            guard parts.first == asset else {
                r.report(.invalidValue, "pair", "\(pair) prices \(parts.first ?? pair), not \(asset); use \"\(asset)-\(currency)\"")
                continue
            }
            guard parts.last == currency else {
                r.report(.invalidValue, "pair", "\(pair) is quoted in \(parts.last ?? "?") but the margin currency is \(currency); use \"\(asset)-\(currency)\"")
                continue
            }
            guard let haircut, haircutOK, let tiers else { continue }
            result.append(CollateralSpec(asset: asset, pair: pair, haircut: haircut, tiers: tiers))
        }
        if !result.contains(where: { $0.asset == currency }) && firstLine[currency] == nil {
            result.insert(CollateralSpec(asset: currency, pair: nil, haircut: 0), at: 0)
        }
        return result
    }

    /// `tiers = [{ from_value = 1000000, haircut = 0.20 }, …]`: marginal haircuts by value (margin
    /// currency), ascending in value and never lower than the tier below. nil when any tier is invalid.
    private func readHaircutTiers(_ r: TableReader, base: Double?) -> [HaircutTier]? {
        guard let array = r.array("tiers", example: "[{ from_value = 1000000, haircut = 0.20 }]") else { return [] }
        var tiers: [HaircutTier] = []
        var ok = true
        var previous = HaircutTier(fromValue: 0, haircut: base ?? 0)
        for n in 0..<array.count {
            guard array[n].type == .table, let table = array[n].table else {
                diagnostics.report(.wrongType, path: r.keyPath("tiers[\(n)]"), section: r.section, key: "tiers[\(n)]",
                                   "must be an inline table { from_value = ..., haircut = ... }")
                ok = false
                continue
            }
            let t = r.nested(table, pathSuffix: ".tiers[\(n)]", keyPrefix: "tiers[\(n)].")
            defer { t.finish(known: ConfigKeys.haircutTier) }
            if !t.has("from_value") { t.reportTable(.missingKey, "from_value is missing; add the value (in the margin currency) above which this haircut applies") }
            if !t.has("haircut") { t.reportTable(.missingKey, "haircut is missing; add haircut = 0.20 (the fraction of this slice of value not counted)") }
            guard let from = t.has("from_value") ? t.double("from_value", example: "1000000") : nil,
                  let h = t.has("haircut") ? t.double("haircut", example: "0.20") : nil else { ok = false; continue }
            guard t.check("from_value", from, .positive), t.check("haircut", h, .rightOpen(0, 1)) else { ok = false; continue }
            if from <= previous.fromValue {
                t.report(.invalidValue, "from_value", "tiers must be in ascending from_value; \(TableReader.format(from)) does not exceed \(TableReader.format(previous.fromValue))")
                ok = false
            } else if h < previous.haircut {
                t.report(.invalidValue, "haircut", "a larger tier must not take a lower haircut than the one below it (\(TableReader.format(previous.haircut))); raise this tier's haircut")
                ok = false
            }
            let tier = HaircutTier(fromValue: from, haircut: h)
            tiers.append(tier)
            previous = tier
        }
        return ok ? tiers : nil
    }
}
