#if canImport(Glibc)
import Glibc
#endif

/// Appends records to a tape file. Opening an existing tape continues it: its torn tail, if a
/// crash left one, is cut off first, so the new records never sit behind a damaged one (which
/// would turn a harmless torn tail into corruption). A file that is not a tape is refused.
///
/// Not thread-safe: one owner (the recorder's writer queue) calls it.
public final class TapeWriter {
    public let path: String
    /// Internal, not private: the recorder's tests point it at /dev/full to make writes fail.
    let fd: Int32
    /// Bytes in the file (header and good records).
    public private(set) var size: Int

    public init(path: String) throws(TapeError) {
        self.path = path
        var existing = 0
        var st = stat()
        if stat(path, &st) == 0, st.st_size > 0 {
            let reader = try TapeReader(path: path)
            while try reader.next() != nil {}
            existing = reader.validEnd
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else {
            throw TapeError(.io, path: path, offset: 0, "cannot open for writing: \(String(cString: strerror(errno))); check the directory exists and is writable")
        }
        self.fd = fd
        self.size = existing
        if existing > 0 {
            guard ftruncate(fd, off_t(existing)) == 0, lseek(fd, off_t(existing), SEEK_SET) >= 0 else {
                throw TapeError(.io, path: path, offset: existing, "cannot cut the torn tail: \(String(cString: strerror(errno)))")
            }
        } else {
            guard ftruncate(fd, 0) == 0 else {
                throw TapeError(.io, path: path, offset: 0, "cannot truncate: \(String(cString: strerror(errno)))")
            }
            size = 0
            try write(TapeFormat.header)
        }
    }

    deinit { close(fd) }

    /// Appends bytes (whole framed records). A short write on a full disk leaves a torn tail,
    /// which readers ignore and the next `TapeWriter` on the file cuts off.
    public func write(_ bytes: [UInt8]) throws(TapeError) {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, bytes.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                let e = String(cString: strerror(errno))
                // Cut the partial record off, so the next append does not land behind it.
                _ = ftruncate(fd, off_t(size))
                _ = lseek(fd, off_t(size), SEEK_SET)
                throw TapeError(.io, path: path, offset: size + done, "write failed: \(e)")
            }
            done += n
        }
        size += done
    }

    /// Forces the tape to disk (at close; the recorder does not sync every cycle).
    public func sync() throws(TapeError) {
        guard fdatasync(fd) == 0 else {
            throw TapeError(.io, path: path, offset: size, "fdatasync failed: \(String(cString: strerror(errno)))")
        }
    }
}
