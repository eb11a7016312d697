/// The part of a `SourceSample` the aggregation needs, flattened at `ingest` into plain numbers.
///
/// A `Quote` carries the venue's text for every number (strings, reference counted); reading
/// those every cycle for every source cost more than the whole median/MAD filter. So `ingest`
/// keeps the binary values and timestamps only, and the cycle never touches a string unless it
/// has to explain a non-`used` verdict. The venue's text stays with the fetch layer and the API.
/// It is a trivial (POD) type on purpose: copying one is a memcpy, with no reference counting;
/// the message of an error response lives next to it in `SourceSlot.latestError`.
///
/// Stored compactly (48 bytes instead of 80 with four `Optional`s): absence is a bit in
/// `flags`, never a sentinel value, so a present NaN from a venue still reads back as NaN and
/// is rejected as "not finite" rather than treated as missing. The cycle walks thousands of
/// these per poll, so their size is cache traffic.
struct Observation: Sendable, Equatable {
    var responseSeq: UInt64
    /// Local receive time, Unix ms.
    var receivedAtMs: Int64
    private var venueTimestampRaw: Int64
    private var bidRaw: Double
    private var askRaw: Double
    private var lastRaw: Double
    private var flags: UInt8

    private static let hasVenueTimestamp: UInt8 = 1 << 0
    private static let hasBid: UInt8 = 1 << 1
    private static let hasAsk: UInt8 = 1 << 2
    private static let hasLast: UInt8 = 1 << 3
    private static let errorFlag: UInt8 = 1 << 4

    /// The venue's own timestamp, Unix ms, when the body had one.
    var venueTimestampMs: Int64? { flags & Self.hasVenueTimestamp != 0 ? venueTimestampRaw : nil }
    var bid: Double? { flags & Self.hasBid != 0 ? bidRaw : nil }
    var ask: Double? { flags & Self.hasAsk != 0 ? askRaw : nil }
    var last: Double? { flags & Self.hasLast != 0 ? lastRaw : nil }
    /// The response was a `VenueError` (its text is in `SourceSlot.latestError`).
    var isError: Bool { flags & Self.errorFlag != 0 }

    init(_ sample: borrowing SourceSample) {
        responseSeq = sample.responseSeq
        receivedAtMs = sample.receivedAtMs
        venueTimestampRaw = 0
        bidRaw = 0
        askRaw = 0
        lastRaw = 0
        flags = 0
        switch sample.result {
        case .success(let quote):
            if let ts = quote.exchangeTimestampMs { venueTimestampRaw = ts; flags |= Self.hasVenueTimestamp }
            if let v = quote.bid?.value { bidRaw = v; flags |= Self.hasBid }
            if let v = quote.ask?.value { askRaw = v; flags |= Self.hasAsk }
            if let v = quote.last?.value { lastRaw = v; flags |= Self.hasLast }
        case .failure:
            flags = Self.errorFlag
        }
    }
}
