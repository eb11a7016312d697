import ArgumentParser
import Foundation
import OracleConfig
import OracleCore
import OracleFetch

extension Oracled {
    struct Probe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fetch one quote from a configured source, or parse a saved response body.",
            discussion: """
            oracled probe --config oracles.toml SOURCE SYMBOL      fetch once, print status, timing and the parsed quote
            oracled probe --kind KIND --body FILE [--status N] [--header 'Retry-After: 7'] SYMBOL
                                                                  parse a saved body (with --json: the parse as JSON)
            """)

        @Option(help: "Path to oracles.toml (live mode).")
        var config: String?

        @Option(help: "Venue kind for --body mode: \(VenueKind.allCases.map(\.rawValue).joined(separator: ", ")).")
        var kind: String?

        @Option(help: "File holding a saved response body.")
        var body: String?

        @Option(help: "HTTP status of the saved response.")
        var status: Int = 200

        @Option(name: .customLong("header"), help: "A response header 'Name: value' (repeatable).")
        var headers: [String] = []

        @Flag(help: "Print JSON: {\"bid\",\"ask\",\"last\",\"exchange_ts_ms\"} or {\"error\",\"retry_after_s\"}.")
        var json = false

        @Option(help: "--kind generic: dotted JSON path of the last price (e.g. data.0.last).")
        var pricePath: String?
        @Option(help: "--kind generic: path of the best bid.")
        var bidPath: String?
        @Option(help: "--kind generic: path of the best ask.")
        var askPath: String?
        @Option(help: "--kind generic: path of the venue timestamp.")
        var timestampPath: String?
        @Option(help: "--kind generic: unit of the timestamp: s, ms, us, ns, iso8601.")
        var timestampUnit: String = "ms"
        @Option(help: "--kind generic: path that, when present and non-empty, means the body is an error.")
        var errorPath: String?

        @Argument(help: "SOURCE SYMBOL (live mode) or SYMBOL (--body mode).")
        var arguments: [String]

        func validate() throws {
            if body != nil {
                guard kind != nil else { throw ValidationError("--body needs --kind (one of \(VenueKind.allCases.map(\.rawValue).joined(separator: ", ")))") }
                guard arguments.count == 1 else { throw ValidationError("--body mode takes exactly one argument: the venue's SYMBOL") }
            } else {
                guard config != nil else { throw ValidationError("give --config FILE SOURCE SYMBOL to fetch, or --kind KIND --body FILE SYMBOL to parse a saved body") }
                guard arguments.count == 2 else { throw ValidationError("live mode takes two arguments: SOURCE SYMBOL") }
            }
        }

        func run() async throws {
            if let body, let kind { try parseSaved(bodyPath: body, kindName: kind) } else { try await fetchLive() }
        }

        private func parseSaved(bodyPath: String, kindName: String) throws {
            guard let kind = VenueKind(rawValue: kindName) else {
                throw ValidationError("unknown --kind \"\(kindName)\"; use one of \(VenueKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let data = FileManager.default.contents(atPath: bodyPath) else {
                throw ValidationError("cannot read --body \(bodyPath)")
            }
            var hs: [(name: String, value: String)] = []
            for h in headers {
                guard let colon = h.firstIndex(of: ":") else { throw ValidationError("--header \"\(h)\" must look like 'Name: value'") }
                hs.append((String(h[..<colon]).trimmingCharacters(in: .whitespaces), String(h[h.index(after: colon)...]).trimmingCharacters(in: .whitespaces)))
            }
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let response = VenueResponse(status: status, headers: hs, body: [UInt8](data), receivedAtMs: now)
            var generic: GenericAdapterSpec?
            if kind == .generic {
                guard pricePath != nil || bidPath != nil || askPath != nil else {
                    throw ValidationError("--kind generic needs --price-path and/or --bid-path/--ask-path (dotted JSON paths, e.g. data.0.last)")
                }
                guard let unit = GenericAdapterSpec.TimestampUnit(rawValue: timestampUnit) else {
                    throw ValidationError("--timestamp-unit must be one of \(GenericAdapterSpec.TimestampUnit.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                generic = GenericAdapterSpec(urlTemplate: "/{symbol}", pricePath: pricePath, bidPath: bidPath, askPath: askPath,
                                             timestampPath: timestampPath, timestampUnit: unit, errorPath: errorPath)
            }
            let result: Result<Quote, VenueError>
            do { result = .success(try VenueAdapters.parse(kind, symbol: arguments[0], response: response, generic: generic)) } catch { result = .failure(error) }
            print(json ? VenueAdapters.probeJSON(result) : Self.describe(result))
            if case .failure = result, !json { throw ExitCode(1) }
        }

        private func fetchLive() async throws {
            let cfg: OracleConfiguration
            do { cfg = try ConfigLoader.load(path: config!) } catch {
                FileHandle.standardError.write(Data("\(error)\n".utf8))
                throw ExitCode(1)
            }
            let name = arguments[0], symbol = arguments[1]
            guard let spec = cfg.sources.first(where: { $0.name == name }) else {
                throw ValidationError("no [[source]] named \"\(name)\" in \(config!); sources: \(cfg.sources.map(\.name).joined(separator: ", "))")
            }
            let url = VenueAdapters.requestURL(for: spec, symbol: symbol)
            let loop = CurlMultiLoop(userAgent: cfg.daemon.userAgent)
            loop.start()
            defer { loop.shutdown() }
            let request = FetchRequest(url: url, connectTimeoutMs: spec.connectTimeoutMs, totalTimeoutMs: spec.totalTimeoutMs,
                                       maxBodyBytes: spec.maxBodyBytes, userAgent: cfg.daemon.userAgent)
            print("GET \(url)")
            do {
                let r = try await loop.fetch(request)
                print("HTTP \(r.status) in \(String(format: "%.1f", r.timing.totalMs)) ms (\(r.body.count) bytes)")
                let vr = VenueResponse(status: r.status, headers: r.headers, body: r.body, receivedAtMs: Int64(Date().timeIntervalSince1970 * 1000))
                let result: Result<Quote, VenueError>
                do { result = .success(try VenueAdapters.parse(spec.kind, symbol: symbol, response: vr, generic: spec.generic)) } catch { result = .failure(error) }
                print(json ? VenueAdapters.probeJSON(result) : Self.describe(result))
                if case .failure = result { throw ExitCode(1) }
            } catch let e as FetchError {
                print("transport error: \(e)")
                throw ExitCode(1)
            }
        }

        static func describe(_ result: Result<Quote, VenueError>) -> String {
            switch result {
            case .success(let q):
                let ts = q.exchangeTimestampMs.map { "\($0) (\(RFC3339.format(ms: $0)))" } ?? "none (receive time is used)"
                return """
                bid:        \(q.bid?.text ?? "-")
                ask:        \(q.ask?.text ?? "-")
                last:       \(q.last?.text ?? "-")
                venue time: \(ts)
                """ + (q.confidence.map { "\nconfidence: \($0.text)" } ?? "")
            case .failure(let e):
                return "error: \(e.errorClass.rawValue) — \(e.message)" + (e.retryAfterSeconds.map { " (retry after \($0) s)" } ?? "")
            }
        }
    }
}
