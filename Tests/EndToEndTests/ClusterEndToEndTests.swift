import Foundation
import Testing

/// Several oracled nodes on one real PostgreSQL: shards split fairly, every node answers for every
/// account, a node killed mid-burst or paused past its lease loses and repeats no call, and the
/// nodes ride out a PostgreSQL restart. Each test makes its own PostgreSQL cluster and fake venue.
@Suite(.serialized) struct ClusterEndToEndTests {
    static let lease = 2

    struct Cluster {
        let root: String
        let venue: FakeVenue
        let pg: PostgresServer
        var nodes: [ClusterNode]
    }

    static func makeCluster(_ name: String, nodes names: [String], environment: [String: [String: String]] = [:]) async throws -> Cluster? {
        let root = makeTempDir(name)
        guard let pg = try await PostgresServer.start(dir: root + "/pg") else { return nil }
        let venue = try await FakeVenue(dir: root)
        try ClusterBook.setBTC(venue, 50_000)
        var nodes: [ClusterNode] = []
        for n in names {
            nodes.append(try await ClusterNode.start(n, root: root, venueURL: venue.baseURL, pgURL: pg.url, leaseSeconds: lease,
                                                     environment: environment[n]))
        }
        return Cluster(root: root, venue: venue, pg: pg, nodes: nodes)
    }

    /// Waits until every node sees every other alive and the shards split within one of each other.
    static func settled(_ c: Cluster, alive names: [String], timeout: Double = 30) async -> Bool {
        await eventually(timeout: timeout, interval: 0.2) {
            for n in c.nodes where names.contains(n.name) {
                let s = n.shardsByNode()
                guard Set(s.keys) == Set(names), s.values.reduce(0, +) == 64,
                      s.values.max()! - s.values.min()! <= 1, n.heldHere().count == s[n.name] else { return false }
            }
            return true
        }
    }

    static func importBook(_ node: ClusterNode, count: Int) throws {
        let r = try node.daemon.client.request("POST", "/v1/accounts/import", body: ClusterBook.ndjson(count: count), timeout: 30)
        guard r.status == 200 else { throw HarnessError("import → \(r.status) \(r.body)") }
    }

    /// Waits until every node's marks show BTC near `price` (each node polls the venue itself).
    static func marksAt(_ nodes: [ClusterNode], _ price: Double) async -> Bool {
        await eventually(timeout: 15) {
            nodes.allSatisfy { n in
                guard let m = n.daemon.mark("BTC-USD"), m.status == "ok" else { return false }
                return abs(m.price / price - 1) < 0.001
            }
        }
    }

