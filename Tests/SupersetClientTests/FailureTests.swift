import Foundation
import HybridTestSupport
import SupersetClient
import Testing

@Suite("Timeouts and unreachable servers")
struct FailureTests {
    @Test("a server that never answers times out within the configured limit")
    func timeout() async throws {
        let server = try StubHTTPServer { _ in .hangs }
        defer { server.stop() }
        let events = Locked<[SupersetRequestEvent]>([])
        let client = stubClient(
            server, auth: .bearer("tok"), options: stubOptions(events: events, requestTimeout: .milliseconds(400)))
        let start = ContinuousClock.now
        let error = try #require(await supersetError { _ = try await client.list(.chart) })
        let elapsed = ContinuousClock.now - start
        #expect(error.kind == .timeout)
        #expect(error.status == nil)
        #expect(
            error.description
                == "Superset at \(server.baseURL.absoluteString) did not answer GET /api/v1/chart/ (no answer within 0.4 s)"
        )
        // A wait that must have happened (a lower bound cannot flake); no upper bound on wall time.
        #expect(elapsed >= .milliseconds(350))
        // Timeouts are not retried.
        #expect(events.current.count == 1)
        #expect(events.current.first?.failure == .timeout)
    }

    @Test("a server that is down reads 'cannot reach Superset at <url> (connection refused)', after the retries")
    func connectionRefused() async throws {
        let refusing = try StubHTTPServer.RefusingPort()
        let port = refusing.port
        let events = Locked<[SupersetRequestEvent]>([])
        let client = SupersetAPIClient(
            target: try SupersetTarget(
                "http://127.0.0.1:\(port)", auth: .password(username: "admin", password: "pw-123")),
            options: stubOptions(events: events))
        let error = try #require(await supersetError { _ = try await client.list(.dashboard) })
        #expect(error.kind == .unreachable)
        #expect(error.description == "cannot reach Superset at http://127.0.0.1:\(port) (connection refused)")
        // The login is what could not be sent: once plus three retries.
        #expect(events.current.map(\.attempt) == [1, 2, 3, 4])
        #expect(events.current.allSatisfy { $0.status == nil && $0.failure == .unreachable })
        withExtendedLifetime(refusing) {}
    }

    @Test("an import is retried when the connection was refused, since nothing reached the server")
    func importRetriedWhenRefused() async throws {
        let server = try StubHTTPServer { request in
            request.path == "/api/v1/security/csrf_token/" ? .json(200, #"{"result":"tok"}"#) : .json(200, "{}")
        }
        let events = Locked<[SupersetRequestEvent]>([])
        let client = stubClient(server, auth: .bearer("tok"), options: stubOptions(events: events, retries: 2))
        try await client.delete(.chart, id: 1)
        server.stop()
        let error = await supersetError { try await client.importAssets(bundle: Data("PK".utf8)) }
        #expect(error?.kind == .unreachable)
        let imports = events.current.filter { $0.path == "/api/v1/assets/import/" }
        #expect(imports.map(\.attempt) == [1, 2, 3])
    }

    @Test("a connection closed without an answer is retried for a GET but not for an import")
    func droppedConnection() async throws {
        let server = try StubHTTPServer { request in
            request.path == "/api/v1/security/csrf_token/" ? .json(200, #"{"result":"tok"}"#) : .drops
        }
        defer { server.stop() }
        let events = Locked<[SupersetRequestEvent]>([])
        let client = stubClient(server, auth: .bearer("tok"), options: stubOptions(events: events, retries: 2))
        let listError = try #require(await supersetError { _ = try await client.list(.chart) })
        #expect(listError.kind == .unreachable)
        // macOS says the connection was lost; Linux's URLSession reports a bad server response.
        #expect(["connection lost", "connection closed without an answer"].contains(listError.message))
        let importError = await supersetError { try await client.importAssets(bundle: Data("PK".utf8)) }
        #expect(importError?.kind == .unreachable)
        #expect(events.current.filter { $0.path == "/api/v1/chart/" }.count == 3)
        #expect(events.current.filter { $0.path == "/api/v1/assets/import/" }.count == 1)
    }

    @Test("cancelling the calling task stops a pending call promptly")
    func cancellation() async throws {
        let server = try StubHTTPServer { _ in .hangs }
        defer { server.stop() }
        let client = stubClient(server, auth: .bearer("tok"), options: stubOptions(requestTimeout: .seconds(30)))
        let task = Task { await supersetError { _ = try await client.list(.chart) } }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        let error = await task.value
        // Without prompt cancellation the call would end by its 30 s timeout, as `.timeout`.
        #expect(error?.kind == .cancelled)
    }

    @Test("health answers without credentials")
    func health() async throws {
        let server = try StubHTTPServer { request in
            request.path == "/health" && request.header("Authorization") == nil
                ? StubResponse(status: 200, body: Data("OK".utf8)) : .notFound
        }
        defer { server.stop() }
        try await stubClient(server).health()
        #expect(server.requests.map(\.path) == ["/health"])
    }

    @Test("a base URL that is not http(s) is a configuration error")
    func badURL() {
        #expect(throws: SupersetError.self) { try SupersetTarget("ftp://example", auth: .bearer("x")) }
        #expect(throws: SupersetError.self) { try SupersetTarget("localhost:8088", auth: .bearer("x")) }
        #expect(
            (try? SupersetTarget("https://bi.example.com/superset/", auth: .bearer("x")))?.displayURL
                == "https://bi.example.com/superset")
    }
}
