import ArgumentParser

/// `oraclectl cluster`: the nodes sharing this daemon's store, the shards each holds, lease ages and
/// the last takeover, as this node saw them at its last lease round.
struct Cluster: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the cluster: nodes, their shards, lease ages and the last takeover.",
        discussion: "Answered by the node you ask (every node sees the same leases in the shared store). A node without [cluster] answers 404.")

    @Flag(help: "Also list every shard's lease (owner, token, age, expiry).")
    var leases = false

    @OptionGroup var options: GlobalOptions

    func run() throws {
        let showLeases = leases
        try options.call("GET", "/v1/cluster") { Render.cluster($0, leases: showLeases) }
    }
}

extension Render {
    static func cluster(_ answer: JSONValue, leases: Bool) -> String {
        var lines: [(String, String)] = [
            ("this node", answer["node"]?.cell ?? "-"),
            ("shards", "\(answer["shards"]?.cell ?? "-") (lease \(answer["lease_ms"]?.cell ?? "-") ms)"),
            ("last round", answer["last_round"]?.cell ?? "-"),
        ]
        if let e = answer["store_error"], e != .null { lines.append(("store error", e.cell)) }
        if let t = answer["last_takeover"], t != .null {
            lines.append(("last takeover", "shard \(t["shard"]?.cell ?? "-") from \(t["from"]?.cell ?? "-") to \(t["to"]?.cell ?? "-") at \(t["at"]?.cell ?? "-")"))
        } else {
            lines.append(("last takeover", "none"))
        }
        var out = Table.keyValue(lines)
        if case .array(let nodes)? = answer["nodes"], !nodes.isEmpty {
            var table = Table(["NODE", "ALIVE", "HEARTBEAT AGE", "SHARDS", "STARTED"])
            for n in nodes {
                let shards: String
                if case .array(let s)? = n["shards"] { shards = "\(s.count)" } else { shards = "-" }
                table.add([n["node"]?.cell ?? "-", n["alive"]?.cell ?? "-", age(n["heartbeat_age_ms"]), shards, n["started"]?.cell ?? "-"])
            }
            out += "\n\n" + table.rendered
        }
        if leases, case .array(let rows)? = answer["leases"] {
            var table = Table(["SHARD", "NODE", "TOKEN", "AGE", "EXPIRES IN"])
            for l in rows {
                table.add([l["shard"]?.cell ?? "-", l["node"]?.cell ?? "-", l["token"]?.cell ?? "-", age(l["age_ms"]), age(l["expires_in_ms"])])
            }
            out += "\n\n" + table.rendered
        }
        return out
    }
}
