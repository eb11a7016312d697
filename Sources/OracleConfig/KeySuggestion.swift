/// "Did you mean …?" for unknown keys and names: the closest candidate by edit distance.
enum KeySuggestion {
    /// The candidate within a small edit distance of `word` (or with the same spelling but a
    /// different case / `-` vs `_`), or nil when nothing is close enough to be a typo.
    /// `maxDistance` caps the edit distance for short, dense vocabularies such as pair symbols,
    /// where two edits turn ETH-USD into BTC-USD.
    static func closest(to word: String, in candidates: [String], maxDistance: Int = 3) -> String? {
        let normalized = normalize(word)
        if let same = candidates.first(where: { normalize($0) == normalized }) { return same }
        let limit = min(maxDistance, word.count <= 4 ? 1 : (word.count <= 8 ? 2 : 3))
        var best: (String, Int)?
        for candidate in candidates {
            let d = distance(normalized, normalize(candidate))
            if d <= limit, d < (best?.1 ?? Int.max) { best = (candidate, d) }
        }
        return best?.0
    }

    private static func normalize(_ s: String) -> String {
        String(s.lowercased().map { $0 == "-" ? "_" : $0 })
    }

    /// Levenshtein distance over characters; inputs are short keys, so O(n·m) is fine.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
