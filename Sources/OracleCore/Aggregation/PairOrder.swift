/// The order in which pairs must be aggregated so that every `convert` pair is priced before
/// the pairs that multiply by it within the same cycle.
///
/// A depth-first topological sort that keeps configuration order wherever dependencies allow,
/// so the order is deterministic and unsurprising. A cycle would leave some pair without a
/// same-cycle rate forever; it is reported with its path so the operator sees which converts
/// to break.
enum PairOrder {
    /// Indices into `pairs`, dependencies first.
    static func dependencyOrder(_ pairs: [PairSpec]) throws(MarkEngineError) -> [Int] {
        var index: [String: Int] = [:]
        for (i, p) in pairs.enumerated() {
            if index[p.symbol] != nil {
                throw MarkEngineError(.duplicatePair,
                    "pair \(p.symbol) is configured twice; keep one [[pair]] per symbol")
            }
            index[p.symbol] = i
        }
        // Resolve every convert first so an unknown name is reported as such, not as a cycle.
        var deps = [[Int]](repeating: [], count: pairs.count)
        for (i, p) in pairs.enumerated() {
            for s in p.sources {
                guard let convert = s.convert else { continue }
                guard let j = index[convert] else {
                    throw MarkEngineError(.unknownConvertPair,
                        "pair \(p.symbol), source \(s.source): convert = \"\(convert)\" names no configured pair; "
                        + "add a [[pair]] with symbol = \"\(convert)\" or remove convert")
                }
                deps[i].append(j)
            }
        }

        enum VisitState { case unvisited, inProgress, done }
        var state = [VisitState](repeating: .unvisited, count: pairs.count)
        var order: [Int] = []
        order.reserveCapacity(pairs.count)
        // Iterative DFS (no recursion depth limit on long convert chains): stack of (pair, next dep).
        for root in pairs.indices where state[root] == .unvisited {
            var stack: [(node: Int, next: Int)] = [(root, 0)]
            state[root] = .inProgress
            while let top = stack.last {
                if top.next < deps[top.node].count {
                    stack[stack.count - 1].next += 1
                    let d = deps[top.node][top.next]
                    switch state[d] {
                    case .done:
                        continue
                    case .inProgress:
                        var path = stack.map { pairs[$0.node].symbol }
                        if let start = path.firstIndex(of: pairs[d].symbol) { path.removeFirst(start) }
                        path.append(pairs[d].symbol)
                        throw MarkEngineError(.convertCycle,
                            "convert cycle: \(path.joined(separator: " → ")); a pair cannot be priced through "
                            + "itself, remove one of these convert settings")
                    case .unvisited:
                        state[d] = .inProgress
                        stack.append((d, 0))
                    }
                } else {
                    state[top.node] = .done
                    order.append(top.node)
                    stack.removeLast()
                }
            }
        }
        return order
    }
}
