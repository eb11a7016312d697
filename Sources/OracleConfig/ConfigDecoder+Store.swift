/// `[store]`.
extension ConfigDecoder {
    func decodeStore(_ top: TableReader) -> StoreSettings {
        var settings = StoreSettings()
        guard let r = sectionReader(top, "store") else { return settings }
        settings.backend = r.choice("backend", default: settings.backend)
        let url = r.string("url", example: "\"postgresql://oracled@/oracled?host=/run/postgresql\"")
        if let url {
            switch PostgresURL.parse(url) {
            case .success(let parsed): settings.postgres = parsed
            case .failure(let e): r.report(.invalidValue, "url", e.message)
            }
        }
        if let file = r.string("password_file", example: "\"/etc/oracled/pgpass\"") {
            if file.isEmpty || !file.hasPrefix("/") {
                r.report(.invalidValue, "password_file", "must be an absolute path, e.g. \"/etc/oracled/pgpass\" (mode 0600, the password on its first line)")
            } else {
                settings.passwordFile = file
            }
        }
        settings.connectTimeoutMs = boundedDuration(r, "connect_timeout", default: settings.connectTimeoutMs)
        settings.statementTimeoutMs = boundedDuration(r, "statement_timeout", default: settings.statementTimeoutMs)

        switch settings.backend {
        case .postgresql:
            if url == nil && !r.has("url") {
                r.report(.missingKey, "url", "is required with backend = \"postgresql\"; write e.g. url = \"postgresql://oracled@/oracled?host=/run/postgresql\"")
            }
        case .sqlite:
            for key in ["url", "password_file"] where r.has(key) {
                r.report(.invalidValue, key, "is set but backend is \"sqlite\" (the default), which keeps state in [daemon] state_dir; write backend = \"postgresql\" or remove \(key)")
            }
        }
        r.finish(known: ConfigKeys.store)
        return settings
    }

    /// A PostgreSQL timeout: 100ms to 60s (longer would let a hung server hold the margin desk).
    private func boundedDuration(_ r: TableReader, _ key: String, default fallback: Int64) -> Int64 {
        guard let ms = r.durationMs(key) else { return fallback }
        guard (100...60_000).contains(ms) else {
            r.report(.invalidValue, key, "must be between 100ms and 60s; a few seconds is right for a local server, e.g. \"5s\"")
            return fallback
        }
        return ms
    }
}
