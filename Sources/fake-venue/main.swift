import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

// fake-venue: serves the response shapes of every venue oracled knows on 127.0.0.1, with prices and
// faults set over HTTP (`/_control/price`, `/_control/fault`, `/_control/stats`). Used by `make demo`
// and by the end-to-end tests. Prints "LISTENING <port>" once bound.
var port = 18080
var args = CommandLine.arguments.dropFirst().makeIterator()
while let a = args.next() {
    switch a {
    case "--port": port = args.next().flatMap(Int.init) ?? port
    case "-h", "--help":
        print("usage: fake-venue [--port N]   (0 = any free port)")
        exit(0)
    default:
        FileHandle.standardError.write("fake-venue: unknown argument \(a)\n".data(using: .utf8)!)
        exit(2)
    }
}

let state = VenueState()
let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
let bootstrap = ServerBootstrap(group: group)
    .serverChannelOption(.backlog, value: 256)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelInitializer { channel in
        channel.pipeline.configureHTTPServerPipeline().flatMap {
            channel.pipeline.addHandler(FakeVenueHandler(state: state))
        }
    }
do {
    let channel = try bootstrap.bind(host: "127.0.0.1", port: port).wait()
    FileHandle.standardOutput.write("LISTENING \(channel.localAddress?.port ?? port)\n".data(using: .utf8)!)
    try channel.closeFuture.wait()
} catch {
    FileHandle.standardError.write("fake-venue: cannot listen on 127.0.0.1:\(port): \(error)\n".data(using: .utf8)!)
    exit(1)
}
