import CCurl
import CurlShim

/// The options every easy handle gets, and the translation of a finished handle into a result.
///
/// The option set is the security and robustness policy for talking to venues, kept in one place:
/// TLS verification always on, only http/https (a config typo like `file://` or a redirect to
/// `gopher://` cannot reach other protocols), no redirects (a venue that moved is a configuration
/// change, not something to follow silently), bounded time and body size, no signals (we are
/// multi-threaded), TCP keep-alive so idle cached connections are noticed when they die.
enum CurlEasyOptions {
    static func apply(to easy: UnsafeMutableRawPointer, for transfer: CurlTransfer, defaultUserAgent: String) -> FetchError? {
        let request = transfer.request
        let context = Unmanaged.passUnretained(transfer).toOpaque()
        var failed: (String, CURLcode)?
        func check(_ rc: CURLcode, _ name: String) {
            if rc != CURLE_OK, failed == nil { failed = (name, rc) }
        }
        check(request.url.withCString { shim_easy_setopt_string(easy, CURLOPT_URL, $0) }, "URL")
        check(shim_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(transfer.errorBuffer)), "ERRORBUFFER")
        check(shim_easy_setopt_write_callback(easy) { data, size, count, userdata in
            guard let userdata else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
            let (bytes, overflow) = size.multipliedReportingOverflow(by: count)
            guard !overflow else { return 0 }
            if bytes == 0 { return 0 }
            // Returning less than `bytes` makes libcurl abort with CURLE_WRITE_ERROR.
            return transfer.appendBody(UnsafeRawBufferPointer(start: data, count: bytes)) ? bytes : 0
        }, "WRITEFUNCTION")
        check(shim_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, context), "WRITEDATA")
        check(shim_easy_setopt_header_callback(easy) { data, size, count, userdata in
            guard let userdata else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
            let (bytes, overflow) = size.multipliedReportingOverflow(by: count)
            guard !overflow else { return 0 }
            return transfer.appendHeaderLine(UnsafeRawBufferPointer(start: data, count: bytes)) ? bytes : 0
        }, "HEADERFUNCTION")
        check(shim_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, context), "HEADERDATA")
        check(shim_easy_setopt_long(easy, CURLOPT_HTTPGET, 1), "HTTPGET")
        check(shim_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, request.connectTimeoutMs), "CONNECTTIMEOUT_MS")
        check(shim_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, request.totalTimeoutMs), "TIMEOUT_MS")
        check(shim_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1), "NOSIGNAL")
        // "" = advertise and decode every encoding this libcurl was built with (gzip, deflate, br, zstd).
        check(shim_easy_setopt_string(easy, CURLOPT_ACCEPT_ENCODING, ""), "ACCEPT_ENCODING")
        check((request.userAgent ?? defaultUserAgent).withCString { shim_easy_setopt_string(easy, CURLOPT_USERAGENT, $0) }, "USERAGENT")
        check(shim_easy_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 1), "SSL_VERIFYPEER")
        check(shim_easy_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 2), "SSL_VERIFYHOST")
        check(shim_easy_setopt_string(easy, CURLOPT_PROTOCOLS_STR, "http,https"), "PROTOCOLS_STR")
        check(shim_easy_setopt_string(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"), "REDIR_PROTOCOLS_STR")
        check(shim_easy_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 0), "FOLLOWLOCATION")
        check(shim_easy_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1), "TCP_KEEPALIVE")
        // Refuses early when Content-Length already announces too much; the write callback covers
        // chunked and compressed bodies, whose decoded size is only known while reading.
        check(shim_easy_setopt_off_t(easy, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(request.maxBodyBytes)), "MAXFILESIZE_LARGE")
        if let (name, rc) = failed {
            let why = String(cString: curl_easy_strerror(rc))
            let code: FetchError.Code = (name == "URL" || name == "PROTOCOLS_STR") ? .invalidRequest : .other
            return FetchError(code, "libcurl rejected option \(name) for \(transfer.host): \(why)", curlCode: Int(rc.rawValue))
        }
        return nil
    }

    /// Builds the response or the error for a handle libcurl reported as done.
    static func result(of easy: UnsafeMutableRawPointer, code: CURLcode, transfer: CurlTransfer) -> Result<FetchResponse, FetchError> {
        guard code == CURLE_OK else { return .failure(error(for: code, transfer: transfer)) }
        var status = 0
        _ = shim_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        var connects = 0
        _ = shim_easy_getinfo_long(easy, CURLINFO_NUM_CONNECTS, &connects)
        func ms(_ info: CURLINFO) -> Double {
            var seconds = 0.0
            _ = shim_easy_getinfo_double(easy, info, &seconds)
            return seconds * 1_000
        }
        let timing = FetchTiming(dnsMs: ms(CURLINFO_NAMELOOKUP_TIME), connectMs: ms(CURLINFO_CONNECT_TIME),
                                 tlsMs: ms(CURLINFO_APPCONNECT_TIME), firstByteMs: ms(CURLINFO_STARTTRANSFER_TIME),
                                 totalMs: ms(CURLINFO_TOTAL_TIME))
        return .success(FetchResponse(status: status, headers: transfer.headers, body: transfer.body,
                                      timing: timing, newConnections: connects))
    }

    /// Maps a libcurl failure onto the coarse codes the scheduler and metrics use.
    static func error(for code: CURLcode, transfer: CurlTransfer) -> FetchError {
        let detail = transfer.curlErrorText.isEmpty ? String(cString: curl_easy_strerror(code)) : transfer.curlErrorText
        let raw = Int(code.rawValue)
        let host = transfer.host
        if transfer.bodyTooLarge || code == CURLE_FILESIZE_EXCEEDED {
            return FetchError(.bodyTooLarge, "response from \(host) exceeds maxBodyBytes (\(transfer.request.maxBodyBytes) bytes); raise max_body_bytes if the venue really sends that much", curlCode: raw)
        }
        if transfer.headersTooLarge {
            return FetchError(.other, "response headers from \(host) exceed \(CurlTransfer.maxHeaderBytes) bytes", curlCode: raw)
        }
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            return FetchError(.timeout, "\(detail) (host \(host))", curlCode: raw)
        case CURLE_COULDNT_CONNECT:
            return FetchError(.connectFailed, "\(detail) (host \(host))", curlCode: raw)
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return FetchError(.dns, "\(detail) (host \(host)); check base_url and the resolver", curlCode: raw)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
             CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
             CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ENGINE_NOTFOUND,
             CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED, CURLE_USE_SSL_FAILED,
             CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CLIENTCERT:
            return FetchError(.tls, "\(detail) (host \(host))", curlCode: raw)
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT:
            return FetchError(.invalidRequest, "\(detail) (URL host \(host)); only absolute http:// and https:// URLs are fetched", curlCode: raw)
        default:
            return FetchError(.other, "\(detail) (host \(host))", curlCode: raw)
        }
    }
}
