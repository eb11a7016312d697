/// The body of an `APIResponse`.
public enum APIBody: Sendable {
    /// A complete body, sent with `Content-Length`.
    case bytes([UInt8])
    /// A body produced over time (NDJSON price updates), sent with chunked transfer encoding:
    /// each element is written and flushed as one chunk when it arrives. The response ends when
    /// the stream finishes; if the client disconnects first, iteration is cancelled, which runs
    /// the stream's `onTermination` so the producer can stop.
    case stream(AsyncStream<[UInt8]>)
}
