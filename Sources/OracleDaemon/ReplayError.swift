/// Why `oracled replay` could not run: names the file (tape offset, accounts line) and says what to do.
public struct ReplayError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
