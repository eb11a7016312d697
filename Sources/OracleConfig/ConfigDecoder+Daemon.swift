/// `[daemon]`.
extension ConfigDecoder {
    /// `sun_path` holds 108 bytes including the terminating NUL.
    static let maxSocketPathBytes = 107

    func decodeDaemon(_ top: TableReader) -> DaemonSettings {
        var settings = DaemonSettings()
        guard let r = sectionReader(top, "daemon") else { return settings }

        if let path = r.string("socket", example: "\"/run/oracled/oracled.sock\"") {
            if path.isEmpty {
                r.report(.invalidValue, "socket", "is empty; write the path of the API socket, e.g. \"/run/oracled/oracled.sock\"")
            } else if path.utf8.count > Self.maxSocketPathBytes {
                r.report(.invalidValue, "socket", "is \(path.utf8.count) bytes long; Unix socket paths are limited to "
                         + "\(Self.maxSocketPathBytes) bytes, so choose a shorter path")
            } else {
                settings.socketPath = path
            }
        }
        if let path = nonEmptyPath(r, "state_dir", example: "\"/var/lib/oracled\"") { settings.stateDir = path }
        if let path = nonEmptyPath(r, "spool_dir", example: "\"/var/spool/oracled\"") { settings.spoolDir = path }

        if let ms = r.durationMs("poll_interval") {
            if ms < 100 {
                r.report(.invalidValue, "poll_interval", "must be at least 100ms; venues rate-limit far below that, write e.g. \"1s\"")
            } else {
                settings.pollIntervalMs = ms
            }
        }
        if let agent = r.string("user_agent", example: "\"oracled/1.0\"") {
            if agent.isEmpty || agent.contains(where: { $0.isNewline || !$0.isASCII }) {
                r.report(.invalidValue, "user_agent", "must be non-empty printable ASCII on one line, e.g. \"oracled/1.0\"")
            } else {
                settings.userAgent = agent
            }
        }
        if let ident = r.string("syslog_ident", example: "\"oracled\"") {
            if ident.isEmpty || ident.contains(where: { $0.isWhitespace }) {
                r.report(.invalidValue, "syslog_ident", "must be one word, e.g. \"oracled\"")
            } else {
                settings.syslogIdent = ident
            }
        }
        settings.syslogFacility = r.choice("syslog_facility", default: settings.syslogFacility)
        if let path = nonEmptyPath(r, "syslog_socket", example: "\"/dev/log\"") { settings.syslogSocket = path }
        settings.streamHeartbeatMs = r.duration("stream_heartbeat", default: settings.streamHeartbeatMs)
        settings.streamDeviationBps = r.double("stream_deviation_bps", default: settings.streamDeviationBps, .nonNegative)
        settings.maxClients = r.integer("max_clients", default: settings.maxClients, .closed(1, 10_000))
        if let text = r.string("http", example: "\"127.0.0.1:8787\"") {
            switch HTTPListenAddress.parse(text) {
            case .success(let address): settings.http = address
            case .failure(let refusal): r.report(.invalidValue, "http", refusal.message)
            }
        }
        if let write = r.bool("http_write") { settings.httpWrite = write }

        r.finish(known: ConfigKeys.daemon)
        return settings
    }

    private func nonEmptyPath(_ r: TableReader, _ key: String, example: String) -> String? {
        guard let path = r.string(key, example: example) else { return nil }
        guard !path.isEmpty else {
            r.report(.invalidValue, key, "is empty; write a path, e.g. \(key) = \(example)")
            return nil
        }
        return path
    }
}
