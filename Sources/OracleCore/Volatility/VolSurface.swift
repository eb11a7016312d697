import Foundation

/// The served implied-volatility surface of one underlying at one instant, with the evidence.
///
/// What a caller (option valuation, the scenario grid, `/v1/vol`) needs is
/// `volatility(strike:expiryMs:forward:nowMs:)`; everything else is the evidence for it, in the
/// spirit of `Mark`: which venues were used per expiry, which quotes were outliers, stale or
/// frozen, which expiries were dropped and why, and a `status` with the marks' meaning.
public struct VolSurface: Sendable, Equatable {
    public var underlying: String
    /// `ok`: every served expiry met the venue quorum and nothing was dropped; `degraded`: an
    /// expiry below quorum, a slice dropped for arbitrage or fit, or only the DVOL fallback;
    /// `stale`: the last surface held after its inputs disappeared; `unavailable`: nothing to serve.
    public var status: Mark.Status
    public var statusReason: String?
    /// When the slices were fitted (a held `stale` surface keeps its old time), Unix ms.
    public var builtAtMs: Int64
    /// Fitted expiries, increasing.
    public var slices: [VolSlice]
    /// Expiries that had quotes but are not served, with the reason.
    public var dropped: [VolDroppedSlice]
    /// DVOL used as a flat level when no option quotes were usable.
    public var fallbackLevel: VolIndexLevel?
    public var sources: [VolSourceSummary]

    public init(underlying: String, status: Mark.Status, statusReason: String? = nil, builtAtMs: Int64,
                slices: [VolSlice] = [], dropped: [VolDroppedSlice] = [], fallbackLevel: VolIndexLevel? = nil,
                sources: [VolSourceSummary] = []) {
        self.underlying = underlying
        self.status = status
        self.statusReason = statusReason
        self.builtAtMs = builtAtMs
        self.slices = slices
        self.dropped = dropped
        self.fallbackLevel = fallbackLevel
        self.sources = sources
    }

    /// Distinct sources used in at least one served expiry (or the DVOL source of a fallback).
    public var sourcesUsed: Int { sources.filter { $0.verdict == .used }.count }
    public var sourcesTotal: Int { sources.count }

    /// Milliseconds per year in T: 365 days, the venues' convention (shared/fixtures/options).
    public static let yearMs = 365.0 * 86_400_000
}

/// One fitted expiry.
public struct VolSlice: Sendable, Equatable {
    public var expiryMs: Int64
    /// The forward the smile's log-moneyness is measured against (median of the used venues').
    public var forward: Double
    /// Years to expiry when fitted.
    public var t: Double
    public var smile: VolSmile
    /// Quoted log-moneyness range; the smile is held flat in vol beyond it.
    public var kMin: Double
    public var kMax: Double
    /// Root-mean-square fit error in implied vol (fraction) over the used points.
    public var rmseVol: Double
    public var status: Mark.Status
    public var statusReason: String?
    public var sourcesUsed: [String]
    public var points: [VolPoint]
    /// Set when the first choice of smile was replaced ("svi butterfly g=-0.03 at k=0.41; convex fallback").
    public var repair: String?

    public init(expiryMs: Int64, forward: Double, t: Double, smile: VolSmile, kMin: Double, kMax: Double,
                rmseVol: Double, status: Mark.Status, statusReason: String?, sourcesUsed: [String],
                points: [VolPoint], repair: String?) {
        self.expiryMs = expiryMs
        self.forward = forward
        self.t = t
        self.smile = smile
        self.kMin = kMin
        self.kMax = kMax
        self.rmseVol = rmseVol
        self.status = status
        self.statusReason = statusReason
        self.sourcesUsed = sourcesUsed
        self.points = points
        self.repair = repair
    }

    /// Served total variance at the fit time: the smile, clamped to the quoted range.
    public func totalVariance(atK k: Double) -> Double {
        smile.w(min(max(k, kMin), kMax))
    }

    /// Served implied volatility at log-moneyness k.
    public func vol(atK k: Double) -> Double {
        (max(totalVariance(atK: k), 0) / t).squareRoot()
    }

    /// At-the-money (k = 0) implied volatility.
    public var atmVol: Double { vol(atK: 0) }
}

/// One strike of one expiry: the venues' IVs and the value kept.
public struct VolPoint: Sendable, Equatable {
    public var strike: Double
    /// ln(strike / slice forward).
    public var k: Double
    /// Median of the kept venues' IVs; nil when no venue was kept.
    public var iv: Double?
    public var inputs: [VolPointInput]

    public init(strike: Double, k: Double, iv: Double?, inputs: [VolPointInput]) {
        self.strike = strike
        self.k = k
        self.iv = iv
        self.inputs = inputs
    }
}

/// One venue's IV at one strike, with its verdict (`used`, `outlier`, `stale`, `frozen`).
public struct VolPointInput: Sendable, Equatable {
    public var source: String
    /// The venue's instrument names that contributed (call and put of one strike).
    public var instruments: [String]
    public var iv: Double
    public var forward: Double
    public var timeMs: Int64
    public var verdict: SourceReport.Verdict
    public var reason: String

    public init(source: String, instruments: [String], iv: Double, forward: Double, timeMs: Int64,
                verdict: SourceReport.Verdict, reason: String) {
        self.source = source
        self.instruments = instruments
        self.iv = iv
        self.forward = forward
        self.timeMs = timeMs
        self.verdict = verdict
        self.reason = reason
    }
}

/// An expiry that had quotes but is not served.
public struct VolDroppedSlice: Error, Sendable, Equatable {
    public var expiryMs: Int64
    public var reason: String

    public init(expiryMs: Int64, reason: String) {
        self.expiryMs = expiryMs
        self.reason = reason
    }
}

/// What the surface made of one source as a whole.
public struct VolSourceSummary: Sendable, Equatable {
    public var source: String
    public var kind: VolSourceKind
    /// `used` when at least one of its quotes is in a served expiry; otherwise the dominant reason.
    public var verdict: SourceReport.Verdict
    public var reason: String
    /// Quotes of this underlying offered (calls and puts), and its strikes (one value per strike
    /// and expiry) kept in a served expiry.
    public var quotes: Int
    public var used: Int
    /// Newest venue time among its quotes (or the DVOL candle), Unix ms.
    public var timeMs: Int64?

    public init(source: String, kind: VolSourceKind, verdict: SourceReport.Verdict, reason: String,
                quotes: Int, used: Int, timeMs: Int64?) {
        self.source = source
        self.kind = kind
        self.verdict = verdict
        self.reason = reason
        self.quotes = quotes
        self.used = used
        self.timeMs = timeMs
    }
}
