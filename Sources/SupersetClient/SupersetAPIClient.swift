import Foundation
import NIOHTTP1

/// A client for one Superset workspace's REST API: authentication, CSRF, cookies, timeouts and retries.
///
/// - Authentication is lazy: the first call logs in (password), exchanges the Preset token (preset) or
///   uses the token (bearer). A 401 later logs in or exchanges again once and repeats the call.
/// - CSRF: before the first POST/PUT/DELETE the client fetches `GET /api/v1/security/csrf_token/` (with the
///   bearer token; the answer sets the `session` cookie) and then sends `X-CSRFToken`, `Referer` and that
///   cookie on every mutating call. A server without the endpoint (404/403) gets none, and so does a Preset
///   workspace at first (Preset takes JWT calls without one, as Preset's own CLI relies on). A CSRF refusal
///   (Superset redirects a form post to `/login/`, or answers 400 "The CSRF token is missing") fetches a
///   fresh token and repeats the call once.
/// - Every attempt has a deadline (`requestTimeout`, or `transferTimeout` for import and export).
/// - Retries (exponential backoff, full jitter): GET, DELETE, login and the Preset exchange are retried on
///   connection failures (refused, host not found, connection lost) and on 502/503/504. The import POST is
///   retried only when the connection was refused or the host not found, i.e. when nothing was sent; never
///   after a 5xx or a lost connection, when Superset may have imported part of the bundle. Timeouts are
///   not retried (they would multiply the wait).
/// - Errors are `SupersetError` values carrying Superset's own message; no secret appears in them or
///   in the `onRequest` events.
public actor SupersetAPIClient {
    public nonisolated let target: SupersetTarget
    public nonisolated let options: SupersetClientOptions

    private enum CSRFState {
        /// Fetch a token before the next mutating call.
        case unknown
        case token(String)
        /// Send mutating calls without a token: the server has no CSRF endpoint for this user (404/403),
        /// or this is a Preset workspace, which takes JWT calls without one (until it refuses one).
        case skip
    }

    private let transport = HTTPTransport()
    private let redactor: Redactor
    private var accessToken: String?
    /// A login or token exchange under way, which concurrent calls wait for instead of starting their own.
    private var tokenInFlight: Task<Result<String, SupersetError>, Never>?
    /// A CSRF token fetch under way, shared the same way (two fetches would mint two sessions).
    private var csrfInFlight: Task<Result<String?, SupersetError>, Never>?
    private var csrf: CSRFState
    private var cookies = CookieJar()
    private var random = SystemRandomNumberGenerator()

    public init(target: SupersetTarget, options: SupersetClientOptions = SupersetClientOptions()) {
        self.target = target
        self.options = options
        self.redactor = Redactor(secrets: target.secrets)
        if case .preset = target.auth { csrf = .skip } else { csrf = .unknown }
    }

    /// Authenticates now (logs in or exchanges the Preset token) instead of on the first call, so bad
    /// credentials show up early. With a bearer token nothing is sent.
    public func authenticate() async throws(SupersetError) {
        accessToken = nil
        _ = try await currentToken()
    }

    // MARK: - Authenticated calls

    /// Sends an authenticated request and returns its 2xx answer; anything else is thrown as an error.
    func call(_ request: APIRequest) async throws(SupersetError) -> APIAnswer {
        var renewedToken = false
        var renewedCSRF = false
        while true {
            let token = try await currentToken()
            var headers = ["Authorization": "Bearer \(token)"]
            if request.isMutating {
                if let csrfToken = try await csrfToken() { headers["X-CSRFToken"] = csrfToken }
                headers["Referer"] = target.displayURL
            }
            let answer = try await send(request, headers: headers)
            if answer.status == 401, target.auth.canRenew, !renewedToken {
                renewedToken = true
                accessToken = nil
                continue
            }
            if request.isMutating, isCSRFRefusal(answer) {
                if !renewedCSRF {
                    renewedCSRF = true
                    csrf = .unknown
                    continue
                }
                throw csrfError(answer, request)
            }
            guard answer.isSuccess else { throw httpError(answer, request) }
            return answer
        }
    }

    /// Sends a request without credentials (health) and returns its answer whatever the status.
    func callWithoutAuthentication(_ request: APIRequest) async throws(SupersetError) -> APIAnswer {
        try await send(request, headers: [:])
    }

    private func currentToken() async throws(SupersetError) -> String {
        if let accessToken { return accessToken }
        let task: Task<Result<String, SupersetError>, Never>
        if let tokenInFlight {
            task = tokenInFlight
        } else {
            task = Task { await self.obtainToken() }
            tokenInFlight = task
        }
        return try await task.value.get()
    }

    private func obtainToken() async -> Result<String, SupersetError> {
        defer { tokenInFlight = nil }
        do throws(SupersetError) {
            let token: String
            switch target.auth {
            case .bearer(let bearer):
                token = bearer
            case .password(let username, let password):
                token = try await login(username: username, password: password)
            case .preset(let apiToken, let apiSecret, let authURL):
                token = try await exchangePresetToken(apiToken: apiToken, apiSecret: apiSecret, authURL: authURL)
            }
            redactor.register(token)
            accessToken = token
            return .success(token)
        } catch {
            return .failure(error)
        }
    }

    /// `POST /api/v1/security/login` with provider `db`; the answer's `access_token` is the JWT.
    private func login(username: String, password: String) async throws(SupersetError) -> String {
        let body: [String: Any] = ["username": username, "password": password, "provider": "db", "refresh": true]
        let request = APIRequest(
            method: "POST", path: "/api/v1/security/login",
            body: try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]),
            contentType: "application/json", timeout: options.requestTimeout, retry: .idempotent)
        let answer = try await send(request, headers: [:])
        guard answer.isSuccess else {
            var error = httpError(answer, request)
            if answer.status == 401 { error.message = "login as '\(username)' was refused: \(error.message)" }
            throw error
        }
        redactor.register(answer.jsonObject?["refresh_token"] as? String)
        guard let token = answer.jsonObject?["access_token"] as? String, !token.isEmpty else {
            throw unexpected(request, "the login answer has no access_token")
        }
        redactor.register(token)
        return token
    }

    /// Preset: `POST <authURL>` with `{"name": token, "secret": secret}`; `payload.access_token` is the JWT.
    private func exchangePresetToken(apiToken: String, apiSecret: String, authURL: URL) async throws(SupersetError)
        -> String
    {
        let body = ["name": apiToken, "secret": apiSecret]
        let request = APIRequest(
            method: "POST", path: authURL.path.isEmpty ? "/" : authURL.path,
            body: try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]),
            contentType: "application/json", timeout: options.requestTimeout, retry: .idempotent)
        let server = SupersetTarget.display(authURL)
        let answer = try await send(request, headers: [:], url: authURL, server: server, service: "Preset")
        guard answer.isSuccess else {
            var error = httpError(answer, request, server: server, service: "Preset")
            if answer.status == 401 || answer.status == 403 {
                error.kind = .unauthorized
                error.message = "Preset refused the API token and secret: \(error.message)"
            }
            throw error
        }
        let payload = answer.jsonObject?["payload"] as? [String: Any]
        redactor.register(payload?["refresh_token"] as? String)
        guard let token = payload?["access_token"] as? String, !token.isEmpty else {
            var error = unexpected(request, "the token exchange answer has no payload.access_token")
            error.server = server
            error.service = "Preset"
            throw error
        }
        return token
    }

    /// The CSRF token for mutating calls, fetched once; nil where the server offers none.
    private func csrfToken() async throws(SupersetError) -> String? {
        switch csrf {
        case .token(let token): return token
        case .skip: return nil
        case .unknown: break
        }
        let task: Task<Result<String?, SupersetError>, Never>
        if let csrfInFlight {
            task = csrfInFlight
        } else {
            task = Task { await self.fetchCSRFToken() }
            csrfInFlight = task
        }
        return try await task.value.get()
    }

    private func fetchCSRFToken() async -> Result<String?, SupersetError> {
        defer { csrfInFlight = nil }
        let request = APIRequest(
            method: "GET", path: "/api/v1/security/csrf_token/", timeout: options.requestTimeout, retry: .idempotent)
        do throws(SupersetError) {
            let answer = try await call(request)
            guard let token = answer.jsonObject?["result"] as? String, !token.isEmpty else {
                return .failure(unexpected(request, "the CSRF token answer has no result"))
            }
            redactor.register(token)
            csrf = .token(token)
            return .success(token)
        } catch  where error.kind == .notFound || error.kind == .forbidden {
            csrf = .skip
            return .success(nil)
        } catch {
            return .failure(error)
        }
    }

    /// Superset refuses a missing or stale CSRF token on a form post with a redirect to its login page,
    /// and on a JSON request with 400 "The CSRF token is missing/invalid".
    private func isCSRFRefusal(_ answer: APIAnswer) -> Bool {
        if (300..<400).contains(answer.status) {
            return answer.headers["location"]?.contains("/login") ?? false
        }
        if answer.status == 400, let message = ServerMessage.extract(from: answer.body) {
            return message.localizedCaseInsensitiveContains("CSRF")
        }
        return false
    }

    // MARK: - Sending with retries

    /// Sends `request` to the target (or to `url`), retrying what `request.retry` allows, reporting
    /// every attempt, and keeping the target's cookies.
    private func send(
        _ request: APIRequest, headers: [String: String], url: URL? = nil, server: String? = nil,
        service: String = "Superset"
    ) async throws(SupersetError) -> APIAnswer {
        let toTarget = url == nil
        let server = server ?? target.displayURL
        guard let url = url ?? target.url(path: request.path, query: request.query) else {
            throw SupersetError.configuration("cannot build a URL for \(request.path) on \(target.displayURL)")
        }
        var attempt = 0
        while true {
            attempt += 1
            var fields = HeaderFields([("Accept", request.accept), ("User-Agent", options.userAgent)])
            if let contentType = request.contentType { fields.set("Content-Type", contentType) }
            for (name, value) in headers.sorted(by: { $0.key < $1.key }) { fields.set(name, value) }
            if toTarget, let cookie = cookies.header(forPath: url.path) { fields.set("Cookie", cookie) }

            let start = ContinuousClock.now
            let result: Result<HTTPTransport.Response, HTTPTransport.Failure>
            do {
                result = .success(
                    try await transport.send(
                        method: request.method, url: url, headers: fields.pairs, body: request.body,
                        reusingConnections: request.retry == .idempotent, timeout: request.timeout))
            } catch {
                result = .failure(error)
            }
            let duration = ContinuousClock.now - start
            let canRetry = attempt <= options.retry.maxRetries

            switch result {
            case .success(let response):
                if toTarget {
                    let setCookies = response.headers.filter { $0.name.lowercased() == "set-cookie" }.map(\.value)
                    if !setCookies.isEmpty { cookies.store(setCookieValues: setCookies, for: url) }
                }
                let answer = APIAnswer(status: response.status, body: response.body, headers: response.headers)
                report(request, status: answer.status, failure: nil, duration: duration, attempt: attempt)
                if canRetry, request.retry == .idempotent, [502, 503, 504].contains(answer.status) {
                    try await pause(beforeRetry: attempt, retryAfter: answer.headers["retry-after"])
                    continue
                }
                return answer
            case .failure(let failure):
                let error = transportError(failure, request, server: server, service: service)
                report(request, status: nil, failure: error.kind, duration: duration, attempt: attempt)
                if canRetry, Self.isRetryable(failure, request.retry) {
                    try await pause(beforeRetry: attempt, retryAfter: nil)
                    continue
                }
                throw error
            }
        }
    }

    private static func isRetryable(_ failure: HTTPTransport.Failure, _ retry: APIRequest.Retry) -> Bool {
        switch failure {
        case .refused, .hostNotFound: return true
        case .connectionLost: return retry == .idempotent
        case .tls, .invalidResponse, .tooLarge, .deadline, .cancelled, .network: return false
        }
    }

    private func pause(beforeRetry attempt: Int, retryAfter: String?) async throws(SupersetError) {
        var delay = options.retry.delay(beforeRetry: attempt, using: &random)
        if let retryAfter, let seconds = Int(retryAfter.trimmingCharacters(in: .whitespaces)), seconds > 0 {
            delay = max(delay, min(.seconds(seconds), options.retry.maxDelay))
        }
        do {
            try await Task.sleep(for: delay)
        } catch {
            throw SupersetError(kind: .cancelled, message: "cancelled while waiting to retry")
        }
    }

    private func report(
        _ request: APIRequest, status: Int?, failure: SupersetError.Kind?, duration: Duration, attempt: Int
    ) {
        options.onRequest?(
            SupersetRequestEvent(
                method: request.method, path: request.path, status: status, duration: duration, attempt: attempt,
                failure: failure))
    }

    // MARK: - Errors

    private func transportError(
        _ failure: HTTPTransport.Failure, _ request: APIRequest, server: String, service: String
    ) -> SupersetError {
        var error = SupersetError(
            kind: .unreachable, method: request.method, path: request.path, server: server, service: service,
            message: "")
        switch failure {
        case .deadline:
            error.kind = .timeout
            error.message = "no answer within \(request.timeout.shortDescription)"
        case .cancelled:
            error.kind = .cancelled
            error.message = "cancelled"
        case .refused: error.message = "connection refused"
        case .hostNotFound: error.message = "host not found"
        case .connectionLost: error.message = "connection closed without an answer"
        case .tls(let detail): error.message = "TLS connection failed: \(detail)"
        case .invalidResponse:
            error.kind = .unexpectedResponse
            error.message = "the answer is not valid HTTP"
        case .tooLarge:
            error.kind = .unexpectedResponse
            error.message = "the answer is larger than \(HTTPTransport.maximumBodyBytes >> 20) MiB"
        case .network(let detail): error.message = "network error: \(detail)"
        }
        return error
    }

    /// The error for a non-2xx answer, with Superset's own message where it gave one.
    func httpError(
        _ answer: APIAnswer, _ request: APIRequest, server: String? = nil, service: String = "Superset"
    ) -> SupersetError {
        var message: String
        if (300..<400).contains(answer.status) {
            let location = answer.headers["location"].map { Redactor.removingUserInfo($0) } ?? "nowhere"
            message = "redirected to \(location)"
        } else {
            message =
                ServerMessage.extract(from: answer.body)
                ?? HTTPResponseStatus(statusCode: answer.status).reasonPhrase.lowercased()
        }
        return SupersetError(
            kind: SupersetError.kind(forStatus: answer.status), status: answer.status, method: request.method,
            path: request.path, server: server ?? target.displayURL, service: service,
            message: redactor.redact(message))
    }

    private func csrfError(_ answer: APIAnswer, _ request: APIRequest) -> SupersetError {
        var error = httpError(answer, request)
        error.kind = .forbidden
        if (300..<400).contains(answer.status) {
            error.message = "Superset refused the CSRF token even after fetching a fresh one (\(error.message))"
        }
        return error
    }

    /// A `.unexpectedResponse` error for an answer the client cannot use.
    func unexpected(_ request: APIRequest, _ message: String, status: Int? = 200) -> SupersetError {
        SupersetError(
            kind: .unexpectedResponse, status: status, method: request.method, path: request.path,
            server: target.displayURL, message: message)
    }
}

extension Duration {
    /// `15 s`, `0.25 s`.
    var shortDescription: String {
        let seconds = self.seconds
        if seconds == seconds.rounded() { return "\(Int(seconds)) s" }
        return "\((seconds * 1000).rounded() / 1000) s"
    }
}
