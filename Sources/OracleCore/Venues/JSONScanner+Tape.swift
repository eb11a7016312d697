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

// MARK: - Several keys in one walk

extension JSONScanner {
    /// The values of up to five keys of `object`, found in one walk of its members (the first
    /// member wins when a body repeats a key). Unused trailing keys are passed as `""` with
    /// `wanted` below five.
    ///
    /// Why not `forEachMember` with a closure: the closure is called per member through a
    /// context pointer and compared each key byte by byte; on a taped object this loop reads
    /// the tape directly and rejects a member key by its length before touching its bytes.
    /// Escaped keys and untaped objects take the general path, so the answer is the same.
    @inline(__always)
    func members(of object: JSONSpan, wanted: Int,
                 _ k0: StaticString, _ k1: StaticString = "", _ k2: StaticString = "",
                 _ k3: StaticString = "", _ k4: StaticString = "")
        -> (JSONSpan?, JSONSpan?, JSONSpan?, JSONSpan?, JSONSpan?) {
        guard object.kind == .object, object.start >= 0 else { return (nil, nil, nil, nil, nil) }
        if let tape, let base = bytes.baseAddress, let entry = tapeEntry(containerAt: object.start) {
            let count = Int(tape[0])
            let end = Int(tape[2 &+ entry &* Self.tapeWidth &+ 3] & 0xFF)
            let n = bytes.count
            var f0: JSONSpan?, f1: JSONSpan?, f2: JSONSpan?, f3: JSONSpan?, f4: JSONSpan?
            var missing = wanted
            var k = entry &+ 1
            var complete = end <= count
            while complete, k < end, missing > 0 {
                let e = tape + 2 + k &* Self.tapeWidth
                let packed = e[3]
                let flags = UInt8(truncatingIfNeeded: packed >> 8)
                let keyStart = Int(e[0])
                let keyLength = Int(packed >> 16)
                // An escaped key (or anything unexpected) goes to the general path below.
                guard let kind = JSONSpan.Kind(rawValue: flags & 7), keyStart >= 0, flags & 8 == 0,
                      keyStart &+ keyLength <= n else { complete = false; break }
                let value = JSONSpan(kind: kind, start: Int(e[1]), end: Int(e[2]), hasEscapes: flags & 16 != 0)
                let kp = base + keyStart
                if wanted > 0, f0 == nil, Self.key(kp, keyLength, is: k0) { f0 = value; missing &-= 1 }
                else if wanted > 1, f1 == nil, Self.key(kp, keyLength, is: k1) { f1 = value; missing &-= 1 }
                else if wanted > 2, f2 == nil, Self.key(kp, keyLength, is: k2) { f2 = value; missing &-= 1 }
                else if wanted > 3, f3 == nil, Self.key(kp, keyLength, is: k3) { f3 = value; missing &-= 1 }
                else if wanted > 4, f4 == nil, Self.key(kp, keyLength, is: k4) { f4 = value; missing &-= 1 }
                let next = Int(packed & 0xFF)
                guard next > k else { complete = false; break }   // cannot happen; take the general path
                k = next
            }
            if complete { return (f0, f1, f2, f3, f4) }
        }
        return membersByScan(of: object, wanted: wanted, k0, k1, k2, k3, k4)
    }

    /// Unescaped key bytes `p` (`length` of them) equal `literal`: lengths first, bytes after.
    @inline(__always)
    static func key(_ p: UnsafePointer<UInt8>, _ length: Int, is literal: StaticString) -> Bool {
        literal.utf8CodeUnitCount == length && sameBytes(p, literal.utf8Start, length)
    }

    /// `members(of:…)` for untaped objects and escaped keys: the general member walk.
    @inline(never)
    func membersByScan(of object: JSONSpan, wanted: Int,
                       _ k0: StaticString, _ k1: StaticString, _ k2: StaticString,
                       _ k3: StaticString, _ k4: StaticString)
        -> (JSONSpan?, JSONSpan?, JSONSpan?, JSONSpan?, JSONSpan?) {
        var f0: JSONSpan?, f1: JSONSpan?, f2: JSONSpan?, f3: JSONSpan?, f4: JSONSpan?
        var missing = wanted
        forEachMember(of: object) { key, value in
            if wanted > 0, f0 == nil, string(key, equals: k0) { f0 = value; missing -= 1 }
            else if wanted > 1, f1 == nil, string(key, equals: k1) { f1 = value; missing -= 1 }
            else if wanted > 2, f2 == nil, string(key, equals: k2) { f2 = value; missing -= 1 }
            else if wanted > 3, f3 == nil, string(key, equals: k3) { f3 = value; missing -= 1 }
            else if wanted > 4, f4 == nil, string(key, equals: k4) { f4 = value; missing -= 1 }
            return missing > 0
        }
        return (f0, f1, f2, f3, f4)
    }

    /// The first element of `array` (nil when empty), read from the tape when it is there.
    @inline(__always)
    func firstElement(of array: JSONSpan) -> JSONSpan? {
        guard array.kind == .array, array.start >= 0 else { return nil }
        if let tape, let entry = tapeEntry(containerAt: array.start) {
            let count = Int(tape[0])
            let end = Int(tape[2 &+ entry &* Self.tapeWidth &+ 3] & 0xFF)
            let k = entry &+ 1
            if end <= count {
                guard k < end else { return nil }
                let e = tape + 2 + k &* Self.tapeWidth
                let flags = UInt8(truncatingIfNeeded: e[3] >> 8)
                if let kind = JSONSpan.Kind(rawValue: flags & 7) {
                    return JSONSpan(kind: kind, start: Int(e[1]), end: Int(e[2]), hasEscapes: flags & 16 != 0)
                }
            }
        }
        return element(0, of: array)
    }
}
