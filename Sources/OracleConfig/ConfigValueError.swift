/// A value-level problem before it is pinned to a file, line and key.
struct ConfigValueError: Error, Equatable {
    var message: String
    init(_ message: String) { self.message = message }
}
