/// Navigation inside a document that `document()` has validated.
///
/// These calls re-skip values with a cheap bracket-counting scan instead of re-validating.
/// They stay in bounds on any input and answer `nil` (or stop iterating) where a validated
/// document could not have led them.
extension JSONScanner {
    /// One past the value's last byte (past the closing quote for a string), skipping an
    /// unresolved container to find it.
    @inline(__always)
    public func byteEnd(of value: JSONSpan) -> Int {
        switch value.kind {
        case .string: return value.end + 1
        case .object, .array: return value.end == JSONSpan.unresolved ? containerEnd(from: value.start) : value.end
        default: return value.end
        }
    }

    /// The span with its `end` computed (a no-op unless it is an unresolved container).
    public func resolved(_ value: JSONSpan) -> JSONSpan {
        guard (value.kind == .object || value.kind == .array), value.end == JSONSpan.unresolved else { return value }
        var v = value
        v.end = containerEnd(from: value.start)
        return v
    }

    /// The value starting at byte `i` (no leading whitespace), found without validation.
    /// Objects and arrays come back unresolved: their first byte is known, their end is not.
    @inline(__always)
    public func value(at i: Int) -> JSONSpan? {
        let n = bytes.count
        guard i >= 0, i < n else { return nil }
        switch bytes[i] {
        case UInt8(ascii: "\""):
            return stringValue(openingQuoteAt: i)
        case UInt8(ascii: "{"):
            return JSONSpan(kind: .object, start: i, end: JSONSpan.unresolved)
        case UInt8(ascii: "["):
            return JSONSpan(kind: .array, start: i, end: JSONSpan.unresolved)
        case UInt8(ascii: "t"):
            return i + 4 <= n ? JSONSpan(kind: .true, start: i, end: i + 4) : nil
        case UInt8(ascii: "f"):
            return i + 5 <= n ? JSONSpan(kind: .false, start: i, end: i + 5) : nil
        case UInt8(ascii: "n"):
            return i + 4 <= n ? JSONSpan(kind: .null, start: i, end: i + 4) : nil
        default:
            var j = i
            while j < n {
                let c = bytes[j]
                guard Self.isDigit(c) || c == UInt8(ascii: "-") || c == UInt8(ascii: "+")
                    || c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") else { break }
                j += 1
            }
            return j > i ? JSONSpan(kind: .number, start: i, end: j) : nil
        }
    }

    /// One past the bracket closing the container opened at `start` (bracket counting,
    /// strings skipped); the buffer's end if it never closes.
    private func containerEnd(from start: Int) -> Int {
        guard start >= 0 else { return 0 }
        if let end = tapedEnd(containerAt: start), end <= bytes.count { return end }
        let n = bytes.count
        var depth = 0
        var j = start
        while true {
            j = SWAR.skip(bytes, from: j, SWAR.structural)
            guard j < n else { break }
            let c = bytes[j]
            if c == UInt8(ascii: "\"") {
                j += 1
                while true {
                    j = SWAR.skip(bytes, from: j, SWAR.quoteOrBackslash)
                    guard j < n else { break }
                    let d = bytes[j]
                    if d == UInt8(ascii: "\"") { break }
                    j += d == UInt8(ascii: "\\") ? 2 : 1
                }
            } else {
                // '[' | 0x20 == '{' and ']' | 0x20 == '}': one compare per bracket pair.
                let folded = c | 0x20
                if folded == UInt8(ascii: "{") {
                    depth += 1
                } else if folded == UInt8(ascii: "}") {
                    depth -= 1
                    if depth == 0 { return j + 1 }
                }
            }
            j += 1
        }
        return n
    }

    @inline(__always)
    private func stringValue(openingQuoteAt q: Int) -> JSONSpan? {
        let n = bytes.count
        var j = q + 1
        var escaped = false
        while true {
            j = SWAR.skip(bytes, from: j, SWAR.quoteOrBackslash)
            guard j < n else { break }
            let c = bytes[j]
            if c == UInt8(ascii: "\"") {
                return JSONSpan(kind: .string, start: q + 1, end: j, hasEscapes: escaped)
            }
            if c == UInt8(ascii: "\\") {
                escaped = true
                j += 2
            } else {
                j += 1
            }
        }
        return nil
    }