    @Test func twoNodesSplitTheShardsAndAnswerAlikeForEveryAccount() async throws {
        guard let c = try await Self.makeCluster("cluster-two", nodes: ["a", "b"]) else { return }
        #expect(await Self.settled(c, alive: ["a", "b"]), "shards: \(c.nodes.map { $0.shardsByNode() })")
        #expect(c.nodes[0].heldHere().isDisjoint(with: c.nodes[1].heldHere()))
        #expect(await Self.marksAt(c.nodes, 50_000))
        try Self.importBook(c.nodes[0], count: 40)

        // Every node answers for every account (the owner from memory, the other from the store).
        let a = try c.nodes[0].daemon.get("/v1/accounts"), b = try c.nodes[1].daemon.get("/v1/accounts")
        #expect((a["accounts"] as? [Any])?.count == 40 && (b["accounts"] as? [Any])?.count == 40)
        let evaluatedHere = c.nodes.map { n in ((try? n.daemon.get("/v1/accounts"))?["accounts"] as? [[String: Any]] ?? []).filter { $0["evaluated_here"] as? Bool == true }.count }
        #expect(await eventually(timeout: 10) {
            c.nodes.map { n in ((try? n.daemon.get("/v1/accounts"))?["accounts"] as? [[String: Any]] ?? []).filter { $0["evaluated_here"] as? Bool == true }.count }.reduce(0, +) == 40
        }, "accounts evaluated per node: \(evaluatedHere)")

        try ClusterBook.setBTC(c.venue, 49_000)
        #expect(await Self.marksAt(c.nodes, 49_000))
        let allCalled = await eventually(timeout: 20) { ClusterBook.census(c.nodes).files.count == 40 }
        let census = ClusterBook.census(c.nodes)
        #expect(allCalled, "notices delivered: \(census.files.count) of 40")
        #expect(census.files.values.allSatisfy { $0 == 1 } && census.lines.values.allSatisfy { $0 == 1 }, "a notice id in two spools or twice in one")
        #expect(census.lines.count == 40)
        // Each call is in the spool of the node that owns its account's shard.
        let held = Dictionary(uniqueKeysWithValues: c.nodes.map { ($0.name, $0.heldHere()) })
        for n in c.nodes {
            for (_, f) in n.spool.notices() {
                guard let account = f.json?["account"] as? String else { continue }
                let shard = Self.shard(of: account)
                #expect(held[n.name]?.contains(shard) == true, "\(account) (shard \(shard)) delivered by \(n.name)")
            }
        }
        // The same answer for one account on both nodes, and the call listed by both.
        let one0 = try c.nodes[0].daemon.get("/v1/accounts/c-7"), one1 = try c.nodes[1].daemon.get("/v1/accounts/c-7")
        #expect(one0["level"] as? String == "margin_call" && one1["level"] as? String == "margin_call")
        #expect(((try c.nodes[1].daemon.get("/v1/calls?state=open"))["calls"] as? [Any])?.count == 40)
        // A hold placed through the node that does not own the account reaches the owner.
        let owner = c.nodes.first { $0.heldHere().contains(Self.shard(of: "c-3")) }!
        let other = c.nodes.first { $0.name != owner.name }!
        let r = try other.daemon.client.request("POST", "/v1/accounts/c-3/hold", body: #"{"reason":"desk review"}"#)
        #expect(r.status == 200)
        #expect(await eventually(timeout: 5) {
            ((try? owner.daemon.get("/v1/accounts/c-3"))?["hold"] as? [String: Any])?["reason"] as? String == "desk review"
        })
        let metrics = try c.nodes[0].daemon.client.request("GET", "/metrics").body
        #expect(metrics.contains("oracled_cluster_lease_renewals_total{node=\"a\"}"))
        #expect(metrics.contains("oracled_cluster_fencing_rejections_total{node=\"a\"} 0"))
    }

    @Test func killNineOfAnOwnerMidBurstDeliversEveryCallExactlyOnce() async throws {
        let pauseDir = makeTempDir("cluster-kill-pause")
        guard var c = try await Self.makeCluster("cluster-kill", nodes: ["a", "b", "c"],
                                                 environment: ["a": ["ORACLED_FAULT_PAUSE_DIR": pauseDir]]) else { return }
        #expect(await Self.settled(c, alive: ["a", "b", "c"]))
        #expect(await Self.marksAt(c.nodes, 50_000))
        let count = 300
        try Self.importBook(c.nodes[1], count: count)
        // a stops inside its first delivery of the burst: the first chunk is in its spool, not yet
        // marked delivered; the rest of its burst is committed and not delivered.
        _ = FileManager.default.createFile(atPath: pauseDir + "/deliver", contents: nil)
        try ClusterBook.setBTC(c.venue, 49_000)
        #expect(await eventually(timeout: 20) { FileManager.default.fileExists(atPath: pauseDir + "/deliver.reached") }, "a never reached its delivery")
        let killedAt = Date()
        c.nodes[0].daemon.child.kill(SIGKILL)
        _ = await c.nodes[0].daemon.child.wait(timeout: 5)
        try? FileManager.default.removeItem(atPath: pauseDir + "/deliver")

        // b and c take a's shards over within 2 × lease (plus one round of the observer's polling).
        let survivors = Array(c.nodes[1...])
        let tookOver = await eventually(timeout: Double(4 * Self.lease), interval: 0.05) {
            survivors.allSatisfy { n in
                let s = n.shardsByNode()
                return s["a"] == nil && s.values.reduce(0, +) == 64
            }
        }
        let takeoverSeconds = Date().timeIntervalSince(killedAt)
        print("cluster: shards of the killed node taken over in \(String(format: "%.2f", takeoverSeconds)) s (lease \(Self.lease) s)")
        #expect(tookOver && takeoverSeconds <= Double(2 * Self.lease) + 0.5, "takeover took \(takeoverSeconds) s")
        let last = c.nodes[1].cluster()?["last_takeover"] as? [String: Any]
        #expect(last?["from"] as? String == "a")

        // Every call of the burst except those a claimed before dying is delivered by b or c.
        let before = ClusterBook.census(c.nodes)
        print("cluster: after takeover \(before.files.count) of \(count) calls delivered; a's spool holds \(before.byNode["a"]?.count ?? 0)")
        // a comes back: it settles its own in-doubt claims from its spool (written once, kept once).
        try await c.nodes[0].restart()
        let all = await eventually(timeout: 30) { ClusterBook.census(c.nodes).lines.count == count }
        let census = ClusterBook.census(c.nodes)
        #expect(all, "calls delivered: \(census.lines.count) of \(count)")
        #expect(census.files.count == count)
        #expect(census.files.filter { $0.value != 1 }.isEmpty, "in two spools: \(census.files.filter { $0.value != 1 }.keys.sorted().prefix(5))")
        #expect(census.lines.filter { $0.value != 1 }.isEmpty)
        // The API agrees: every notice is recorded delivered, by the node whose spool holds it.
        let notices = (try c.nodes[2].daemon.get("/v1/calls?state=all&limit=1000"))["notices"] as? [[String: Any]] ?? []
        #expect(notices.count == count)
        let holder = Dictionary(census.byNode.flatMap { node, ids in ids.map { ($0, node) } }, uniquingKeysWith: { a, _ in a })
        let mismatched = notices.filter { n in (n["delivered_by"] as? String) != holder[n["id"] as? String ?? ""] }
        #expect(mismatched.isEmpty, "delivered_by differs from the spool holding it: \(mismatched.prefix(3))")
    }

    @Test func aNodePausedPastItsLeaseDeliversNothingForTheShardsItLost() async throws {
        guard let c = try await Self.makeCluster("cluster-pause", nodes: ["a", "b"]) else { return }
        #expect(await Self.settled(c, alive: ["a", "b"]))
        #expect(await Self.marksAt(c.nodes, 50_000))
        try Self.importBook(c.nodes[1], count: 60)
        let aShards = c.nodes[0].heldHere()
        let pid = c.nodes[0].daemon.child.process.processIdentifier
        kill(pid, SIGSTOP)
        // While a is stopped: b takes a's shards over after the lease, then the move happens.
        #expect(await eventually(timeout: Double(4 * Self.lease)) { c.nodes[1].heldHere().count == 64 })
        try ClusterBook.setBTC(c.venue, 49_000)
        #expect(await Self.marksAt([c.nodes[1]], 49_000))
        #expect(await eventually(timeout: 20) { ClusterBook.census([c.nodes[1]]).files.count == 60 })
        let aBefore = Set(c.nodes[0].spool.notices().keys)
        kill(pid, SIGCONT)
        // a wakes with stale leases: it must write nothing for them, then rejoin and get its share back.
        #expect(await Self.settled(c, alive: ["a", "b"], timeout: 30))
        try await Task.sleep(for: .seconds(2))
        let aAfter = Set(c.nodes[0].spool.notices().keys)
        #expect(aAfter == aBefore, "a delivered \(aAfter.subtracting(aBefore).count) notices after waking")
        let census = ClusterBook.census(c.nodes)
        #expect(census.files.count == 60 && census.files.values.allSatisfy { $0 == 1 })
        #expect(!aShards.isEmpty)
    }

    @Test func nodesRideOutAPostgresRestartUnderLoad() async throws {
        guard let c = try await Self.makeCluster("cluster-pgrestart", nodes: ["a", "b"]) else { return }
        #expect(await Self.settled(c, alive: ["a", "b"]))
        #expect(await Self.marksAt(c.nodes, 50_000))
        try Self.importBook(c.nodes[0], count: 80)
        await c.pg.stop()
        // Marks keep flowing without the store; health says the store is down.
        try ClusterBook.setBTC(c.venue, 49_000)
        #expect(await Self.marksAt(c.nodes, 49_000))
        try await Task.sleep(for: .seconds(1))
        // A change while the store is down is refused as unavailable (retry later), not half-applied.
        let refused = try c.nodes[1].daemon.client.request("PUT", "/v1/accounts/late",
                                                             body: #"{"id":"late","collateral":[{"asset":"USD","amount":"100"}],"positions":[]}"#)
        #expect(refused.status == 503, "PUT while PostgreSQL is down → \(refused.status) \(refused.body)")
        try await c.pg.restart()
        // Within a few leases the nodes have their shards back and every call is out, once.
        #expect(await Self.settled(c, alive: ["a", "b"], timeout: 40))
        let all = await eventually(timeout: 40) { ClusterBook.census(c.nodes).lines.count == 80 }
        let census = ClusterBook.census(c.nodes)
        #expect(all, "calls delivered after the restart: \(census.lines.count) of 80")
        #expect(census.files.values.allSatisfy { $0 == 1 } && census.lines.values.allSatisfy { $0 == 1 })
    }

    /// FNV-1a 64 of the id modulo 64, written out again here (the daemon's `ShardKey`).
    static func shard(of id: String) -> Int {
        var h: UInt64 = 14_695_981_039_346_656_037
        for b in Array(id.utf8) { h = (h ^ UInt64(b)) &* 1_099_511_628_211 }
        return Int(h % 64)
    }
}
