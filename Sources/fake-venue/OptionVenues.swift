import Foundation

/// Option implied-volatility endpoints of the fake venue (Deribit book summary and DVOL, OKX
/// opt-summary, Bybit option tickers), with smiles drawn from one configurable SVI.
///
/// The smile is SVI in total variance per year, scaled by T: w(k, T) = T·(a + b(ρ(k − m) +
/// √((k − m)² + σ²))), so the surface is free of calendar arbitrage by construction and its
/// implied vol at k is √(w/T) for every expiry. `/_control/vol` sets the parameters, a `spike`
/// factor on every vol (a volatility spike), and an `outlier` venue whose vols are shifted by
/// `bump`; `fail=<venue>` makes a venue answer 503 (`fail=none` clears it).
final class FakeVolState: @unchecked Sendable {
    // @unchecked: every field is read and written under `lock`.
    static let shared = FakeVolState()
    private let lock = NSLock()
    var a = 0.16, b = 0.2, rho = -0.3, m = 0.0, sigma = 0.2
    var spike = 1.0
    var outlier: String?
    var bump = 0.2
    var failing: String?

    /// Implied vol (fraction) at log-moneyness k for `venue`. Times 1 + 3e-4 in odd ten-second
    /// windows, so marks keep moving (a venue repeating one number for 10 minutes is `frozen`).
    func vol(k: Double, venue: String, nowMs: Int64) -> Double {
        lock.withLock {
            let x = k - m
            let perYear = a + b * (rho * x + (x * x + sigma * sigma).squareRoot())
            var v = perYear.squareRoot() * spike * ((nowMs / 10_000) % 2 == 1 ? 1.0003 : 1)
            if venue == outlier { v += bump }
            return v
        }
    }

    func isFailing(_ venue: String) -> Bool { lock.withLock { failing == venue } }

