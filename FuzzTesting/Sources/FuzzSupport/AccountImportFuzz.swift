import Foundation
import OracleCore

/// The account/NDJSON import as `POST /v1/accounts/import` runs it, minus the database.
///
/// Lines are split exactly as `MarginDesk.importAccounts` splits them (blank lines skipped, a
/// missing final newline fine) and each is decoded with `AccountJSON.decode` against a universe
/// mirroring demo/oracles.demo.toml. Every account that decodes must survive
/// `encode` → `decode` unchanged: that is what the store writes and reads back.
public enum AccountImportFuzz {
    /// The API's read-only keys a client may echo back (MarginDesk.readOnlyKeys).
    static let readOnlyKeys: Set<String> = ["equity", "ratio", "level", "since", "deadline", "maintenance_requirement",
                                            "initial_requirement", "deficit", "top_up", "components", "risk", "priced",
                                            "unpriced_reason", "hold", "currency", "last_notice", "account", "marks"]

    /// Margin currency USD; collateral and pairs as in demo/oracles.demo.toml.
    public static let universe: MarginUniverse = {
        let pairs = ["USDT-USD", "USDC-USD", "BTC-USD", "ETH-USD", "SOL-USD"].map {
            PairSpec(symbol: $0, sources: [], policy: AggregationPolicy())
        }
        let collateral = [CollateralSpec(asset: "USD", pair: nil, haircut: 0),
                          CollateralSpec(asset: "USDC", pair: "USDC-USD", haircut: 0.02),
                          CollateralSpec(asset: "USDT", pair: "USDT-USD", haircut: 0.05),
                          CollateralSpec(asset: "BTC", pair: "BTC-USD", haircut: 0.10),
                          CollateralSpec(asset: "ETH", pair: "ETH-USD", haircut: 0.15),
                          CollateralSpec(asset: "SOL", pair: "SOL-USD", haircut: 0.25)]
        return MarginUniverse(policy: MarginPolicy(), collateral: collateral, pairs: pairs)
    }()

    /// Imports `bytes`; returns the number of accounts or the first error's text.
    @discardableResult
    public static func run(_ bytes: [UInt8]) -> Result<Int, AccountError> {
        var count = 0
        var start = 0
        while start <= bytes.count {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            let line = bytes[start..<end]
            start = end + 1
            if line.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { if end == bytes.count { break } else { continue } }
            do throws(AccountError) {
                let account = try AccountJSON.decode(Data(line), universe: universe, ignoring: readOnlyKeys)
                let text = AccountJSON.encode(account)
                let again: Account
                do throws(AccountError) {
                    again = try AccountJSON.decode(text, universe: universe)
                } catch {
                    preconditionFailure("encoded account does not decode: \(error) — \(text)")
                }
                precondition(again == account, "account changed in an encode/decode round trip: \(text)")
                count += 1
            } catch {
                _ = error.description
                return .failure(error)
            }
            if end == bytes.count { break }
        }
        return .success(count)
    }
}
