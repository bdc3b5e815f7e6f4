import Foundation
import HybridTestSupport
import SupersetClient

/// Options for stub tests: fast retries, short timeouts, and events collected into `events`.
func stubOptions(
    events: Locked<[SupersetRequestEvent]>? = nil, retries: Int = 3, requestTimeout: Duration = .seconds(5)
) -> SupersetClientOptions {
    var options = SupersetClientOptions(
        requestTimeout: requestTimeout, transferTimeout: requestTimeout,
        retry: RetryPolicy(maxRetries: retries, baseDelay: .milliseconds(5), maxDelay: .milliseconds(20)))
    if let events {
        options.onRequest = { event in events.withValue { $0.append(event) } }
    }
    return options
}

/// A client for a stub server logging in as admin with a recognisable password.
func stubClient(
    _ server: StubHTTPServer, auth: SupersetAuth = .password(username: "admin", password: "s3cret-pass"),
    options: SupersetClientOptions = stubOptions()
) -> SupersetAPIClient {
    SupersetAPIClient(target: SupersetTarget(baseURL: server.baseURL, auth: auth), options: options)
}

/// The answer of Superset's login endpoint.
func loginAnswer(token: String) -> StubResponse {
    .json(200, object: ["access_token": token, "refresh_token": "refresh-\(token)"])
}

/// An empty list answer.
let emptyList = StubResponse.json(200, #"{"count":0,"ids":[],"result":[]}"#)

/// Runs `body` and returns the `SupersetError` it throws, or nil when it succeeds (or throws anything else).
func supersetError(_ body: () async throws -> Void) async -> SupersetError? {
    do {
        try await body()
        return nil
    } catch {
        return error as? SupersetError
    }
}
