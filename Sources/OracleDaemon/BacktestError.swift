/// Why `oracled backtest` could not run: names the file (and line) and says what to do.
public struct BacktestError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
