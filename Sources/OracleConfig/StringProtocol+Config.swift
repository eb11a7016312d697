/// Small text helpers for value parsing (no Foundation in the parsers).
extension StringProtocol {
    func trimmingSpaces() -> String {
        let scalars = Substring(self).drop(while: { $0 == " " || $0 == "\t" })
        var end = scalars.endIndex
        while end > scalars.startIndex {
            let before = scalars.index(before: end)
            guard scalars[before] == " " || scalars[before] == "\t" else { break }
            end = before
        }
        return String(scalars[scalars.startIndex..<end])
    }

    func replacingUnderscores() -> String { String(self.filter { $0 != "_" }) }
}