    /// Calls `body` with each key and value of `object`, in body order, until it returns false.
    @inline(__always)
    public func forEachMember<E: Error>(
        of object: JSONSpan, _ body: (_ key: JSONSpan, _ value: JSONSpan) throws(E) -> Bool
    ) throws(E) {
        guard object.kind == .object, object.start >= 0 else { return }
        if let entry = tapeEntry(containerAt: object.start) {
            let walked = try walkTape(entry) { (key, value) throws(E) -> Bool in
                guard let key else { return false }
                return try body(key, value)
            }
            if walked { return }
        }
        let n = bytes.count
        var i = skipWhitespace(object.start + 1)
        while i < n, bytes[i] == UInt8(ascii: "\"") {
            guard let key = stringValue(openingQuoteAt: i) else { return }
            i = skipWhitespace(key.end + 1)
            guard i < n, bytes[i] == UInt8(ascii: ":") else { return }
            i = skipWhitespace(i + 1)
            guard let value = value(at: i) else { return }
            if try !body(key, value) { return }
            i = skipWhitespace(byteEnd(of: value))
            guard i < n, bytes[i] == UInt8(ascii: ",") else { return }
            i = skipWhitespace(i + 1)
        }
    }

    /// Calls `body` with each element of `array` and its index until it returns false.
    @inline(__always)
    public func forEachElement<E: Error>(
        of array: JSONSpan, _ body: (_ index: Int, _ element: JSONSpan) throws(E) -> Bool
    ) throws(E) {
        guard array.kind == .array, array.start >= 0 else { return }
        if let entry = tapeEntry(containerAt: array.start) {
            var index = 0
            let walked = try walkTape(entry) { (_, value) throws(E) -> Bool in
                defer { index += 1 }
                return try body(index, value)
            }
            if walked { return }
        }
        let n = bytes.count
        var i = skipWhitespace(array.start + 1)
        var index = 0
        while i < n, bytes[i] != UInt8(ascii: "]") {
            guard let element = value(at: i) else { return }
            if try !body(index, element) { return }
            index += 1
            i = skipWhitespace(byteEnd(of: element))
            guard i < n, bytes[i] == UInt8(ascii: ",") else { return }
            i = skipWhitespace(i + 1)
        }
    }

    /// The value under `key` in `object` (the first one, if a body repeats a key).
    public func member(_ key: StaticString, of object: JSONSpan) -> JSONSpan? {
        var found: JSONSpan?
        forEachMember(of: object) { k, v in
            if string(k, equals: key) { found = v; return false }
            return true
        }
        return found
    }

    /// The value under a key known only at run time (a CoinGecko coin id, a generic path).
    public func member(named key: String, of object: JSONSpan) -> JSONSpan? {
        var found: JSONSpan?
        forEachMember(of: object) { k, v in
            if string(k, equalsText: key) { found = v; return false }
            return true
        }
        return found
    }

    /// The element at `index` of `array`, nil when out of range.
    public func element(_ index: Int, of array: JSONSpan) -> JSONSpan? {
        guard index >= 0 else { return nil }
        var found: JSONSpan?
        forEachElement(of: array) { i, v in
            if i == index { found = v; return false }
            return true
        }
        return found
    }

    /// Number of members of an object or elements of an array; 0 for anything else.
    public func count(of container: JSONSpan) -> Int {
        var c = 0
        if container.kind == .object {
            forEachMember(of: container) { _, _ in c += 1; return true }
        } else if container.kind == .array {
            forEachElement(of: container) { _, _ in c += 1; return true }
        }
        return c
    }

    /// True for `{}` and `[]` (with any whitespace inside).
    public func isEmptyContainer(_ value: JSONSpan) -> Bool {
        guard value.kind == .object || value.kind == .array, value.start >= 0 else { return false }
        let i = skipWhitespace(value.start + 1)
        return i < bytes.count && (bytes[i] == UInt8(ascii: "}") || bytes[i] == UInt8(ascii: "]"))
    }

    /// Follows `path` from `root`: each segment is an object key, or an array index where
    /// the current value is an array and the segment is a non-negative integer.
    public func value(atPath path: JSONPath, in root: JSONSpan) -> JSONSpan? {
        var current = root
        for segment in path.segments {
            switch current.kind {
            case .object:
                guard let next = member(named: segment.key, of: current) else { return nil }
                current = next
            case .array:
                guard let index = segment.index, let next = element(index, of: current) else { return nil }
                current = next
            default:
                return nil
            }
        }
        return current
    }

    // MARK: - Text

    /// Compares a string value's decoded text with `literal`, without allocating when the
    /// string has no escapes (the common case for keys).
    @inline(__always)
    public func string(_ value: JSONSpan, equals literal: StaticString) -> Bool {
        guard value.kind == .string else { return false }
        if value.hasEscapes { return text(of: value) == literal.description }
        let len = literal.utf8CodeUnitCount
        guard value.end - value.start == len, value.start >= 0, value.end <= bytes.count,
              let base = bytes.baseAddress else { return false }
        return Self.sameBytes(base + value.start, literal.utf8Start, len)
    }

