/// `[daemon]` of oracles.toml: where the daemon keeps its files and how it talks to the world.
///
/// Relative paths are kept as written and so resolve against the daemon's working directory
/// (the repo copy uses `./var/...`; production units use absolute paths).
public struct DaemonSettings: Sendable, Equatable {
    /// Unix socket of the HTTP API (`socket`). At most 107 bytes, the `sun_path` limit.
    public var socketPath: String
    /// SQLite state lives here (`state_dir`).
    public var stateDir: String
    /// Margin-call spool: `tmp/`, `new/`, `cur/`, `calls.jsonl` (`spool_dir`).
    public var spoolDir: String
    /// One fetch cycle per interval, in milliseconds (`poll_interval`).
    public var pollIntervalMs: Int64
    /// Sent as `User-Agent` to venues (`user_agent`); some venues block empty or library agents.
    public var userAgent: String
    /// Syslog ident for notices and daemon messages (`syslog_ident`).
    public var syslogIdent: String
    /// Syslog facility (`syslog_facility`).
    public var syslogFacility: SyslogFacility
    /// Datagram socket to send syslog lines to instead of the system logger (`syslog_socket`).
    /// Tests point this at a socket they bind themselves; nil means the system's `/dev/log`.
    public var syslogSocket: String?
    /// Price streams send the current mark at least this often, in milliseconds (`stream_heartbeat`).
    public var streamHeartbeatMs: Int64
    /// Price streams send an update as soon as the mark moves this many basis points (`stream_deviation_bps`).
    public var streamDeviationBps: Double
    /// Concurrent API connections; more are refused so a runaway client cannot starve the daemon (`max_clients`).
    public var maxClients: Int
    /// Optional TCP listener for a browser (`http`), loopback only; nil (the default) means none.
    public var http: HTTPListenAddress?
    /// Mutating routes on the `http` listener (`http_write`); false answers them 403.
    public var httpWrite: Bool

    /// Production defaults: the paths of the systemd unit, 1 s polling, facility `daemon`.
    public init(socketPath: String = "/run/oracled/oracled.sock",
                stateDir: String = "/var/lib/oracled",
                spoolDir: String = "/var/spool/oracled",
                pollIntervalMs: Int64 = 1_000,
                userAgent: String = DaemonSettings.defaultUserAgent,
                syslogIdent: String = "oracled",
                syslogFacility: SyslogFacility = .daemon,
                syslogSocket: String? = nil,
                streamHeartbeatMs: Int64 = 5_000,
                streamDeviationBps: Double = 5,
                maxClients: Int = 1024,
                http: HTTPListenAddress? = nil,
                httpWrite: Bool = false) {
        self.socketPath = socketPath
        self.stateDir = stateDir
        self.spoolDir = spoolDir
        self.pollIntervalMs = pollIntervalMs
        self.userAgent = userAgent
        self.syslogIdent = syslogIdent
        self.syslogFacility = syslogFacility
        self.syslogSocket = syslogSocket
        self.streamHeartbeatMs = streamHeartbeatMs
        self.streamDeviationBps = streamDeviationBps
        self.maxClients = maxClients
        self.http = http
        self.httpWrite = httpWrite
    }

    /// `User-Agent` when `user_agent` is not set.
    public static let defaultUserAgent = "oracled/1.0"
}

/// Syslog facilities an operator may choose with `syslog_facility`.
public enum SyslogFacility: String, Sendable, Equatable, CaseIterable {
    case daemon, user
    case local0, local1, local2, local3, local4, local5, local6, local7

    /// The facility value for `openlog(3)`/`syslog(3)` on Linux (`LOG_DAEMON`, `LOG_LOCAL0`, …),
    /// so the executable does not need its own table.
    public var code: Int32 {
        switch self {
        case .user: return 1 << 3
        case .daemon: return 3 << 3
        case .local0: return 16 << 3
        case .local1: return 17 << 3
        case .local2: return 18 << 3
        case .local3: return 19 << 3
        case .local4: return 20 << 3
        case .local5: return 21 << 3
        case .local6: return 22 << 3
        case .local7: return 23 << 3
        }
    }
}
