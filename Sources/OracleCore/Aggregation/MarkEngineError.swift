/// Why a set of `PairSpec`s cannot drive a `MarkEngine`.
///
/// The configuration loader checks the same things with file and line; the engine checks again
/// because it must never loop forever on a convert cycle or index a pair that does not exist,
/// whoever built the specs. The message names the pair (and source) and says what to change.
public struct MarkEngineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of problem, for tests and callers that branch on it.
    public enum Code: String, Sendable, Equatable, CaseIterable {
        /// Two `[[pair]]` entries share a symbol.
        case duplicatePair = "duplicate_pair"
        /// A pair lists the same `source` twice.
        case duplicateSource = "duplicate_source"
        /// A pair has no sources at all.
        case noSources = "no_sources"
        /// `convert` names a pair that is not configured.
        case unknownConvertPair = "unknown_convert_pair"
        /// Pairs convert through each other (or through themselves).
        case convertCycle = "convert_cycle"
        /// An aggregation setting is out of its meaningful range.
        case invalidPolicy = "invalid_policy"
    }

    public var code: Code
    /// Names the pair/source and says what to do.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
