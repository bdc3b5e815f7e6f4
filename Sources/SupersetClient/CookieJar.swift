import Foundation
import HybridDiagnostics

/// The cookies one client has been given by its Superset server.
///
/// Superset's CSRF protection keeps the token's secret in the `session` cookie, so the cookie set by
/// `GET /api/v1/security/csrf_token/` must come back on the POST that carries the token. Each client
/// keeps its own jar (nothing shared, nothing written to disk) and only ever sends it to its own server.
struct CookieJar: Sendable {
    private struct Key: Hashable {
        var name: String
        var path: String
    }

    private struct Stored: Sendable {
        var value: String
        var expires: Date?
    }

    private var cookies: [Key: Stored] = [:]

    /// Takes the `Set-Cookie` header values of an answer to `url`; an expired cookie removes the stored one.
    mutating func store(setCookieValues values: [String], for url: URL, now: Date = Date()) {
        for text in values {
            guard let cookie = SetCookie(parsing: text, requestPath: url.path, now: now) else { continue }
            let key = Key(name: cookie.name, path: cookie.path)
            if let expires = cookie.expires, expires <= now {
                cookies[key] = nil
            } else {
                cookies[key] = Stored(value: cookie.value, expires: cookie.expires)
                // A session cookie is a credential: it must not come back in anything hybrid prints.
                if cookie.value.count >= 16 { SecretRegistry.shared.register(cookie.value) }
            }
        }
    }

    /// The `Cookie` header value for a request to `path`, or nil when no cookie applies.
    func header(forPath path: String, now: Date = Date()) -> String? {
        let pairs = cookies.filter { key, stored in
            Self.pathMatches(cookiePath: key.path, requestPath: path) && (stored.expires.map { $0 > now } ?? true)
        }
        .sorted { ($0.key.path.count, $0.key.name) > ($1.key.path.count, $1.key.name) }
        .map { "\($0.key.name)=\($0.value.value)" }
        return pairs.isEmpty ? nil : pairs.joined(separator: "; ")
    }

    var isEmpty: Bool { cookies.isEmpty }

    private static func pathMatches(cookiePath: String, requestPath: String) -> Bool {
        if cookiePath == "/" || cookiePath == requestPath { return true }
        guard requestPath.hasPrefix(cookiePath) else { return false }
        return cookiePath.hasSuffix("/") || requestPath.dropFirst(cookiePath.count).hasPrefix("/")
    }
}
