import Foundation

/// One `Set-Cookie` header value, parsed as RFC 6265 section 5.2 says a user agent does.
///
/// `Max-Age` wins over `Expires` (a zero or negative age expires the cookie at once); a missing or
/// relative `Path` takes the default path of the request (its directory); `Domain`, `Secure`,
/// `HttpOnly` and `SameSite` do not change where this client sends it (one server per jar).
struct SetCookie: Equatable, Sendable {
    var name: String
    var value: String
    var path: String
    var expires: Date?

    /// Nil when the value has no `=` in its first part or an empty name (the RFC ignores such headers).
    init?(parsing text: String, requestPath: String, now: Date) {
        var parts = text.split(separator: ";", omittingEmptySubsequences: false).makeIterator()
        guard let pair = parts.next(), let equals = pair.firstIndex(of: "=") else { return nil }
        name = pair[..<equals].trimmingCharacters(in: .whitespaces)
        value = pair[pair.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { return nil }
        path = Self.defaultPath(requestPath)
        var maxAge: Date?
        var expiresAttribute: Date?
        while let part = parts.next() {
            let attribute: Substring
            let argument: String
            if let equals = part.firstIndex(of: "=") {
                attribute = part[..<equals]
                argument = part[part.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            } else {
                attribute = part
                argument = ""
            }
            switch attribute.trimmingCharacters(in: .whitespaces).lowercased() {
            case "path":
                path = argument.hasPrefix("/") ? argument : Self.defaultPath(requestPath)
            case "max-age":
                guard let first = argument.first, first == "-" || first.isASCII && first.isNumber,
                    argument.dropFirst().allSatisfy({ $0.isASCII && $0.isNumber })
                else { continue }
                let seconds = Int(argument) ?? (first == "-" ? Int.min : Int.max)
                maxAge = seconds <= 0 ? .distantPast : now.addingTimeInterval(Double(min(seconds, 1 << 40)))
            case "expires":
                if let date = CookieDate.parse(argument) { expiresAttribute = date }
            default:
                continue
            }
        }
        expires = maxAge ?? expiresAttribute
    }

    /// RFC 6265 5.1.4: the request path up to (not including) its last `/`, or `/`.
    static func defaultPath(_ requestPath: String) -> String {
        guard requestPath.hasPrefix("/"), let slash = requestPath.lastIndex(of: "/"),
            slash != requestPath.startIndex
        else { return "/" }
        return String(requestPath[..<slash])
    }
}
