import OracleCore

/// The shared body of the per-venue fuzz targets.
///
/// Input: `status\nsymbol\nretry-after\n` then the body. An empty or non-numeric status reads as
/// 200 (most of the parser is behind a 200), an empty Retry-After sends no header. A parse may
/// succeed or throw `VenueError`; anything else (a trap, a sanitizer report) is the finding.
public enum VenueFuzz {
    public static func run(_ kind: VenueKind, _ data: UnsafeRawPointer?, _ size: Int,
                           generic: GenericAdapterSpec? = nil) -> Int32 {
        let bytes = UnsafeRawBufferPointer(start: size > 0 ? data : nil, count: size)
        let input = FuzzInput(bytes, lineCount: 3)
        let status = Int(input.lines[0].prefix(4)) ?? 200
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json")]
        if !input.lines[2].isEmpty { headers.append(("Retry-After", input.lines[2])) }
        let response = VenueResponse(status: status, headers: headers, body: input.rest, receivedAtMs: 1_700_000_000_000)
        exercise(kind, symbol: input.lines[1], response: response, generic: generic)
        return 0
    }

    /// Parses and renders the outcome the way `oracled probe --json` does, so the error and
    /// quote formatting paths run on fuzzed text as well.
    public static func exercise(_ kind: VenueKind, symbol: String, response: VenueResponse, generic: GenericAdapterSpec?) {
        let result: Result<Quote, VenueError>
        do throws(VenueError) {
            result = .success(try VenueAdapters.parse(kind, symbol: symbol, response: response, generic: generic))
        } catch {
            result = .failure(error)
        }
        let json = VenueAdapters.probeJSON(result)
        precondition(!json.isEmpty, "probeJSON rendered nothing")
    }
}
