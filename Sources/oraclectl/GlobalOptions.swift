import ArgumentParser
#if canImport(Glibc)
import Glibc
import OracleClient
#endif

/// Options every subcommand takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Path of oracled's Unix socket.", valueName: "path"))
    var socket: String?

    @Flag(name: .long, help: "Print the daemon's JSON answer verbatim.")
    var json = false

    /// The socket actually used (see `SocketLocator`).
    var socketPath: String { SocketLocator.resolve(flag: socket) }

    /// Ordinary requests give up after a minute without a byte (a stopped daemon must not hang a
    /// script for ever); the `watch` stream and `calls --follow` set their own.
    var client: UnixHTTPClient { client(timeout: 60) }

    func client(timeout: Double?) -> UnixHTTPClient {
        UnixHTTPClient(endpoint: .unix(path: socketPath), timeout: timeout, userAgent: "oraclectl",
                       connectHint: "is oracled running? (set --socket or $ORACLED_SOCKET)")
    }

    /// Sends a request and prints the answer: verbatim with `--json`, else through `render`.
    /// A non-2xx answer becomes a `ClientError` carrying the daemon's own message (exit status 1).
    func call(
        _ method: String,
        _ target: String,
        body: [UInt8]? = nil,
        contentType: String? = nil,
        render: (JSONValue) -> String = Render.generic
    ) throws(ClientError) {
        let reply = try client.send(method, target, body: body, contentType: contentType)
        try Self.checkStatus(reply)
        if json {
            Self.printFlushed(reply.text.hasSuffix("\n") ? String(reply.text.dropLast()) : reply.text)
            return
        }
        if reply.body.isEmpty {
            Self.printFlushed("ok (\(reply.status))")
            return
        }
        guard let value = try? JSONValue.parse(reply.body) else {
            Self.printFlushed(reply.text)
            return
        }
        Self.printFlushed(render(value))
    }

    /// Turns a non-2xx reply into an error with the daemon's message.
    static func checkStatus(_ reply: HTTPReply) throws(ClientError) {
        guard !(200..<300).contains(reply.status) else { return }
        // 5xx: the daemon could not do it now (starting, store failing): `calls --follow` retries those.
        throw ClientError("oracled answered \(reply.status): \(errorMessage(reply))", kind: reply.status >= 500 ? .io : .other)
    }

    /// The message of `{"error":{"message":…}}` or `{"error":"…"}`, else the raw body.
    static func errorMessage(_ reply: HTTPReply) -> String {
        if let value = try? JSONValue.parse(reply.body), let error = value["error"] {
            if case .string(let s) = error { return s }
            if case .string(let s)? = error["message"] { return s }
        }
        let text = reply.text.trimmedBlanks
        return text.isEmpty ? "(no message)" : text
    }

    /// Prints and flushes, so `watch | grep` sees each line at once.
    static func printFlushed(_ text: String) {
        print(text)
        // fflush(nil) flushes every output stream; naming `stdout` is not concurrency-safe in Swift 6.
        fflush(nil)
    }
}

/// Percent-encodes one path segment (account and call ids may hold any character).
func pathSegment(_ s: String) -> String {
    var out = ""
    for byte in s.utf8 {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
            out.unicodeScalars.append(Unicode.Scalar(byte))
        default:
            let hex = String(byte, radix: 16, uppercase: true)
            out += "%" + (hex.count == 1 ? "0" : "") + hex
        }
    }
    return out
}

/// Reads a whole file for upload, with an error naming the file.
func readFile(_ path: String) throws(ClientError) -> [UInt8] {
    guard let handle = fopen(path, "rb") else {
        throw ClientError("cannot read \(path): \(String(cString: strerror(errno)))")
    }
    defer { fclose(handle) }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    while true {
        let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, handle) }
        if n > 0 { out += chunk[..<n] }
        if n < chunk.count {
            if ferror(handle) != 0 { throw ClientError("cannot read \(path): read error") }
            return out
        }
    }
}
