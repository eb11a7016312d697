import ArgumentParser

/// A canonical `BASE-QUOTE` pair symbol from the command line (case-insensitive, stored upper case),
/// so a typo like `BTCUSD` is caught before any request is sent.
struct PairSymbol: ExpressibleByArgument, CustomStringConvertible {
    let value: String

    init?(argument: String) {
        let upper = argument.uppercased()
        let parts = upper.split(separator: "-", omittingEmptySubsequences: false)
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.")
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(allowed.contains) }) else { return nil }
        value = upper
    }

    var description: String { value }

    static var defaultCompletionKind: CompletionKind { .default }
}
