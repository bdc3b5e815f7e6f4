import Foundation
import HybridDiagnostics

/// Removes secrets from text before it reaches an error, a description or an event: the client's
/// own credentials are registered in the process's ``SecretRegistry`` when it is made, and every
/// token it receives when it receives it.
struct Redactor: Sendable {
    /// What a secret is replaced with.
    static let placeholder = SecretRegistry.placeholder

    init(secrets: [String]) {
        for secret in secrets { SecretRegistry.shared.register(secret) }
    }

    /// Registers a secret received from a server (a JWT, a refresh token, a CSRF token, a cookie).
    func register(_ secret: String?) { SecretRegistry.shared.register(secret) }

    /// `text` with every occurrence of every registered secret replaced by the placeholder.
    func redact(_ text: String) -> String { SecretRegistry.shared.redact(text) }

    /// A URL string without its `user:password@` part.
    static func removingUserInfo(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return url }
        return String(url[..<schemeEnd.upperBound]) + String(rest[rest.index(after: at)...])
    }
}
