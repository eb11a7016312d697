/// Parses byte sizes: a whole number of bytes, or a string with a unit (`"256KiB"`, `"1MiB"`, `"64KB"`).
enum ConfigByteSize {
    private static let units: [(suffix: String, bytes: Double)] = [
        ("b", 1), ("kb", 1_000), ("kib", 1_024), ("mb", 1_000_000), ("mib", 1_048_576),
        ("gb", 1_000_000_000), ("gib", 1_073_741_824),
    ]

    static func bytes(from text: String) -> Result<Int, ConfigValueError> {
        let trimmed = text.trimmingSpaces()
        let numberEnd = trimmed.firstIndex { !($0.isASCII && ($0.isNumber || $0 == "." || $0 == "_")) } ?? trimmed.endIndex
        let numberText = trimmed[..<numberEnd].replacingUnderscores()
        let unit = String(trimmed[numberEnd...]).trimmingSpaces().lowercased()
        guard let number = Double(numberText), number.isFinite else {
            return .failure(ConfigValueError("\"\(text)\" is not a size; write bytes as a number or a string like \"256KiB\" or \"1MiB\""))
        }
        guard let factor = unit.isEmpty ? 1 : units.first(where: { $0.suffix == unit })?.bytes else {
            return .failure(ConfigValueError("unknown unit \"\(unit)\" in \"\(text)\"; use B, KiB, MiB, GiB, KB, MB or GB"))
        }
        let value = (number * factor).rounded()
        guard value <= Double(Int32.max) else {
            return .failure(ConfigValueError("\"\(text)\" is too large; the limit is 2GiB"))
        }
        return .success(Int(value))
    }
}
