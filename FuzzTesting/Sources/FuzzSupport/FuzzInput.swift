/// Splits a fuzz input into leading text lines and the remaining bytes.
///
/// Fuzz inputs carry a few parameters (status, symbol, JSON paths) in front of a body, one per
/// line, so libFuzzer's mutations reach both the parameters and the body. Missing lines read as
/// empty; bytes that are not UTF-8 are repaired, never rejected.
public struct FuzzInput {
    public var lines: [String]
    public var rest: [UInt8]

    public init(_ bytes: UnsafeRawBufferPointer, lineCount: Int) {
        var lines: [String] = []
        var start = 0
        var i = 0
        while lines.count < lineCount && i <= bytes.count {
            if i == bytes.count || bytes[i] == UInt8(ascii: "\n") {
                lines.append(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self))
                start = min(i + 1, bytes.count)
            }
            i += 1
        }
        while lines.count < lineCount { lines.append("") }
        self.lines = lines
        self.rest = Array(bytes[start...])
    }
}
