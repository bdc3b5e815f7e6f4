import HybridDiagnostics

/// A failed call to Superset (or to Preset's auth endpoint), as a value.
///
/// `message` is Superset's own message where it sent one (`message`, `errors[].message` or `msg` in
/// the JSON body), else a sentence of ours. Secrets never appear in any field.
public struct SupersetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, coarse enough to branch on.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// 401: the credentials or the token were rejected.
        case unauthorized
        /// 403, or a CSRF token refused even after fetching a fresh one.
        case forbidden
        /// 400 or 422: Superset refused the request's content; also a request refused before sending.
        case invalid
        /// 404.
        case notFound
        /// 409.
        case conflict
        /// 5xx.
        case server
        /// No HTTP answer: connection refused, host not found, connection lost.
        case unreachable
        /// No complete answer within the call's timeout.
        case timeout
        /// An answer the client cannot use: a redirect, a body that is not the JSON or ZIP expected.
        case unexpectedResponse
        /// The client was set up wrongly: a missing environment variable, a URL that is not http(s).
        case configuration
        /// The calling task was cancelled.
        case cancelled
    }

    public var kind: Kind
    /// The HTTP status, when there was an answer.
    public var status: Int?
    /// `GET`, `POST`, `DELETE`, when a request was involved.
    public var method: String?
    /// The request path (`/api/v1/assets/import/`), without the query.
    public var path: String?
    /// The server's base URL as shown to people (no user info), when a server was involved.
    public var server: String?
    /// Who answered (or did not): `Superset`, or `Preset` for Preset's token exchange.
    public var service: String
    /// Superset's message, or ours; for `.unreachable` the reason (`connection refused`).
    public var message: String

    public init(
        kind: Kind, status: Int? = nil, method: String? = nil, path: String? = nil, server: String? = nil,
        service: String = "Superset", message: String
    ) {
        self.kind = kind
        self.status = status
        self.method = method
        self.path = path
        self.server = server
        self.service = service
        self.message = message
    }

    /// A `.configuration` error: the client cannot be used as set up.
    public static func configuration(_ message: String) -> SupersetError {
        SupersetError(kind: .configuration, message: message)
    }

    /// One line for people, e.g. `cannot reach Superset at http://127.0.0.1:8088 (connection refused)` or
    /// `Superset at http://127.0.0.1:8088 answered 422 to POST /api/v1/assets/import/: <message>`.
    public var description: String {
        let at = server.map { " at \($0)" } ?? ""
        let request = [method, path].compactMap { $0 }.joined(separator: " ")
        switch kind {
        case .configuration:
            return message
        case .unreachable:
            return "cannot reach \(service)\(at) (\(message))"
        case .timeout:
            return "\(service)\(at) did not answer \(request.isEmpty ? "in time" : request) (\(message))"
        case .cancelled:
            return request.isEmpty ? message : "\(request): \(message)"
        default:
            guard let status else { return request.isEmpty ? message : "\(request): \(message)" }
            return "\(service)\(at) answered \(status) to \(request): \(message)"
        }
    }

    /// The error as a diagnostic for the project's printers.
    public var diagnostic: Diagnostic { .error(at: nil, description) }

    /// The kind for an HTTP status outside 2xx.
    static func kind(forStatus status: Int) -> Kind {
        switch status {
        case 401: return .unauthorized
        case 403: return .forbidden
        case 404: return .notFound
        case 409: return .conflict
        case 400, 405...408, 410...499: return .invalid
        case 500...599: return .server
        default: return .unexpectedResponse
        }
    }
}
