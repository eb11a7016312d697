import FuzzDriver
import Dispatch
import NIOCore
import NIOEmbedded
import OracleCore
import OracleServer

/// libFuzzer entry point for the socket API: the input is the raw byte stream a client sends.
///
/// The bytes go through the daemon's real per-connection pipeline (`UnixSocketServer.attachConnection`:
/// NIO's HTTP decoder with our header limits, `ProtocolErrorResponder`, the timeout handler and
/// `HTTPConnection`'s request loop) on an in-memory channel, then the input is closed and every
/// response is drained. Small limits make the 413/431 paths reachable.
let limits = ServerLimits(maxHeaderBytes: 2048, maxBodyBytes: 8192, maxConnections: 4, requestTimeout: .seconds(30))
let peer = PeerCredentials(pid: 1, uid: 0, gid: 0)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeRawBufferPointer(start: size > 0 ? data : nil, count: size))
    let done = DispatchSemaphore(value: 0)
    Task {
        await drive(bytes)
        done.signal()
    }
    done.wait()
    return 0
}

func drive(_ bytes: [UInt8]) async {
    let channel = NIOAsyncTestingChannel()
    do {
        let serve = try await channel.testingEventLoop.executeInContext {
            try UnixSocketServer.attachConnection(to: channel, limits: limits, peer: peer, handler: FuzzRouter())
        }
        try await channel.connect(to: SocketAddress(unixDomainSocketPath: "/fuzz/oracled.sock"))
        let served = Task { await serve() }
        try await channel.writeInbound(ByteBuffer(bytes: bytes))
        try await channel.testingEventLoop.executeInContext {
            channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        }
        await served.value
        while let _ = try await channel.readOutbound(as: IOData.self) {}
    } catch {
        // A closed channel or a refused write ends the exchange; only crashes and sanitizer reports matter.
    }
    // Close, run whatever the close scheduled, and drop pending timers so nothing keeps the
    // channel alive once this input is done (leaks are findings too).
    _ = try? await channel.finish(acceptAlreadyClosed: true)
    try? await channel.testingEventLoop.shutdownGracefully()
}

/// The entry point SwiftPM links as `main` (see FuzzDriver/include/fuzz_driver.h).
@_cdecl("fuzz_http_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    oracled_fuzz_run(argc, argv, fuzzOneInput)
}
