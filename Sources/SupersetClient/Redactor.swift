import Foundation

/// Removes known secrets from text before it reaches an error, a description or an event.
struct Redactor: Sendable {
    /// What a secret is replaced with.
    static let placeholder = "<redacted>"

    /// Secrets shorter than this are not searched for: they would mangle ordinary words
    /// without protecting anything.
    static let minimumLength = 3

    private let secrets: [String]

    init(secrets: [String]) {
        // Longest first, so a secret containing another is removed whole.
        self.secrets = Set(secrets.filter { $0.count >= Self.minimumLength }).sorted { $0.count > $1.count }
    }

    /// `text` with every occurrence of every secret replaced by the placeholder.
    func redact(_ text: String) -> String {
        var text = text
        for secret in secrets where text.contains(secret) {
            text = text.replacingOccurrences(of: secret, with: Self.placeholder)
        }
        return text
    }

    /// A URL string without its `user:password@` part.
    static func removingUserInfo(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return url }
        return String(url[..<schemeEnd.upperBound]) + String(rest[rest.index(after: at)...])
    }
}
