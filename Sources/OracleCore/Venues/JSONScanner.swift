/// A byte-level JSON scanner: validates a body once, then finds values by key or index
/// without building a tree or decoding anything it is not asked for.
///
/// Why not `JSONDecoder`: it costs several microseconds per ticker body, on a path that runs
/// for every source every second. The scanner keeps each number's exact text (so
/// "23980.49000000" and "5.985618685709001E8" survive unchanged) and never converts through
/// `Double`.
///
/// Safety: every byte read is bounds-checked by hand (release builds elide the buffer's own
/// checks), validation is iterative with nesting capped at `maxDepth`, and every loop
/// advances by at least one byte, so no input traps, recurses deeply or loops. `document()` is the
/// only validating call; the lookup calls assume a validated document but stay in bounds and
/// answer `nil` rather than trap if handed anything else.
///
/// The scanner borrows its bytes: use it only inside the `withUnsafeBufferPointer` (or
/// equivalent) closure that produced the buffer.
public struct JSONScanner {
    /// Deepest object/array nesting accepted. Ticker bodies nest 4 levels at most.
    public static let maxDepth = 64

    public let bytes: UnsafeBufferPointer<UInt8>

    /// Optional member tape written while validating (see `JSONScanner+Tape.swift`): header
    /// (entry count, valid flag) followed by `tapeCapacity` entries of `tapeWidth` Int32s.
    /// It replaces the earlier direct-mapped cache of container ends: the tape holds every
    /// container's end, and lookups find a container's entry by binary search on its start.
    let tape: UnsafeMutablePointer<Int32>?

