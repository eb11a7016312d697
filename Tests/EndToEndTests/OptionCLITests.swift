import Foundation
import Testing

/// `oracled option …` as a risk manager runs it: the Deribit fixture's inputs reproduce the venue's
/// published Greeks, `--json` is one object of numbers, and bad input exits 64 naming the option.
struct OptionCLITests {
    func run(_ args: [String]) throws -> (Int32, String, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Binaries.path("oracled"))
        p.arguments = ["option"] + args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    /// Deribit BTC-26JUN26-100000-C at 2025-07-09T10:35:45.721Z (Tests/Fixtures/options).
    let deribit = ["--right", "call", "--strike", "100000", "--expiry", "2026-06-26T08:00:00Z",
                   "--forward", "116086.34", "--vol", "0.4543", "--at", "2025-07-09T10:35:45.721Z"]

    @Test func jsonReproducesTheDeribitTicker() throws {
        let (status, out, err) = try run(deribit + ["--json"])
        #expect(status == 0, "\(err)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Double])
        #expect(Set(obj.keys) == ["price", "delta", "gamma", "vega", "theta", "rho", "years"])
        let published = ["delta": 0.71138, "vega": 389.29255, "theta": -25.13021, "rho": 524.77921]
        for (k, v) in published { #expect(abs(obj[k]! - v) / abs(v) < 4e-5, "\(k) \(obj[k]!) vs \(v)") }
        #expect(abs(obj["price"]! / 116086.34 - 0.2425) / 0.2425 < 1e-4)
    }

    @Test func textNamesUnits() throws {
        let (status, out, _) = try run(deribit)
        #expect(status == 0)
        #expect(out.contains("USD per vol point") && out.contains("USD per calendar day") && out.contains("price"))
    }

    @Test(arguments: [
        (["--right", "straddle"], "--right"), (["--strike", "abc"], "--strike"), (["--strike", "-1"], "--strike"),
        (["--expiry", "26JUN26"], "--expiry"), (["--forward", "nan"], "--forward"), (["--forward", "0"], "--forward"),
        (["--vol", "45.43"], "--vol"), (["--vol", "-0.1"], "--vol"), (["--at", "yesterday"], "--at"), (["--rate", "x"], "--rate"),
    ])
    func badInputExits64NamingTheOption(_ change: [String], _ option: String) throws {
        var args = deribit
        if let i = args.firstIndex(of: change[0]) { args[i + 1] = change[1] } else { args += change }
        let (status, out, err) = try run(args + ["--json"])
        #expect(status == 64, "\(out) \(err)")
        #expect(err.contains(option), "\(err)")
        #expect(out.isEmpty)
    }
}
