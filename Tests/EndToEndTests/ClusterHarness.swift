import Foundation
import Testing

/// A throwaway PostgreSQL cluster for one test, made and run by `scripts/pg-test-server.sh` (initdb
/// under the test's directory, a Unix socket there, stopped at the end). Nil, with the reason
/// printed, only when PostgreSQL's server binaries are not installed (`.ci/run` installs them).
final class PostgresServer: @unchecked Sendable {
    let dir: String
    let url: String

    static let script = Binaries.repoRoot.appendingPathComponent("scripts/pg-test-server.sh").path

    /// Runs the script with its output in a file: the server it starts inherits the script's
    /// descriptors, so a pipe would never reach end-of-file while PostgreSQL runs.
    static func script(_ command: String, _ dir: String) async -> (status: Int32, output: String) {
        let out = dir + ".out"
        let r = await runCommand("/bin/bash", ["-c", "\"$0\" \"$1\" \"$2\" > \"$3\" 2>&1", script, command, dir, out], timeout: 90)
        let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        return (r.status, text + r.output)
    }

    static func start(dir: String) async throws -> PostgresServer? {
        let r = await script("start", dir)
        if r.status == 3 {
            print("SKIP: PostgreSQL is not installed here (\(r.output.trimmingCharacters(in: .whitespacesAndNewlines))); apt-get install postgresql")
            return nil
        }
        guard r.status == 0, let url = r.output.split(separator: "\n").last.map(String.init), url.hasPrefix("postgresql://") else {
            throw HarnessError("pg-test-server.sh start \(dir) failed (\(r.status)):\n\(r.output)")
        }
        return PostgresServer(dir: dir, url: url)
    }

    private init(dir: String, url: String) {
        self.dir = dir
        self.url = url
    }

    func stop() async { _ = await Self.script("stop", dir) }

    func restart() async throws {
        await stop()
        let r = await Self.script("start", dir)
        guard r.status == 0 else { throw HarnessError("pg-test-server.sh restart failed (\(r.status)):\n\(r.output)") }
    }

    deinit {
        let d = dir, s = Self.script
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [s, "stop", d]
        try? p.run()
        p.waitUntilExit()
    }
}

/// One oracled node of a test cluster: its own socket, spool and state directory, the shared store.
struct ClusterNode {
    let name: String
    let dir: String
    let configPath: String
    var daemon: RunningDaemon
    var spool: SpoolInspector { SpoolInspector(directory: dir + "/spool") }

    static func config(name: String, dir: String, venueURL: String, pgURL: String, leaseSeconds: Int) -> String {
        MarginScenario.config(dir: dir, venueURL: venueURL, syslogSocket: nil, pollInterval: "200ms") + """

        [store]
        backend = "postgresql"
        url = "\(pgURL)"

        [cluster]
        node = "\(name)"
        shards = 64
        lease = "\(leaseSeconds)s"
        in_doubt_after = "10m"

        """
    }

    static func start(_ name: String, root: String, venueURL: String, pgURL: String, leaseSeconds: Int,
                      environment: [String: String]? = nil) async throws -> ClusterNode {
        let dir = root + "/" + name
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let configPath = dir + "/oracles.toml"
        try config(name: name, dir: dir, venueURL: venueURL, pgURL: pgURL, leaseSeconds: leaseSeconds)
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        let d = try await DaemonLauncher.start(config: configPath, socket: dir + "/oracled.sock", log: dir + "/oracled.log",
                                               environment: environment)
        return ClusterNode(name: name, dir: dir, configPath: configPath, daemon: d)
    }

    mutating func restart(environment: [String: String]? = nil) async throws {
        daemon = try await DaemonLauncher.start(config: configPath, socket: dir + "/oracled.sock", log: dir + "/oracled-\(Int(Date().timeIntervalSince1970)).log",
                                                environment: environment)
    }

    /// `GET /v1/cluster` as this node sees it.
    func cluster() -> [String: Any]? { try? daemon.get("/v1/cluster") }

    /// Shards each node holds, per this node's last lease round.
    func shardsByNode() -> [String: Int] {
        var out: [String: Int] = [:]
        for n in (cluster()?["nodes"] as? [[String: Any]]) ?? [] {
            if let name = n["node"] as? String, (n["alive"] as? Bool) == true { out[name] = (n["shards"] as? [Any])?.count ?? 0 }
        }
        return out
    }

    func heldHere() -> Set<Int> {
        Set((((cluster()?["this_node"] as? [String: Any])?["shards_held"]) as? [Int]) ?? [])
    }
}

/// Accounts for the cluster suites: long 1 BTC from 50,000 with USD such that at 50,000 the ratio is
/// about 1.43 (no level) and at 49,000 about 1.05 (margin call): one notice each on the move.
enum ClusterBook {
    static func ndjson(count: Int, prefix: String = "c") -> String {
        (0..<count).map { i in
            // 3,572.50 USD ± a cent per account, so ids and amounts differ but every ratio lands in the same band.
            let usd = String(format: "%.2f", 3572.5 + Double(i % 7) * 0.01)
            return #"{"id":"\#(prefix)-\#(i)","collateral":[{"asset":"USD","amount":"\#(usd)"}],"positions":[{"pair":"BTC-USD","quantity":"1","entry_price":"50000"}]}"#
        }.joined(separator: "\n")
    }

    /// The fake venue's BTC price on all three venues (ETH held where it is).
    static func setBTC(_ venue: FakeVenue, _ price: Double) throws {
        try venue.setPrice("BTC-USD", price)
        try venue.setPrice("ETH-USD", 3000)
    }

    /// Every notice id across the nodes' spools (files in new/ and lines in calls.jsonl) with how
    /// many times it appears in each kind of place, summed over nodes.
    static func census(_ nodes: [ClusterNode]) -> (files: [String: Int], lines: [String: Int], byNode: [String: Set<String>]) {
        var files: [String: Int] = [:], lines: [String: Int] = [:], byNode: [String: Set<String>] = [:]
        for n in nodes {
            let f = n.spool.notices()
            for id in f.keys { files[id, default: 0] += 1 }
            for e in n.spool.journal().entries { lines[e.id, default: 0] += 1 }
            byNode[n.name] = Set(f.keys)
        }
        return (files, lines, byNode)
    }
}
