/// The request-target of an origin-form HTTP request split into a decoded path and query.
///
/// Decoding happens once, here, so routes never see `%2D` and never have to guess whether a value
/// was already decoded. Invalid escapes are an error (answered 400) rather than passed through.
struct RequestTarget: Equatable {
    var rawPath: String
    var path: String
    var query: [String: String]

    /// Why a target could not be decoded; the message goes into a 400 body.
    struct Invalid: Error, Equatable {
        var message: String
    }

    /// Parses `uri` as sent on the request line (`/v1/prices/BTC-USD?x=1`).
    static func parse(_ uri: String) throws(Invalid) -> RequestTarget {
        guard uri.hasPrefix("/") else {
            throw Invalid(message: "request target \(uri.prefix(64)) must be a path starting with '/'")
        }
        var rawPath = Substring(uri)
        var rawQuery: Substring = ""
        if let q = uri.firstIndex(of: "?") {
            rawPath = uri[..<q]
            rawQuery = uri[uri.index(after: q)...]
        }
        if let hash = rawQuery.firstIndex(of: "#") { rawQuery = rawQuery[..<hash] }
        guard let path = percentDecode(rawPath, plusIsSpace: false) else {
            throw Invalid(message: "request path \(rawPath.prefix(64)) has an invalid percent-escape")
        }
        var query: [String: String] = [:]
        for item in rawQuery.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = percentDecode(parts[0], plusIsSpace: true),
                  let value = percentDecode(parts.count > 1 ? parts[1] : "", plusIsSpace: true)
            else {
                throw Invalid(message: "query parameter \(item.prefix(64)) has an invalid percent-escape")
            }
            query[key] = value
        }
        return RequestTarget(rawPath: String(rawPath), path: path, query: query)
    }

    /// Decodes `%XX` escapes; nil on a malformed escape or bytes that are not UTF-8.
    static func percentDecode(_ s: Substring, plusIsSpace: Bool) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.utf8.count)
        var it = s.utf8.makeIterator()
        while let b = it.next() {
            if b == UInt8(ascii: "%") {
                guard let h = it.next(), let l = it.next(), let hi = hexValue(h), let lo = hexValue(l) else { return nil }
                bytes.append(hi << 4 | lo)
            } else if b == UInt8(ascii: "+") && plusIsSpace {
                bytes.append(UInt8(ascii: " "))
            } else {
                bytes.append(b)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
