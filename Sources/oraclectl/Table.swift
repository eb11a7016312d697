/// Plain-text tables for a terminal: left-aligned columns separated by two spaces, a header row
/// in capitals, no colours (output is often piped to grep or mail).
struct Table {
    var header: [String]
    var rows: [[String]] = []

    init(_ header: [String]) {
        self.header = header
    }

    mutating func add(_ row: [String]) {
        rows.append(row)
    }

    var rendered: String {
        let all = [header] + rows
        let columns = all.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for row in all {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        return all.map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell.padding(to: widths[i])
            }.joined(separator: "  ").trailingSpacesTrimmed
        }.joined(separator: "\n")
    }

    /// Two columns, key then value, without a header (for one object's fields).
    static func keyValue(_ pairs: [(String, String)]) -> String {
        let width = pairs.map(\.0.count).max() ?? 0
        return pairs.map { $0.0.padding(to: width) + "  " + $0.1 }.joined(separator: "\n")
    }
}

extension String {
    /// Without trailing blanks (an empty last cell must not leave spaces at the end of a line).
    var trailingSpacesTrimmed: String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }

    func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
