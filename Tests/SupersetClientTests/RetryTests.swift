import Foundation
import HybridTestSupport
import SupersetClient
import Testing

@Suite("Retries and backoff")
struct RetryTests {
    @Test("503 twice then 200: the list succeeds on the third attempt and every attempt is reported")
    func retriesOn503() async throws {
        let calls = Locked(0)
        let server = try StubHTTPServer { request in
            if request.path == "/api/v1/security/login" { return loginAnswer(token: "jwt") }
            let count = calls.withValue { count -> Int in
                count += 1
                return count
            }
            return count <= 2 ? .json(503, #"{"message":"busy"}"#) : emptyList
        }
        defer { server.stop() }
        let events = Locked<[SupersetRequestEvent]>([])
        _ = try await stubClient(server, options: stubOptions(events: events)).list(.chart)
        #expect(calls.current == 3)
        let listEvents = events.current.filter { $0.path == "/api/v1/chart/" }
        #expect(listEvents.map(\.status) == [503, 503, 200])
        #expect(listEvents.map(\.attempt) == [1, 2, 3])
        #expect(listEvents.allSatisfy { $0.method == "GET" })
    }

    @Test("retries stop after maxRetries and the last 5xx is surfaced as a server error")
    func givesUp() async throws {
        let server = try StubHTTPServer { request in
            request.path == "/api/v1/security/login"
                ? loginAnswer(token: "jwt") : .json(502, #"{"message":"bad gateway"}"#)
        }
        defer { server.stop() }
        let error = await supersetError {
            _ = try await stubClient(server, options: stubOptions(retries: 2)).list(.chart)
        }
        #expect(error?.kind == .server)
        #expect(error?.status == 502)
        #expect(error?.message == "bad gateway")
        #expect(server.requests.filter { $0.path == "/api/v1/chart/" }.count == 3)
    }

    @Test("422 is not retried and Superset's message is surfaced")
    func noRetryOn422() async throws {
        let server = try StubHTTPServer { request in
            switch request.path {
            case "/api/v1/security/login": return loginAnswer(token: "jwt")
            case "/api/v1/security/csrf_token/": return .json(200, #"{"result":"tok"}"#)
            default: return .json(422, #"{"message":"Cannot delete a database that has datasets attached"}"#)
            }
        }
        defer { server.stop() }
        let error = try #require(await supersetError { try await stubClient(server).delete(.database, id: 4) })
        #expect(error.kind == .invalid)
        #expect(error.status == 422)
        #expect(error.method == "DELETE")
        #expect(error.path == "/api/v1/database/4")
        #expect(error.message == "Cannot delete a database that has datasets attached")
        #expect(
            error.description
                == "Superset at \(server.baseURL.absoluteString) answered 422 to DELETE /api/v1/database/4: "
                + "Cannot delete a database that has datasets attached")
        #expect(server.requests.filter { $0.method == "DELETE" }.count == 1)
    }

    @Test("an import answered 503 is not retried: Superset may have imported part of it")
    func importNotRetriedOn503() async throws {
        let server = try StubHTTPServer { request in
            switch request.path {
            case "/api/v1/security/login": return loginAnswer(token: "jwt")
            case "/api/v1/security/csrf_token/": return .json(200, #"{"result":"tok"}"#)
            default: return .json(503, #"{"message":"busy"}"#)
            }
        }
        defer { server.stop() }
        let error = await supersetError { try await stubClient(server).importAssets(bundle: Data("PK".utf8)) }
        #expect(error?.kind == .server)
        #expect(server.requests.filter { $0.path == "/api/v1/assets/import/" }.count == 1)
    }

    @Test("a Retry-After header lengthens the wait, up to maxDelay")
    func retryAfter() async throws {
        let calls = Locked(0)
        let server = try StubHTTPServer { _ in
            let count = calls.withValue { count -> Int in
                count += 1
                return count
            }
            return count == 1 ? StubResponse(status: 503, headers: [("Retry-After", "1")]) : StubResponse(status: 200)
        }
        defer { server.stop() }
        var options = stubOptions()
        options.retry = RetryPolicy(maxRetries: 1, baseDelay: .milliseconds(1), maxDelay: .milliseconds(300))
        let client = stubClient(server, options: options)
        let start = ContinuousClock.now
        try await client.health()
        let elapsed = ContinuousClock.now - start
        // Retry-After (1 s) capped at maxDelay (300 ms): the wait happened (a lower bound cannot flake).
        #expect(elapsed >= .milliseconds(290))
        #expect(calls.current == 2)
    }

    @Test("full jitter: every delay lies between zero and the doubling ceiling, capped at maxDelay")
    func jitterBounds() {
        let policy = RetryPolicy.default
        #expect(policy.maxRetries == 3)
        #expect(policy.ceiling(beforeRetry: 1) == .milliseconds(500))
        #expect(policy.ceiling(beforeRetry: 2) == .seconds(1))
        #expect(policy.ceiling(beforeRetry: 3) == .seconds(2))
        #expect(policy.ceiling(beforeRetry: 10) == .seconds(8))
        var generator = SystemRandomNumberGenerator()
        for retry in 1...5 {
            let delays = (0..<200).map { _ in policy.delay(beforeRetry: retry, using: &generator) }
            #expect(delays.allSatisfy { $0 >= .zero && $0 <= policy.ceiling(beforeRetry: retry) })
            // Full jitter spreads over the whole range, not just near the ceiling.
            #expect(delays.contains { $0 < policy.ceiling(beforeRetry: retry) / 2 })
        }
        #expect(RetryPolicy.none.maxRetries == 0)
    }
}
