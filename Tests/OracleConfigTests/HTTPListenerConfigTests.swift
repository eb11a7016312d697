import Testing
@testable import OracleConfig

/// `[daemon] http` / `http_write`: off by default, loopback only, errors naming the line and the key.
struct HTTPListenerConfigTests {
    @Test func offByDefaultAndReadOnly() throws {
        let config = try accepted(Fixture.config())
        #expect(config.daemon.http == nil)
        #expect(config.daemon.httpWrite == false)
    }

    @Test func loopbackAddressesAreAccepted() throws {
        for (written, host, port) in [("127.0.0.1:8787", "127.0.0.1", 8787), ("localhost:9000", "127.0.0.1", 9000),
                                      ("127.1.2.3:1", "127.1.2.3", 1), ("[::1]:65535", "::1", 65535)] {
            let config = try accepted(Fixture.config(daemon: "http = \"\(written)\"\nhttp_write = true"))
            #expect(config.daemon.http == HTTPListenAddress(host: host, port: port), "\(written)")
            #expect(config.daemon.httpWrite == true)
        }
        #expect(HTTPListenAddress(host: "::1", port: 8787).description == "[::1]:8787")
        #expect(HTTPListenAddress(host: "127.0.0.1", port: 8787).description == "127.0.0.1:8787")
    }

    @Test func nonLoopbackAddressesAreRefusedWithTheReason() {
        for address in ["0.0.0.0:8787", "10.0.0.5:8787", "192.168.1.1:80", "[::]:8787", "example.com:8787", "128.0.0.1:8787"] {
            let text = Fixture.config(daemon: "socket = \"/tmp/x.sock\"\nhttp = \"\(address)\"")
            let problem = expectSingleProblem(text, at: "http =", key: "http", code: .invalidValue, mentioning: "not a loopback address")
            #expect(problem?.message.contains("docs/nginx.conf") == true, "\(address): \(problem?.description ?? "")")
        }
    }

    @Test func malformedAddressesNameThePort() {
        for (address, fragment) in [("127.0.0.1", "HOST:PORT"), ("127.0.0.1:0", "1 to 65535"), ("127.0.0.1:70000", "1 to 65535"),
                                    ("127.0.0.1:http", "1 to 65535"), ("::1:8787", "HOST:PORT"), ("[::1]8787", "[IPV6]:PORT"),
                                    ("127.0.0.01:8787", "not a loopback"), ("127.0.0:8787", "not a loopback"), ("", "HOST:PORT")] {
            let text = Fixture.config(daemon: "http = \"\(address)\"")
            expectSingleProblem(text, at: "http =", key: "http", code: .invalidValue, mentioning: fragment)
        }
    }

    @Test func wrongTypesAreNamed() {
        expectSingleProblem(Fixture.config(daemon: "http = 8787"), at: "http =", key: "http", code: .wrongType, mentioning: "8787")
        expectSingleProblem(Fixture.config(daemon: "http = \"127.0.0.1:8787\"\nhttp_write = \"yes\""), at: "http_write", key: "http_write",
                            code: .wrongType, mentioning: "true or false")
    }
}
