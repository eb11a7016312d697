/// The `convert` relation between pairs: BTC-USD depends on USDT-USD when one of its sources
/// converts through it.
///
/// Marks are computed in one pass per cycle, so a pair's cross rates must be computed before
/// the pair itself: the configuration stores pairs in `dependencyOrder()`, and a loop
/// (A needs B needs A) is a configuration error because neither mark could ever be computed.
struct PairGraph: Sendable {
    /// Pair symbols in file order.
    let symbols: [String]
    /// Symbol → the pairs it converts through, in file order, without duplicates.
    let dependencies: [String: [String]]

    init(symbols: [String], dependencies: [String: [String]]) {
        self.symbols = symbols
        var unique: [String: [String]] = [:]
        for (symbol, deps) in dependencies {
            var seen: Set<String> = []
            unique[symbol] = deps.filter { seen.insert($0).inserted }
        }
        self.dependencies = unique
    }

    /// Every distinct loop, each spelled from its first member in file order back to itself,
    /// e.g. `["BTC-USD", "USDT-USD", "BTC-USD"]`.
    func cycles() -> [[String]] {
        let position = Dictionary(symbols.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        var state: [String: Int] = [:]   // absent: unvisited, 1: on the stack, 2: done
        var stack: [String] = []
        var found: [[String]] = []
        var seenSets: Set<[String]> = []

        func visit(_ node: String) {
            state[node] = 1
            stack.append(node)
            for next in dependencies[node] ?? [] {
                switch state[next] {
                case nil:
                    visit(next)
                case 1:
                    guard let start = stack.lastIndex(of: next) else { continue }
                    var loop = Array(stack[start...])
                    // Rotate so the loop starts at its earliest-defined member: stable messages.
                    if let first = loop.indices.min(by: { (position[loop[$0]] ?? .max) < (position[loop[$1]] ?? .max) }) {
                        loop = Array(loop[first...] + loop[..<first])
                    }
                    if seenSets.insert(loop.sorted()).inserted {
                        found.append(loop + [loop[0]])
                    }
                default:
                    continue
                }
            }
            stack.removeLast()
            state[node] = 2
        }
        for symbol in symbols where state[symbol] == nil { visit(symbol) }
        return found
    }

    /// Symbols with every pair after the pairs it converts through, otherwise in file order.
    /// Edges that close a loop are ignored (such a configuration is rejected anyway).
    func dependencyOrder() -> [String] {
        var state: [String: Int] = [:]
        var order: [String] = []
        func visit(_ node: String) {
            state[node] = 1
            for next in dependencies[node] ?? [] where state[next] == nil && dependencies[next] != nil {
                visit(next)
            }
            state[node] = 2
            order.append(node)
        }
        for symbol in symbols where state[symbol] == nil { visit(symbol) }
        return order
    }
}
