import Testing
@testable import OracleConfig

/// `[cluster]`: defaults, bounds, and that it needs a shared store.
struct ClusterConfigTests {
    static let store = "\n[store]\nbackend = \"postgresql\"\nurl = \"postgresql://oracled@/oracled?host=/run/postgresql\"\n"

    @Test func absentClusterIsASingleNode() throws {
        #expect(try accepted(Fixture.config()).cluster == nil)
    }

    @Test func clusterIsDecodedWithItsDefaults() throws {
        let c = try accepted(Fixture.config() + Self.store + "\n[cluster]\nnode = \"oracle-a\"\n").cluster
        #expect(c == ClusterSettings(node: "oracle-a", shards: 64, leaseMs: 5_000, inDoubtAfterMs: 60_000))
        let d = try accepted(Fixture.config() + Self.store + "\n[cluster]\nnode = \"b\"\nshards = 256\nlease = \"2s\"\nin_doubt_after = \"5m\"\n").cluster
        #expect(d == ClusterSettings(node: "b", shards: 256, leaseMs: 2_000, inDoubtAfterMs: 300_000))
    }

    @Test func clusterWithoutASharedStoreIsRefusedOnItsHeader() {
        let text = Fixture.config() + "\n[cluster]\nnode = \"a\"\n"
        expectSingleProblem(text, at: "[cluster]", key: "", code: .invalidValue, mentioning: "backend = \"postgresql\"")
    }

    @Test(arguments: [
        ("node = \"\"", "node", "letters, digits"),
        ("node = \"a b\"", "node", "letters, digits"),
        ("shards = 0", "shards", "shards"),
        ("lease = \"200ms\"", "lease", "at least 1s"),
        ("lease = 5", "lease", "no unit"),
    ])
    func badValuesNameTheKey(_ line: String, _ key: String, _ fragment: String) {
        let extra = line.hasPrefix("node") ? line : "node = \"a\"\n" + line
        let text = Fixture.config() + Self.store + "\n[cluster]\n" + extra + "\n"
        let ps = problems(text)
        #expect(ps.contains { $0.key == key && $0.section == "[cluster]" && $0.message.contains(fragment) }, "\(ps.map(\.description))")
    }

    @Test func nodeIsRequired() {
        let ps = problems(Fixture.config() + Self.store + "\n[cluster]\nshards = 8\n")
        #expect(ps.contains { $0.key == "node" && $0.code == .missingKey })
    }
}
