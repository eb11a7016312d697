import OracleCore

/// The latest implied-volatility surfaces, written by `VolPollService` and read by the API.
/// An actor because the poll task writes while request handlers read; surfaces are values, so
/// a reader always gets one whole, finished surface.
public actor VolState {
    private(set) var surfaces: [String: VolSurface] = [:]
    /// Configured underlyings in file order (also those without a surface yet).
    private(set) var order: [String] = []
    /// Every `[[vol]]` source's fetch status, in file order (`/v1/health`, `/metrics`).
    public private(set) var sources: [SourceStatus] = []

    public init(underlyings: [String] = [], sources: [SourceStatus] = []) {
        order = underlyings
        self.sources = sources
    }

    func configure(underlyings: [String]) {
        order = underlyings
        surfaces = surfaces.filter { underlyings.contains($0.key) }
    }

    func publish(_ surface: VolSurface) {
        surfaces[surface.underlying] = surface
    }

    func publish(sources: [SourceStatus]) {
        self.sources = sources
    }

    /// The surface of `underlying`; a configured underlying with nothing built yet answers an
    /// `unavailable` surface rather than nil, so only an unknown name is a 404.
    public func surface(_ underlying: String, nowMs: Int64) -> VolSurface? {
        if let s = surfaces[underlying] { return s }
        guard order.contains(underlying) else { return nil }
        return VolSurface(underlying: underlying, status: .unavailable, statusReason: "no answer from any source yet", builtAtMs: nowMs)
    }

    public func all(nowMs: Int64) -> [VolSurface] {
        order.compactMap { surface($0, nowMs: nowMs) }
    }

    public var underlyings: [String] { order }
}
