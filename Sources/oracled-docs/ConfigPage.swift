import OracleConfig

/// oracles.toml(5), from the documented keys in ConfigKeys.swift.
enum ConfigPage {
    static func render() -> String {
        var page = ManPage(name: "oracles.toml", section: 5, summary: "configuration of oracled, the price oracle and margin-call daemon")
        page.section("SYNOPSIS")
        page.lines.append(Troff.bold("/etc/oracled/oracles.toml"))
        page.section("DESCRIPTION")
        page.paragraph("""
            oracled(8) reads one TOML file: where it listens and keeps state, the venues it polls ([[source]]), \
            the pairs it marks ([[pair]]), the collateral accounts may deposit ([[collateral]]), when accounts get \
            margin notices ([margin]), and optionally a shared store and a cluster ([store], [cluster]).

            Durations are strings with a unit: "250ms", "30s", "60m", "1h"; a bare number is an error. Ratios and \
            margins are fractions (0.05 is 5 %); basis points (bps): 100 bps is 1 %. Unknown keys are errors, so a \
            typo is reported with the closest known key, never ignored. Relative paths are resolved against the \
            daemon's working directory.

            Check a file with oracled check-config FILE: every problem is listed as FILE:LINE: section: key: message, \
            and warnings (a [[source]] no pair uses, a pair whose distinct sources can never reach min_sources) as \
            FILE:LINE: warning: .... A running daemon re-reads the file on SIGHUP (systemctl reload oracled); a \
            file that fails validation is refused and the running configuration stays in force.
            """)
        page.section("KEYS")
        for section in ConfigReference.sections {
            page.subsection(section.title)
            page.paragraph(section.text)
            for key in section.keys { page.item(Troff.bold(key.key), key.text) }
        }
        page.section("EXAMPLE")
        page.lines.append(".EX")
        for line in example.split(separator: "\n", omittingEmptySubsequences: false) { page.lines.append(Troff.guardLine(Troff.escape(String(line)))) }
        page.lines.append(".EE")
        page.section("SEE ALSO")
        page.lines.append("\\fBoracled\\fR(8), \\fBoraclectl\\fR(1); the oracles.toml shipped with oracled documents every key in comments.")
        return page.text
    }

    /// A small valid file (GeneratedDocsTests checks it with check-config).
    static let example = """
        [daemon]
        socket    = "/run/oracled/oracled.sock"
        state_dir = "/var/lib/oracled"
        spool_dir = "/var/spool/oracled"

        [aggregation]
        min_sources = 2

        [[source]]
        name = "coinbase"
        kind = "coinbase"

        [[source]]
        name = "kraken"
        kind = "kraken"

        [[source]]
        name = "binance"
        kind = "binance"

        [[pair]]
        symbol = "USDT-USD"
        maintenance_margin = 0.02
        initial_margin = 0.04
        sources = [
          { source = "coinbase", symbol = "USDT-USD" },
          { source = "kraken",   symbol = "USDTUSD" },
        ]

        [[pair]]
        symbol = "BTC-USD"
        maintenance_margin = 0.05
        initial_margin = 0.10
        sources = [
          { source = "coinbase", symbol = "BTC-USD" },
          { source = "kraken",   symbol = "XBTUSD" },
          { source = "binance",  symbol = "BTCUSDT", convert = "USDT-USD" },
        ]

        [margin]
        currency = "USD"
        call_ratio = 1.10
        """
}
