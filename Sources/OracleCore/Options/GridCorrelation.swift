/// Correlations between underlyings for the grid's joint scenarios, as the risk layer estimates them
/// (or a desk configures them). A pair not given is 0: no offset between the two, which is the
/// conservative choice (their worst losses add up).
public struct GridCorrelation: Sendable, Equatable {
    var values: [String: Double] = [:]

    public init() {}

    /// Correlation matrix over `underlyings` (row-major, symmetric, 1 on the diagonal is not required).
    public init(underlyings: [String], matrix: [[Double]]) throws(OptionError) {
        for (i, a) in underlyings.enumerated() {
            for (j, b) in underlyings.enumerated() where i != j {
                guard i < matrix.count, j < matrix[i].count else {
                    throw OptionError(.missingField, field: "correlation[\(i)][\(j)]", "the matrix must be \(underlyings.count)×\(underlyings.count)")
                }
                try set(a, b, matrix[i][j])
            }
        }
    }

    /// Sets ρ(a, b) = ρ(b, a); refuses a value that is not finite or outside [−1, 1].
    public mutating func set(_ a: String, _ b: String, _ rho: Double) throws(OptionError) {
        guard rho.isFinite, abs(rho) <= 1 else {
            throw OptionError(.outOfRange, field: "correlation.\(a).\(b)", "\(rho) must be in [−1, 1]")
        }
        values[Self.key(a, b)] = rho
        values[Self.key(b, a)] = rho
    }

    public func rho(_ a: String, _ b: String) -> Double {
        a == b ? 1 : values[Self.key(a, b)] ?? 0
    }

    static func key(_ a: String, _ b: String) -> String { a + "|" + b }
}
