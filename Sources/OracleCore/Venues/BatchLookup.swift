/// The configured symbols of one batch request, found by the names a venue writes in its answer.
///
/// A whole-market answer (Binance without a symbol, KuCoin `allTickers`) carries thousands of
/// entries of which a few are wanted. Each entry's name is hashed on its bytes in place — ASCII
/// letters and digits upper-cased, separators dropped, as `InstrumentGuard` compares — and
/// only a hash hit is confirmed byte by byte; no String is built for an entry nobody asked for.
struct BatchLookup {
    /// Open addressing on the folded-name hash (linear probing, at most half full): slot `j`
    /// holds a key index + 1 (0 = empty) and that key's hash. A flat table rather than a
    /// `[UInt64: [Int32]]`: every entry of a whole-market answer is looked up, and Swift's
    /// seeded hashing plus an array per bucket cost more than the FNV hash itself.
    private var slots: [Int32] = []
    private var slotHashes: [UInt64] = []
    private var mask = 0
    /// The key (venue spelling of the answer's name) of each slot.
    private let keys: [String]
    /// The configured symbol a key answers for (several keys may alias one symbol, e.g. Kraken's
    /// `XBTUSD` and `XXBTZUSD`).
    let symbolIndex: [Int]

    /// `keys[k]` is a name the venue may write for `symbolIndex[k]`.
    init(keys: [String], symbolIndex: [Int]) {
        precondition(keys.count == symbolIndex.count)
        self.keys = keys
        self.symbolIndex = symbolIndex
        var capacity = 8
        while capacity < keys.count * 2 { capacity <<= 1 }
        slots = Array(repeating: 0, count: capacity)
        slotHashes = Array(repeating: 0, count: capacity)
        mask = capacity - 1
        for (k, key) in keys.enumerated() {
            var key = key
            let h = key.withUTF8 { Self.hash($0) }
            var j = Int(truncatingIfNeeded: h) & mask
            while slots[j] != 0 { j = (j + 1) & mask }
            slots[j] = Int32(k + 1)
            slotHashes[j] = h
        }
    }

    /// The wanted symbol's index for an entry name, nil when the entry is not wanted.
    func symbol(for name: UnsafeBufferPointer<UInt8>) -> Int? {
        let h = Self.hash(name)
        var j = Int(truncatingIfNeeded: h) & mask
        // Keys are probed in insertion order for one hash, so the first matching key wins as
        // with the per-hash lists before.
        while j < slots.count, slots[j] != 0 {
            let k = Int(slots[j]) - 1
            // sameInstrument's folded compare treats "" as equal to a name of separators only;
            // an empty key never stands for a real entry.
            if slotHashes[j] == h, !keys[k].isEmpty, InstrumentGuard.sameInstrument(keys[k], name) {
                return symbolIndex[k]
            }
            j = (j + 1) & mask
        }
        return nil
    }

    /// FNV-1a over the folded bytes (upper-case letters and digits; separators skipped).
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for c in bytes {
            guard let u = InstrumentGuard.folded(c) else { continue }
            h = (h ^ UInt64(u)) &* 0x0000_0100_0000_01B3
        }
        return h
    }
}

extension BatchLookup {
    /// Wanted symbols matched by their own spelling (most venues echo the request's symbol,
    /// modulo case and separators: `btcusd` ~ `BTC/USD`, `BTC_USDT` ~ `BTC-USDT`).
    init(symbols: [String]) {
        self.init(keys: symbols, symbolIndex: Array(symbols.indices))
    }

    /// The wanted symbol's index for a name value of the body, nil when it is not a wanted one.
    func symbol(in s: JSONScanner, _ name: JSONSpan?) -> Int? {
        guard let name, name.kind == .string else { return nil }
        if !name.hasEscapes { return symbol(for: s.rawBytes(of: name)) }
        var text = s.text(of: name)
        return text.withUTF8 { symbol(for: $0) }
    }
}