    func control(_ q: [String: String]) -> (Int, String) {
        lock.withLock {
            for (key, value) in q {
                switch key {
                case "outlier": outlier = value == "none" || value.isEmpty ? nil : value
                case "fail": failing = value == "none" || value.isEmpty ? nil : value
                default:
                    guard let d = Double(value), d.isFinite else { return (400, #"{"error":"\#(key) must be a number"}"#) }
                    switch key {
                    case "a": a = d
                    case "b": b = d
                    case "rho": rho = d
                    case "m": m = d
                    case "sigma": sigma = d
                    case "spike": spike = d
                    case "bump": bump = d
                    default: return (400, #"{"error":"unknown key \#(key); use a,b,rho,m,sigma,spike,outlier,bump,fail"}"#)
                    }
                }
            }
            return (200, #"{"ok":true,"a":\#(a),"b":\#(b),"rho":\#(rho),"m":\#(m),"sigma":\#(sigma),"spike":\#(spike),"outlier":"\#(outlier ?? "none")","bump":\#(bump)}"#)
        }
    }
}

enum OptionVenues {
    static let months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    /// Days ahead of today (08:00 UTC) of the listed expiries.
    static let expiryDays = [7, 35, 91]
    static let strikeFactors = [0.6, 0.7, 0.8, 0.9, 0.95, 1.0, 1.05, 1.1, 1.2, 1.3, 1.5]

    struct Listing { var expiryMs: Int64; var day: Int; var month: Int; var year: Int; var strike: Int }

    /// Answers an option route, or nil when `uri` is not one (the caller goes on to the price routes).
    static func answer(uri: String, spot: (String) -> Double?, nowMs: Int64) -> (Int, String)? {
        guard let comps = URLComponents(string: "http://x" + uri) else { return nil }
        let q = Dictionary((comps.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { a, _ in a })
        let venue: String
        let base: String
        switch comps.path {
        case "/deribit/api/v2/public/get_book_summary_by_currency", "/deribit/api/v2/public/get_volatility_index_data":
            venue = "deribit"; base = q["currency"] ?? ""
        case "/okx/api/v5/public/opt-summary":
            venue = "okx"; base = String((q["uly"] ?? "").split(separator: "-").first ?? "")
        case "/bybit/v5/market/tickers" where q["category"] == "option":
            venue = "bybit"; base = q["baseCoin"] ?? ""
        default:
            return nil
        }
        let state = FakeVolState.shared
        if state.isFailing(venue) { return (503, "<html>Service Unavailable</html>") }
        guard let s = spot(base + "-USD") else {
            switch venue {
            case "deribit": return (400, #"{"jsonrpc":"2.0","error":{"message":"Invalid params","data":{"reason":"wrong format","param":"currency"},"code":-32602}}"#)
            case "okx": return (200, #"{"code":"51000","msg":"Parameter uly error","data":[]}"#)
            default: return (200, #"{"retCode":10001,"retMsg":"params error: baseCoin invalid","result":{},"time":\#(nowMs)}"#)
            }
        }
        if comps.path.hasSuffix("get_volatility_index_data") {
            let dvol = state.vol(k: 0, venue: venue, nowMs: nowMs) * 100
            let t = nowMs - nowMs % 60_000
            return (200, #"{"jsonrpc":"2.0","result":{"data":[[\#(t - 60_000),\#(dvol),\#(dvol),\#(dvol),\#(dvol)],[\#(t),\#(dvol),\#(dvol),\#(dvol),\#(dvol)]],"continuation":null},"testnet":false}"#)
        }
        let listings = self.listings(spot: s, nowMs: nowMs)
        var entries: [String] = []
        for l in listings {
            let k = log(Double(l.strike) / s)
            let iv = state.vol(k: k, venue: venue, nowMs: nowMs)
            for right in ["C", "P"] {
                switch venue {
                case "deribit":
                    let name = "\(base)-\(l.day)\(months[l.month - 1])\(String(format: "%02d", l.year % 100))-\(l.strike)-\(right)"
                    entries.append(#"{"instrument_name":"\#(name)","mark_iv":\#(String(format: "%.2f", iv * 100)),"underlying_price":\#(s),"creation_timestamp":\#(nowMs),"bid_iv":null,"ask_iv":null,"quote_currency":"BTC","base_currency":"\#(base)"}"#)
                case "okx":
                    let name = "\(base)-USD-\(String(format: "%02d%02d%02d", l.year % 100, l.month, l.day))-\(l.strike)-\(right)"
                    entries.append(#"{"instType":"OPTION","instId":"\#(name)","uly":"\#(base)-USD","markVol":"\#(String(format: "%.6f", iv))","bidVol":"","askVol":"","fwdPx":"\#(s)","ts":"\#(nowMs)"}"#)
                default:
                    let name = "\(base)-\(l.day)\(months[l.month - 1])\(String(format: "%02d", l.year % 100))-\(l.strike)-\(right)"
                    entries.append(#"{"symbol":"\#(name)","markIv":"\#(String(format: "%.4f", iv))","bid1Iv":"0","ask1Iv":"0","underlyingPrice":"\#(s)","indexPrice":"\#(s)"}"#)
                }
            }
        }
        let list = entries.joined(separator: ",")
        switch venue {
        case "deribit": return (200, #"{"jsonrpc":"2.0","result":[\#(list)],"usIn":\#(nowMs * 1000),"testnet":false}"#)
        case "okx": return (200, #"{"code":"0","msg":"","data":[\#(list)]}"#)
        default: return (200, #"{"retCode":0,"retMsg":"SUCCESS","result":{"category":"option","list":[\#(list)]},"retExtInfo":{},"time":\#(nowMs)}"#)
        }
    }

    static func listings(spot: Double, nowMs: Int64) -> [Listing] {
        let dayMs: Int64 = 86_400_000
        let today = nowMs - nowMs % dayMs
        var out: [Listing] = []
        for d in expiryDays {
            let expiry = today + Int64(d) * dayMs + 8 * 3_600_000
            let date = Date(timeIntervalSince1970: Double(expiry) / 1000)
            var cal = Calendar(identifier: .gregorian)
            cal.timeZone = TimeZone(identifier: "UTC")!
            let c = cal.dateComponents([.year, .month, .day], from: date)
            let step = spot >= 10_000 ? 1_000.0 : (spot >= 100 ? 10.0 : 1.0)
            for f in strikeFactors {
                let k = Int((spot * f / step).rounded() * step)
                guard k > 0, !out.contains(where: { $0.expiryMs == expiry && $0.strike == k }) else { continue }
                out.append(Listing(expiryMs: expiry, day: c.day ?? 1, month: c.month ?? 1, year: c.year ?? 2000, strike: k))
            }
        }
        return out
    }
}
