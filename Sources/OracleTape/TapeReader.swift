#if canImport(Glibc)
import Glibc
#endif

/// Reads a tape file record by record, in chunks (a day's tape does not have to fit in memory).
/// Errors name the file and the byte offset; a torn last record ends the tape (`tornTail`).
public final class TapeReader {
    public let path: String
    private let fd: Int32
    private var buffer: [UInt8] = []
    /// Index in `buffer` of the next record.
    private var start = 0
    /// File offset of `buffer[0]`.
    private var bufferOffset = 0
    private var eof = false
    /// File offset just past the last good record.
    public private(set) var validEnd = TapeFormat.headerSize
    /// Where the torn tail starts and why it is torn, once `next()` has reached it.
    public private(set) var tornTail: (offset: Int, reason: String)?
    public private(set) var recordsRead = 0
    static let chunk = 1 << 20

    public init(path: String) throws(TapeError) {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw TapeError(.io, path: path, offset: 0, "cannot open: \(String(cString: strerror(errno))); check the path")
        }
        self.fd = fd
        try fill(atLeast: TapeFormat.headerSize)
        try TapeDecoder.checkHeader(buffer[...], path: path)
        start = TapeFormat.headerSize
    }

    deinit { close(fd) }

    /// The next record, or nil at the end of the tape (after a torn tail too: see `tornTail`).
    public func next() throws(TapeError) -> TapeRecord? {
        while true {
            if tornTail != nil { return nil }
            if eof && start == buffer.count { return nil }
            switch TapeDecoder.next(buffer[start...], atEOF: eof) {
            case .record(let r, let size):
                start += size
                validEnd = bufferOffset + start
                recordsRead += 1
                return r
            case .needMore:
                try fill(atLeast: buffer.count - start + TapeFormat.chunkHint)
            case .tornTail(let why):
                tornTail = (bufferOffset + start, why)
                return nil
            case .corrupt(let why):
                throw TapeError(.corrupt, path: path, offset: bufferOffset + start,
                                "\(why); the tape is damaged from here on (the \(recordsRead) records before are good)")
            }
        }
    }

    /// Reads until `buffer` holds at least `n` unread bytes or the file ends.
    private func fill(atLeast n: Int) throws(TapeError) {
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeFirst(start)
            bufferOffset += start
            start = 0
        }
        var chunk = [UInt8](repeating: 0, count: Self.chunk)
        while !eof && buffer.count - start < n {
            let got = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, Self.chunk) }
            if got < 0 {
                if errno == EINTR { continue }
                throw TapeError(.io, path: path, offset: bufferOffset + buffer.count, "read failed: \(String(cString: strerror(errno)))")
            }
            if got == 0 { eof = true } else { buffer.append(contentsOf: chunk[0..<got]) }
        }
    }
}

extension TapeFormat {
    /// How much more to read when a record is incomplete in the buffer.
    static let chunkHint = 1 << 20
}
