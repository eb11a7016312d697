/// The prose of the command pages that is not in the argument definitions: what the program is,
/// its files, environment, exit status and related pages.
enum PageText {
    typealias Extra = CommandPage.Extra

    static let oracledDescription = """
        oracled fetches prices from crypto venues over HTTPS, aggregates them into robust marks \
        (median, outlier cut, staleness and frozen-source checks), values margin accounts against \
        their requirements and writes margin-call notices to a Maildir spool and to syslog. It \
        serves an HTTP/1.1 JSON API on a Unix socket; oraclectl(1) is its client. The configuration \
        is described in oracles.toml(5).
        """

    static let oracledExtras: [Extra] = [
        Extra(heading: "LOGGING", text: """
            Under systemd (JOURNAL_STREAM names stderr) oracled logs to journald with the native protocol, \
            one entry per line with the fields MESSAGE, PRIORITY, SYSLOG_IDENTIFIER=oracled, CODE_FILE, \
            CODE_LINE, CODE_FUNC and one field per metadata key: ACCOUNT, PAIR, LEVEL, NOTICE_ID, SOURCE, \
            ERROR and others, so journalctl -u oracled ACCOUNT=acct-17 shows one account's lines. Elsewhere \
            lines go to standard error. Margin-call notices also go to syslog, as before.
            """),
        Extra(heading: "SIGNALS", items: [
            (Troff.bold("SIGHUP"), "Re-read the configuration; a file that fails validation is refused and the running one stays."),
            (Troff.bold("SIGTERM") + ", " + Troff.bold("SIGINT"), "Shut down in order: the services stop in the reverse order they started."),
        ]),
        Extra(heading: "ENVIRONMENT", items: [
            (Troff.bold("JOURNAL_STREAM"), "Set by systemd; when it names standard error, log lines go to journald with fields (--log-target auto)."),
            (Troff.bold("ORACLED_JOURNAL_SOCKET"), "Send journal entries to this datagram socket instead of /run/systemd/journal/socket (tests, relays); selects the journal under --log-target auto."),
            (Troff.bold("NOTIFY_SOCKET") + ", " + Troff.bold("WATCHDOG_USEC"), "Set by systemd for Type=notify: readiness, status and watchdog pings."),
            (Troff.bold("PGPASSWORD"), "Password of the PostgreSQL store when [store] password_file is not set."),
        ]),
        Extra(heading: "FILES", items: [
            (Troff.bold("/etc/oracled/oracles.toml"), "The configuration, see oracles.toml(5)."),
            (Troff.bold("/run/oracled/oracled.sock"), "The API socket ([daemon] socket)."),
            (Troff.bold("/var/lib/oracled"), "SQLite state ([daemon] state_dir)."),
            (Troff.bold("/var/spool/oracled"), "Margin-call notices: new/ (Maildir) and calls.jsonl ([daemon] spool_dir)."),
        ]),
        Extra(heading: "EXIT STATUS", text: """
            0 on a clean shutdown or a valid configuration; 1 on an error (an invalid configuration, a socket \
            that cannot be bound); check-config --strict exits 2 when the file is valid but has warnings; 64 on \
            a usage error.
            """),
        Extra(heading: "SEE ALSO", text: "oraclectl(1), oracles.toml(5), journalctl(1), systemd.service(5)"),
    ]

    static let oraclectlDescription = """
        oraclectl asks a running oracled(8) over its Unix socket for marks, source health, accounts, \
        margin calls and the cluster, and changes accounts (put, hold, release, acknowledge) where the \
        daemon allows the caller to.
        """

    static let oraclectlExtras: [Extra] = [
        Extra(heading: "ENVIRONMENT", items: [
            (Troff.bold("ORACLED_SOCKET"), "The daemon's socket when --socket is not given."),
        ]),
        Extra(heading: "FILES", items: [
            (Troff.bold("./oracles.toml") + ", " + Troff.bold("/etc/oracled/oracles.toml"), "Where the socket path is read from ([daemon] socket) when neither --socket nor ORACLED_SOCKET is set."),
        ]),
        Extra(heading: "EXIT STATUS", text: "0 on success, 1 on any error, 64 on a usage error."),
        Extra(heading: "SEE ALSO", text: "oracled(8), oracles.toml(5)"),
    ]
}
