import Foundation

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
    /// By lowercased name.
    var headers: [String: String]

    /// Header names lowercased; a repeated field's values joined with `, ` as HTTP allows.
    init(status: Int, body: Data, headers fields: [(name: String, value: String)]) {
        self.status = status
        self.body = body
        var headers: [String: String] = [:]
        for (name, value) in fields {
            let key = name.lowercased()
            headers[key] = headers[key].map { $0 + ", " + value } ?? value
        }
        self.headers = headers
    }

    var isSuccess: Bool { (200..<300).contains(status) }

    /// The body as a JSON object, or nil.
    var jsonObject: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
    }
}
