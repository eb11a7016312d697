/// A failure the operator reads on stderr: what went wrong, with the path or status, and what to do.
struct ClientError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