    /// True when `a` and `b` hold the same `len` bytes. Keys and codes are short: lengths 4–16
    /// compare as two overlapping loads per side (never reading outside either range), so a
    /// ticker key costs two or three compares instead of a byte loop.
    @inline(__always)
    static func sameBytes(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ len: Int) -> Bool {
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        if len >= 8, len <= 16 {
            return ra.loadUnaligned(as: UInt64.self) == rb.loadUnaligned(as: UInt64.self)
                && ra.loadUnaligned(fromByteOffset: len &- 8, as: UInt64.self)
                    == rb.loadUnaligned(fromByteOffset: len &- 8, as: UInt64.self)
        }
        if len >= 4, len < 8 {
            return ra.loadUnaligned(as: UInt32.self) == rb.loadUnaligned(as: UInt32.self)
                && ra.loadUnaligned(fromByteOffset: len &- 4, as: UInt32.self)
                    == rb.loadUnaligned(fromByteOffset: len &- 4, as: UInt32.self)
        }
        var k = 0
        while k < len {
            if a[k] != b[k] { return false }
            k &+= 1
        }
        return true
    }

    /// True when `value` is an unescaped string or a number whose raw text is `literal`
    /// (`"0"` or `0` for a success code), without building a String.
    @inline(__always)
    func rawText(_ value: JSONSpan, is literal: StaticString) -> Bool {
        guard value.kind == .string || value.kind == .number, !value.hasEscapes else { return false }
        let len = literal.utf8CodeUnitCount
        guard value.end &- value.start == len, value.start >= 0, value.end <= bytes.count,
              let base = bytes.baseAddress else { return false }
        return Self.sameBytes(base + value.start, literal.utf8Start, len)
    }

    /// Compares a string value's decoded text with `other`.
    public func string(_ value: JSONSpan, equalsText other: String) -> Bool {
        guard value.kind == .string else { return false }
        if value.hasEscapes { return text(of: value) == other }
        var other = other
        return other.withUTF8 { o in
            guard value.end - value.start == o.count, value.start >= 0, value.end <= bytes.count else { return false }
            for k in 0..<o.count where bytes[value.start + k] != o[k] { return false }
            return true
        }
    }

    /// A string's decoded text; for any other value its raw text exactly as written
    /// (a number keeps "5.985618685709001E8", not a re-formatted double).
    public func text(of value: JSONSpan) -> String {
        let value = resolved(value)
        let n = bytes.count
        let lo = max(0, min(value.start, n))
        let hi = max(lo, min(value.end, n))
        if value.kind == .string, value.hasEscapes {
            return unescape(lo, hi)
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[lo..<hi]), as: UTF8.self)
    }

    /// The raw bytes of a value (string content without quotes, escapes not decoded).
    @inline(__always)
    public func rawBytes(of value: JSONSpan) -> UnsafeBufferPointer<UInt8> {
        let value = value.kind == .object || value.kind == .array ? resolved(value) : value
        let n = bytes.count
        let lo = max(0, min(value.start, n))
        let hi = max(lo, min(value.end, n))
        return UnsafeBufferPointer(rebasing: bytes[lo..<hi])
    }

    private func unescape(_ lo: Int, _ hi: Int) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(hi - lo)
        var j = lo
        while j < hi {
            let c = bytes[j]
            guard c == UInt8(ascii: "\\"), j + 1 < hi else {
                out.append(c)
                j += 1
                continue
            }
            let e = bytes[j + 1]
            j += 2
            switch e {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard var scalar = hex4(j, hi) else { out.append(contentsOf: [0xEF, 0xBF, 0xBD]); continue }
                j += 4
                if scalar >= 0xD800, scalar < 0xDC00 {
                    // A high surrogate must be followed by an escaped low surrogate.
                    if j + 1 < hi, bytes[j] == UInt8(ascii: "\\"), bytes[j + 1] == UInt8(ascii: "u"),
                       let low = hex4(j + 2, hi), low >= 0xDC00, low < 0xE000 {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        j += 6
                    } else {
                        scalar = 0xFFFD
                    }
                } else if scalar >= 0xDC00, scalar < 0xE000 {
                    scalar = 0xFFFD
                }
                let u = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                out.append(contentsOf: Array(String(Character(u)).utf8))
            default: out.append(e)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private func hex4(_ at: Int, _ hi: Int) -> UInt32? {
        guard at + 4 <= hi else { return nil }
        var v: UInt32 = 0
        for k in at..<(at + 4) {
            guard let h = Self.hexValue(bytes[k]) else { return nil }
            v = v << 4 | h
        }
        return v
    }
}
