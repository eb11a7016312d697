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
    private func validate(_ pos: inout Int, _ starts: UnsafeMutableBufferPointer<Int>) throws(JSONScanError) {
        let n = bytes.count
        let maxDepth = min(Self.maxDepth, starts.count / 2)
        var i = pos
        var depth = 0
        var objects: UInt64 = 0   // bit d set when open level d is an object
        // Tape state: next entry index, -1 once recording is off (no tape or it overflowed).
        var count = tape == nil ? -1 : 0
        let capacity = Self.tapeCapacity
        var keyStart = -1, keyEnd = -1, keyEscaped = false
        defer { if let tape { tape[0] = Int32(truncatingIfNeeded: count) } }
        while true {
            // A value starts at i.
            guard i < n else { throw JSONScanError(.truncated, at: i) }
            let c = bytes[i]
            let entry = count
            if count >= 0 {
                // Key lengths are packed into 15 bits; a longer key just ends taping.
                if count < capacity, keyStart < 0 || keyEnd &- keyStart <= 0x7FFF { count &+= 1 } else { count = -1 }
            }
            var kind = JSONSpan.Kind.null
            var valueStart = i
            var valueEscaped = false
            switch c {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard depth < maxDepth else { throw JSONScanError(.tooDeep, at: i) }
                let isObject = c == UInt8(ascii: "{")
                if entry >= 0, count >= 0, let tape {
                    Self.writeEntry(tape, entry, keyStart, keyEnd, keyEscaped,
                                    isObject ? .object : .array, false, i, -1, 0)
                }
                keyStart = -1
                starts[depth] = i
                starts[maxDepth &+ depth] = count >= 0 ? entry : -1
                if isObject { objects |= 1 << UInt64(depth) } else { objects &= ~(1 << UInt64(depth)) }
                depth += 1
                i = skipWhitespace(i + 1)
                guard i < n else { throw JSONScanError(.truncated, at: i) }
                if bytes[i] == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    i += 1
                    depth -= 1
                    closeContainer(starts[maxDepth &+ depth], i, count)
                } else {
                    if isObject { (keyStart, keyEnd, keyEscaped) = try memberKey(&i) }
                    continue
                }
            case UInt8(ascii: "\""):
                let span = try parseString(&i)
                kind = .string; valueStart = span.start; valueEscaped = span.hasEscapes
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                _ = try parseNumber(&i)
                kind = .number
            case UInt8(ascii: "t"):
                try parseLiteral(&i, "true")
                kind = .true
            case UInt8(ascii: "f"):
                try parseLiteral(&i, "false")
                kind = .false
            case UInt8(ascii: "n"):
                try parseLiteral(&i, "null")
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
                i = skipWhitespace(i)
                guard i < n else { throw JSONScanError(.truncated, at: i) }
                let inObject = objects & (1 << UInt64(depth - 1)) != 0
                let d = bytes[i]
                if d == UInt8(ascii: ",") {
                    i = skipWhitespace(i + 1)
                    if inObject { (keyStart, keyEnd, keyEscaped) = try memberKey(&i) }
                    break
                }
                guard d == (inObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) else {
                    throw JSONScanError(.unexpectedByte, at: i)
                }
                i += 1
                depth -= 1
                closeContainer(starts[maxDepth &+ depth], i, count)
            }
        }
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

    /// `"key"` `:` inside an object, leaving `i` at the member's value.
    @inline(__always)
    private func memberKey(_ i: inout Int) throws(JSONScanError) -> (start: Int, end: Int, escaped: Bool) {
        let n = bytes.count
        guard i < n else { throw JSONScanError(.truncated, at: i) }
        guard bytes[i] == UInt8(ascii: "\"") else { throw JSONScanError(.unexpectedByte, at: i) }
        let key = try parseString(&i)
        i = skipWhitespace(i)
        guard i < n else { throw JSONScanError(.truncated, at: i) }
        guard bytes[i] == UInt8(ascii: ":") else { throw JSONScanError(.unexpectedByte, at: i) }
        i = skipWhitespace(i + 1)
        return (key.start, key.end, key.hasEscapes)
    }

    @inline(__always)
    static func isWhitespace(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09
    }

    /// First non-whitespace index at or after `start`.
    ///
    /// A byte loop on purpose: an 8-bytes-at-a-time version (word of spaces, then trailing
    /// zero count) measured slower on every recorded body, pretty-printed or not.
    @inline(__always)
    func skipWhitespace(_ start: Int) -> Int {
        let n = bytes.count
        var i = start
        while i < n, Self.isWhitespace(bytes[i]) { i += 1 }
        return i
    }

    @inline(__always)
    private func parseString(_ i: inout Int) throws(JSONScanError) -> JSONSpan {
        let n = bytes.count
        let start = i + 1
        var j = start
        var escaped = false
        while true {
            j = SWAR.skip(bytes, from: j, SWAR.stringStops)
            guard j < n else { throw JSONScanError(.truncated, at: j) }
            let c = bytes[j]
            if c == UInt8(ascii: "\"") {
                i = j + 1
                return JSONSpan(kind: .string, start: start, end: j, hasEscapes: escaped)
            }
            if c == UInt8(ascii: "\\") {
                escaped = true
                guard j + 1 < n else { throw JSONScanError(.truncated, at: j + 1) }
                switch bytes[j + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                     UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    j += 2
                case UInt8(ascii: "u"):
                    var k = j + 2
                    while k < j + 6 {
                        guard k < n else { throw JSONScanError(.truncated, at: k) }
                        guard Self.hexValue(bytes[k]) != nil else { throw JSONScanError(.badEscape, at: k) }
                        k += 1
                    }
                    j += 6
                default:
                    throw JSONScanError(.badEscape, at: j + 1)
                }
                continue
            }
            if c < 0x20 { throw JSONScanError(.controlCharacter, at: j) }
            j += 1
        }
    }

    @inline(__always)
    private func parseNumber(_ i: inout Int) throws(JSONScanError) -> JSONSpan {
        let n = bytes.count
        let start = i
        var j = i
        if bytes[j] == UInt8(ascii: "-") { j += 1 }
        guard j < n else { throw JSONScanError(.truncated, at: j) }
        if bytes[j] == UInt8(ascii: "0") {
            j += 1
        } else if Self.isDigit(bytes[j]) {
            j += 1
            while j < n, Self.isDigit(bytes[j]) { j += 1 }
        } else {
            throw JSONScanError(.badNumber, at: j)
        }
        if j < n, bytes[j] == UInt8(ascii: ".") {
            j += 1
            guard j < n else { throw JSONScanError(.truncated, at: j) }
            guard Self.isDigit(bytes[j]) else { throw JSONScanError(.badNumber, at: j) }
            while j < n, Self.isDigit(bytes[j]) { j += 1 }
        }
        if j < n, bytes[j] == UInt8(ascii: "e") || bytes[j] == UInt8(ascii: "E") {
            j += 1
            if j < n, bytes[j] == UInt8(ascii: "+") || bytes[j] == UInt8(ascii: "-") { j += 1 }
            guard j < n else { throw JSONScanError(.truncated, at: j) }
            guard Self.isDigit(bytes[j]) else { throw JSONScanError(.badNumber, at: j) }
            while j < n, Self.isDigit(bytes[j]) { j += 1 }
        }
        i = j
        return JSONSpan(kind: .number, start: start, end: j)
    }

    private func parseLiteral(_ i: inout Int, _ word: StaticString) throws(JSONScanError) {
        let n = bytes.count
        let len = word.utf8CodeUnitCount
        let start = i
        var k = 0
        while k < len {
            guard start + k < n else { throw JSONScanError(.truncated, at: start + k) }
            guard bytes[start + k] == word.utf8Start[k] else { throw JSONScanError(.badLiteral, at: start + k) }
            k += 1
        }
        i = start + len
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