    public init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        self.tape = nil
    }

    public init(_ raw: UnsafeRawBufferPointer) {
        self.bytes = raw.assumingMemoryBound(to: UInt8.self)
        self.tape = nil
    }

    /// Int32s `withScanner` reserves: the tape header and entries. Kept under 1 KiB so
    /// `withUnsafeTemporaryAllocation` stays on the stack (above that it may call malloc).
    static var workspaceCount: Int { 2 + tapeCapacity * tapeWidth }

    /// A scanner whose validation records the member tape into `workspace`
    /// (capacity `workspaceCount`, contents undefined).
    init(_ bytes: UnsafeBufferPointer<UInt8>, workspace: UnsafeMutableBufferPointer<Int32>) {
        self.bytes = bytes
        // Offsets must fit the tape's Int32 entries; bodies are capped far below 2 GiB anyway.
        if workspace.count >= Self.workspaceCount, bytes.count < Int(Int32.max), let base = workspace.baseAddress {
            base[0] = 0   // entry count
            base[1] = 0   // valid: set by a successful document()
            self.tape = base
        } else {
            self.tape = nil
        }
    }

    /// Runs `body` with a scanner over `bytes` that records the member tape in stack memory.
    static func withScanner<R, E: Error>(_ bytes: UnsafeBufferPointer<UInt8>,
                                         _ body: (JSONScanner) throws(E) -> R) throws(E) -> R {
        try withUnsafeTemporaryAllocation(of: Int32.self, capacity: workspaceCount) { (ws) throws(E) -> R in
            // Entries need no initial content: they are read only below the entry count.
            try body(JSONScanner(bytes, workspace: ws))
        }
    }

    // MARK: - Validation

    /// Validates the whole body as one JSON value (surrounded by optional whitespace and an
    /// optional UTF-8 byte-order mark) and returns it.
    ///
    /// Iterative, with the open containers kept in a 64-bit mask (object or array per level)
    /// and their start offsets in a stack buffer of `maxDepth` entries: no recursion, so no
    /// input can exhaust the call stack.
    public func document() throws(JSONScanError) -> JSONSpan {
        let n = bytes.count
        var i = 0
        if n >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { i = 3 }
        i = skipWhitespace(i)
        guard i < n else { throw JSONScanError(.empty, at: i) }
        let rootStart = i
        if let tape { tape[0] = 0; tape[1] = 0 }
        try withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * Self.maxDepth) { (starts) throws(JSONScanError) in
            try validate(&i, starts)
        }
        let end = i
        i = skipWhitespace(i)
        guard i == n else { throw JSONScanError(.trailingBytes, at: i) }
        if let tape, tape[0] >= 0 { tape[1] = 1 }
        switch bytes[rootStart] {
        case UInt8(ascii: "{"): return JSONSpan(kind: .object, start: rootStart, end: end)
        case UInt8(ascii: "["): return JSONSpan(kind: .array, start: rootStart, end: end)
        default: return value(at: rootStart) ?? JSONSpan(kind: .null, start: rootStart, end: end)
        }
    }

    /// Checks one JSON value starting at `pos` (no leading whitespace) and moves `pos` past it.
    ///
    /// When the scanner has a tape, every value is also appended to it with its key, kind and
    /// extent (see `JSONScanner+Tape.swift`), so the lookups that follow walk the tape instead
    /// of re-scanning bytes. A body with more values than the tape holds just is not taped.
    ///
    /// One loop handles keys, values and separators (the key reader used to be a separate,
    /// non-inlined call costing 12–16 % of a parse). Bytes are read through the base pointer;
    /// every read is preceded by an explicit `< n` check, and word loads only happen when eight
    /// bytes remain, so the loop never leaves the buffer. Plain strings stay inline; escapes,
    /// control characters and truncation inside a string go to `finishString`.
    private func validate(_ pos: inout Int, _ starts: UnsafeMutableBufferPointer<Int>) throws(JSONScanError) {
        let n = bytes.count
        guard let p = bytes.baseAddress, let st = starts.baseAddress else {
            throw JSONScanError(.truncated, at: pos)
        }
        let maxDepth = min(Self.maxDepth, starts.count / 2)
        var i = pos
        var depth = 0
        var objects: UInt64 = 0   // bit d set when open level d is an object
        // Tape state: next entry index, -1 once recording is off (no tape or it overflowed).
        var count = tape == nil ? -1 : 0
        let capacity = Self.tapeCapacity
        var keyStart = -1, keyEnd = -1, keyEscaped = false
        var needKey = false
        defer { if let tape { tape[0] = Int32(truncatingIfNeeded: count) } }
        while true {
            if needKey {
                // `"key"` `:` inside an object, leaving `i` at the member's value.
                needKey = false
                guard i < n else { throw JSONScanError(.truncated, at: i) }
                guard p[i] == UInt8(ascii: "\"") else { throw JSONScanError(.unexpectedByte, at: i) }
                keyStart = i &+ 1
                var j = Self.skipPlain(p, keyStart, n)
                keyEscaped = false
                if j >= n || p[j] != UInt8(ascii: "\"") { j = try finishString(p, j, n, &keyEscaped) }
                keyEnd = j
                i = Self.skipSpace(p, j &+ 1, n)
                guard i < n else { throw JSONScanError(.truncated, at: i) }
                guard p[i] == UInt8(ascii: ":") else { throw JSONScanError(.unexpectedByte, at: i) }
                i = Self.skipSpace(p, i &+ 1, n)
            }
            // A value starts at i.
            guard i < n else { throw JSONScanError(.truncated, at: i) }
            let c = p[i]
            let entry = count
            if count >= 0 {
                // Key lengths are packed into 15 bits; a longer key just ends taping.
                if count < capacity, keyStart < 0 || keyEnd &- keyStart <= 0x7FFF { count &+= 1 } else { count = -1 }
            }
            var kind = JSONSpan.Kind.null
            var valueStart = i
            var valueEscaped = false
            switch c {
            case UInt8(ascii: "\""):
                valueStart = i &+ 1
                var j = Self.skipPlain(p, valueStart, n)
                if j >= n || p[j] != UInt8(ascii: "\"") { j = try finishString(p, j, n, &valueEscaped) }
                i = j &+ 1
                kind = .string
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                i = try Self.scanNumber(p, i, n)
                kind = .number
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard depth < maxDepth else { throw JSONScanError(.tooDeep, at: i) }
                let isObject = c == UInt8(ascii: "{")
                if entry >= 0, count >= 0, let tape {
                    Self.writeEntry(tape, entry, keyStart, keyEnd, keyEscaped,
                                    isObject ? .object : .array, false, i, -1, 0)
                }
                keyStart = -1
                st[depth] = i
                st[maxDepth &+ depth] = count >= 0 ? entry : -1
                if isObject { objects |= 1 << UInt64(depth) } else { objects &= ~(1 << UInt64(depth)) }
                depth &+= 1
                i = Self.skipSpace(p, i &+ 1, n)
                guard i < n else { throw JSONScanError(.truncated, at: i) }
                // `{`+2 is `}`, `[`+2 is `]`.
                if p[i] != c &+ 2 {
                    needKey = isObject
                    continue
                }
                i &+= 1
                depth &-= 1
                closeContainer(st[maxDepth &+ depth], i, count)
            case UInt8(ascii: "t"):
                i = try Self.scanLiteral(p, i, n, 0x6575_7274, 4)          // "true"
                kind = .true
            case UInt8(ascii: "f"):
                i = try Self.scanLiteral(p, i, n, 0x65_736C_6166, 5)       // "false"
                kind = .false
            case UInt8(ascii: "n"):
                i = try Self.scanLiteral(p, i, n, 0x6C6C_756E, 4)          // "null"
            default:
                throw JSONScanError(.unexpectedByte, at: i)
            }
            if c != UInt8(ascii: "{"), c != UInt8(ascii: "[") {
                if entry >= 0, count >= 0, let tape {
                    // A string's end is its closing quote, as in `JSONSpan`.
                    Self.writeEntry(tape, entry, keyStart, keyEnd, keyEscaped, kind, valueEscaped, valueStart,
                                    kind == .string ? i &- 1 : i, entry &+ 1)
                }
                keyStart = -1
            }
            // After a value: close finished containers, or step to the next value.
            while true {
                if depth == 0 {
                    pos = i
                    return
                }
                i = Self.skipSpace(p, i, n)
                guard i < n else { throw JSONScanError(.truncated, at: i) }
                let inObject = objects & (1 << UInt64(depth &- 1)) != 0
                let d = p[i]
                if d == UInt8(ascii: ",") {
                    i = Self.skipSpace(p, i &+ 1, n)
                    needKey = inObject
                    break
                }
                guard d == (inObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) else {
                    throw JSONScanError(.unexpectedByte, at: i)
                }
                i &+= 1
                depth &-= 1
                closeContainer(st[maxDepth &+ depth], i, count)
            }
        }
    }

    /// First index at or after `from` holding `"`, `\` or a control character, or `n`.
    /// Whole words while eight bytes remain, then bytes with one table-free range test.
    @inline(__always)
    static func skipPlain(_ p: UnsafePointer<UInt8>, _ from: Int, _ n: Int) -> Int {
        var j = from
        while j &+ 8 <= n {
            let w = UInt64(littleEndian: UnsafeRawPointer(p + j).loadUnaligned(as: UInt64.self))
            let m = SWAR.stringStops(w)
            if m != 0 { return j &+ (m.trailingZeroBitCount >> 3) }
            j &+= 8
        }
        while j < n {
            let c = p[j]
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") || c < 0x20 { return j }
            j &+= 1
        }
        return j
    }

    /// Rest of a string whose plain prefix ended at `j` on something other than its closing
    /// quote: escapes, a control character or the end of the body. Returns the closing
    /// quote's index. Kept out of line: ticker strings almost never get here.
    @inline(never)
    private func finishString(_ p: UnsafePointer<UInt8>, _ from: Int, _ n: Int,
                              _ escaped: inout Bool) throws(JSONScanError) -> Int {
        var j = from
        while true {
            guard j < n else { throw JSONScanError(.truncated, at: j) }
            let c = p[j]
            if c == UInt8(ascii: "\"") { return j }
            if c == UInt8(ascii: "\\") {
                escaped = true
                guard j + 1 < n else { throw JSONScanError(.truncated, at: j + 1) }
                switch p[j + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                     UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    j += 2
                case UInt8(ascii: "u"):
                    var k = j + 2
                    while k < j + 6 {
                        guard k < n else { throw JSONScanError(.truncated, at: k) }
                        guard Self.hexValue(p[k]) != nil else { throw JSONScanError(.badEscape, at: k) }
                        k += 1
                    }
                    j += 6
                default:
                    throw JSONScanError(.badEscape, at: j + 1)
                }
                j = Self.skipPlain(p, j, n)
                continue
            }
            if c < 0x20 { throw JSONScanError(.controlCharacter, at: j) }
            j = Self.skipPlain(p, j + 1, n)
        }
    }

    /// First non-whitespace index at or after `from` (or `n`).
    ///
    /// Pretty-printed bodies are mostly indentation: runs of spaces are skipped a word at a
    /// time (XOR with eight spaces, count trailing zero bytes), other whitespace a byte at a
    /// time. A byte above 0x20 returns at once, which is the common case between tokens.
    @inline(__always)
    static func skipSpace(_ p: UnsafePointer<UInt8>, _ from: Int, _ n: Int) -> Int {
        var i = from
        while i < n {
            let c = p[i]
            if c > 0x20 { return i }
            if c != 0x20 {
                guard c == 0x0A || c == 0x0D || c == 0x09 else { return i }
                i &+= 1
                continue
            }
            if i &+ 8 <= n {
                let x = UInt64(littleEndian: UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)) ^ 0x2020_2020_2020_2020
                i &+= x == 0 ? 8 : x.trailingZeroBitCount >> 3
            } else {
                i &+= 1
            }
        }
        return i
    }

    /// `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?` from `i`; returns the index past it.
    @inline(__always)
    static func scanNumber(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int) throws(JSONScanError) -> Int {
        var j = i
        if p[j] == UInt8(ascii: "-") { j &+= 1 }
        guard j < n else { throw JSONScanError(.truncated, at: j) }
        if p[j] == UInt8(ascii: "0") {
            j &+= 1
        } else if isDigit(p[j]) {
            j &+= 1
            while j < n, isDigit(p[j]) { j &+= 1 }
        } else {
            throw JSONScanError(.badNumber, at: j)
        }
        if j < n, p[j] == UInt8(ascii: ".") {
            j &+= 1
            guard j < n else { throw JSONScanError(.truncated, at: j) }
            guard isDigit(p[j]) else { throw JSONScanError(.badNumber, at: j) }
            while j < n, isDigit(p[j]) { j &+= 1 }
        }
        if j < n, p[j] | 0x20 == UInt8(ascii: "e") {
            j &+= 1
            if j < n, p[j] == UInt8(ascii: "+") || p[j] == UInt8(ascii: "-") { j &+= 1 }
            guard j < n else { throw JSONScanError(.truncated, at: j) }
            guard isDigit(p[j]) else { throw JSONScanError(.badNumber, at: j) }
            while j < n, isDigit(p[j]) { j &+= 1 }
        }
        return j
    }

    /// The literal whose little-endian bytes are `word` (`len` of them) at `i`; returns the
    /// index past it. Errors point at the first byte that is missing or wrong.
    @inline(__always)
    static func scanLiteral(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int,
                            _ word: UInt64, _ len: Int) throws(JSONScanError) -> Int {
        var k = 0
        while k < len {
            guard i &+ k < n else { throw JSONScanError(.truncated, at: i &+ k) }
            guard p[i &+ k] == UInt8(truncatingIfNeeded: word >> UInt64(k &* 8)) else {
                throw JSONScanError(.badLiteral, at: i &+ k)
            }
            k &+= 1
        }
        return i &+ len
    }

    /// Records a closed container's end and subtree extent in its tape entry.
    @inline(__always)
    private func closeContainer(_ entry: Int, _ end: Int, _ count: Int) {
        if entry >= 0, count >= 0, let tape {
            let e = tape + 2 + entry &* Self.tapeWidth
            e[2] = Int32(truncatingIfNeeded: end)
            e[3] = e[3] | Int32(truncatingIfNeeded: count)
        }
    }

    @inline(__always)
    static func isWhitespace(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09
    }

    /// First non-whitespace index at or after `start` (see `skipSpace`).
    @inline(__always)
    func skipWhitespace(_ start: Int) -> Int {
        guard let p = bytes.baseAddress else { return start }
        return Self.skipSpace(p, start, bytes.count)
    }

    @inline(__always)
    static func isDigit(_ c: UInt8) -> Bool { c &- UInt8(ascii: "0") < 10 }

    @inline(__always)
    static func hexValue(_ c: UInt8) -> UInt32? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(c - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(c - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(c - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }
}
