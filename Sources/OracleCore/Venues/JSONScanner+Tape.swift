/// The member tape: a flat record of every value `document()` validated, so lookups walk
/// precomputed entries instead of re-scanning bytes (validate-then-lookup scanned most of a
/// body twice; the tape makes the lookup side nearly free).
///
/// Entry layout (`tapeWidth` Int32s): key start (-1 when the value is an array element or
/// the root), value start, value end (as in `JSONSpan`), and a packed word: `skip` (the index
/// just past the entry's subtree, i.e. its next sibling) in bits 0–7, flags in bits 8–15
/// (kind raw value | key-escaped << 3 | value-escaped << 4) and the key length in bits 16–30.
/// A container's children follow it directly; entries are in body order, so value starts
/// increase strictly and a container's entry is found by binary search.
///
/// The tape is read only when the last `document()` call succeeded and did not overflow
/// (`tape[1] == 1`) and only at indices below the entry count, so it never hands out stale
/// or unwritten data; any other case falls back to the byte-scanning lookups.
extension JSONScanner {
    /// Entries `withScanner` reserves (a ticker has 10–40 values); bodies with more values,
    /// or a key longer than 32 KiB, fall back to byte lookups.
    static let tapeCapacity = 62
    static let tapeWidth = 4

    @inline(__always)
    static func writeEntry(_ tape: UnsafeMutablePointer<Int32>, _ entry: Int,
                           _ keyStart: Int, _ keyEnd: Int, _ keyEscaped: Bool,
                           _ kind: JSONSpan.Kind, _ valueEscaped: Bool,
                           _ start: Int, _ end: Int, _ skip: Int) {
        let e = tape + 2 + entry &* tapeWidth
        e[0] = Int32(truncatingIfNeeded: keyStart)
        e[1] = Int32(truncatingIfNeeded: start)
        e[2] = Int32(truncatingIfNeeded: end)
        let flags = Int32(kind.rawValue) | (keyEscaped ? 8 : 0) | (valueEscaped ? 16 : 0)
        let keyLength = keyStart >= 0 ? Int32(truncatingIfNeeded: keyEnd &- keyStart) : 0
        e[3] = Int32(truncatingIfNeeded: skip) | flags << 8 | keyLength << 16
    }

    /// The tape entry of the container starting at byte `start`, when the last `document()`
    /// succeeded with a complete tape.
    @inline(__always)
    func tapeEntry(containerAt start: Int) -> Int? {
        guard let tape, tape[1] == 1 else { return nil }
        var lo = 0, hi = Int(tape[0])
        let target = Int32(truncatingIfNeeded: start)
        while lo < hi {
            let mid = (lo &+ hi) >> 1
            let s = tape[2 &+ mid &* Self.tapeWidth &+ 1]
            if s == target { return mid }
            if s < target { lo = mid &+ 1 } else { hi = mid }
        }
        return nil
    }

    /// One past the closing bracket of the taped container at `start`, if taped.
    @inline(__always)
    func tapedEnd(containerAt start: Int) -> Int? {
        guard let entry = tapeEntry(containerAt: start), let tape else { return nil }
        let end = Int(tape[2 &+ entry &* Self.tapeWidth &+ 2])
        return end > start ? end : nil
    }

    /// Walks the children of the taped container `entry`: key span (nil for array elements)
    /// and value span, until `body` returns false. Returns false, before calling `body`, when
    /// the entry's extent is not on the tape, so the caller can fall back to byte lookups.
    @inline(__always)
    func walkTape<E: Error>(_ entry: Int,
                            _ body: (_ key: JSONSpan?, _ value: JSONSpan) throws(E) -> Bool) throws(E) -> Bool {
        guard let tape else { return false }
        let count = Int(tape[0])
        let parent = tape + 2 + entry &* Self.tapeWidth
        let end = Int(parent[3] & 0xFF)
        guard end <= count else { return false }
        var k = entry &+ 1
        while k < end {
            let e = tape + 2 + k &* Self.tapeWidth
            let packed = e[3]
            let flags = UInt8(truncatingIfNeeded: packed >> 8)
            guard let kind = JSONSpan.Kind(rawValue: flags & 7) else { return true }
            let value = JSONSpan(kind: kind, start: Int(e[1]), end: Int(e[2]), hasEscapes: flags & 16 != 0)
            let keyStart = Int(e[0])
            let key: JSONSpan? = keyStart >= 0
                ? JSONSpan(kind: .string, start: keyStart, end: keyStart &+ Int(packed >> 16), hasEscapes: flags & 8 != 0) : nil
            if try !body(key, value) { return true }
            let next = Int(packed & 0xFF)
            guard next > k else { return true }   // cannot happen; stop rather than re-visit
            k = next
        }
        return true
    }
}
