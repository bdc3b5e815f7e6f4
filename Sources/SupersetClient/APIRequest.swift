import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One call to make, before authentication, CSRF and cookies are added.
struct APIRequest: Sendable {
    /// Which failures may be retried without risking doing the work twice.
    enum Retry: Sendable, Equatable {
        /// GET, DELETE, login: connection failures and 502/503/504 are retried.
        case idempotent
        /// A POST that changes things (import): retried only when the connection was never made
        /// (refused, host not found), so nothing reached the server.
        case beforeSendingOnly
    }

    var method: String
    /// The API path (`/api/v1/chart/`), appended to the target's base URL.
    var path: String
    /// Already percent-encoded.
    var query: String?
    var body: Data?
    var contentType: String?
    var accept = "application/json"
    var timeout: Duration
    var retry: Retry

    /// POST, PUT, PATCH and DELETE need a CSRF token where Superset enforces CSRF.
    var isMutating: Bool { !["GET", "HEAD", "OPTIONS"].contains(method) }
}

/// A complete HTTP answer.
struct APIAnswer: Sendable {
    var status: Int
    var body: Data
    var headers: [String: String]

    init(status: Int, body: Data, response: HTTPURLResponse) {
        self.status = status
        self.body = body
        var headers: [String: String] = [:]
        for (key, value) in response.allHeaderFields {
            if let key = key as? String, let value = value as? String { headers[key.lowercased()] = value }
        }
        self.headers = headers
    }

    var isSuccess: Bool { (200..<300).contains(status) }

    /// The body as a JSON object, or nil.
    var jsonObject: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
    }
}
