import Foundation
import HybridTestSupport
import SupersetClient
import Testing

/// A stub that enforces CSRF the way Superset does: the token from `/api/v1/security/csrf_token/` is bound
/// to the `session` cookie set by that answer, and a mutating form post without both (or without a
/// Referer) is redirected to `/login/`.
private final class CSRFStub: Sendable {
    let issued = Locked(0)
    /// Tokens issued before this number are treated as expired.
    let firstValid: Int

    init(firstValid: Int = 1) { self.firstValid = firstValid }

    func handle(_ request: StubRequest, referer: String) -> StubResponse {
        switch (request.method, request.path) {
        case ("POST", "/api/v1/security/login"):
            return loginAnswer(token: "jwt")
        case ("GET", "/api/v1/security/csrf_token/"):
            guard request.header("Authorization") == "Bearer jwt" else { return .json(401, #"{"msg":"no"}"#) }
            let number = issued.withValue { count -> Int in
                count += 1
                return count
            }
            return .json(
                200, object: ["result": "csrf-\(number)"],
                headers: [("Set-Cookie", "session=sess-\(number); HttpOnly; Path=/")])
        case ("POST", "/api/v1/assets/import/"), ("DELETE", _):
            guard let token = request.header("X-CSRFToken"), token.hasPrefix("csrf-"),
                let number = Int(token.dropFirst(5)), number >= firstValid,
                request.header("Cookie")?.contains("session=sess-\(number)") == true,
                request.header("Referer") == referer
            else { return .redirect(to: "/login/?next=\(request.path)") }
            return .json(200, #"{"message":"OK"}"#)
        default:
            return .notFound
        }
    }
}

@Suite("CSRF")
struct CSRFTests {
    @Test("mutating calls carry the CSRF token, the cookie it belongs to, and a Referer")
    func tokenCookieReferer() async throws {
        let stub = CSRFStub()
        let server = try StubHTTPServer { [stub] request in
            stub.handle(
                request, referer: "http://127.0.0.1:\(request.header("Host")?.split(separator: ":").last ?? "")")
        }
        defer { server.stop() }
        let client = stubClient(server)
        try await client.importAssets(bundle: Data("PK".utf8))
        try await client.delete(.chart, id: 7)
        #expect(
            server.requests.map { "\($0.method) \($0.path)" } == [
                "POST /api/v1/security/login", "GET /api/v1/security/csrf_token/", "POST /api/v1/assets/import/",
                "DELETE /api/v1/chart/7",
            ])
        #expect(stub.issued.current == 1)
        // The token fetch itself carries the bearer token; GETs carry no CSRF header.
        #expect(server.requests[1].header("X-CSRFToken") == nil)
    }

    @Test("a refused CSRF token (redirect to /login/) is fetched again once and the call repeated")
    func staleToken() async throws {
        let stub = CSRFStub(firstValid: 2)
        let server = try StubHTTPServer { [stub] request in
            stub.handle(
                request, referer: "http://127.0.0.1:\(request.header("Host")?.split(separator: ":").last ?? "")")
        }
        defer { server.stop() }
        try await stubClient(server).delete(.dashboard, id: 3)
        #expect(stub.issued.current == 2)
        #expect(server.requests.filter { $0.method == "DELETE" }.count == 2)
    }

    @Test("a CSRF token refused twice is forbidden, and the error says so")
    func refusedTwice() async throws {
        let stub = CSRFStub(firstValid: 99)
        let server = try StubHTTPServer { [stub] request in stub.handle(request, referer: "") }
        defer { server.stop() }
        let error = await supersetError { try await stubClient(server).delete(.dashboard, id: 3) }
        #expect(error?.kind == .forbidden)
        #expect(error?.status == 302)
        #expect(error?.message.contains("CSRF token") == true)
        #expect(error?.message.contains("/login/") == true)
        #expect(stub.issued.current == 2)
    }

    @Test("a JSON 400 'The CSRF token is missing' is also treated as a CSRF refusal")
    func jsonRefusal() async throws {
        let deletes = Locked(0)
        let server = try StubHTTPServer { request in
            switch request.path {
            case "/api/v1/security/login": return loginAnswer(token: "jwt")
            case "/api/v1/security/csrf_token/": return .json(200, #"{"result":"tok"}"#)
            default:
                let count = deletes.withValue { count -> Int in
                    count += 1
                    return count
                }
                return count == 1
                    ? .json(400, #"{"errors":[{"message":"400 Bad Request: The CSRF token is missing."}]}"#)
                    : .json(200, #"{"message":"OK"}"#)
            }
        }
        defer { server.stop() }
        try await stubClient(server).delete(.chart, id: 1)
        #expect(deletes.current == 2)
        #expect(server.requests.filter { $0.path == "/api/v1/security/csrf_token/" }.count == 2)
    }

    @Test("a server without the CSRF endpoint gets mutating calls without a token")
    func noCSRFEndpoint() async throws {
        let server = try StubHTTPServer { request in
            switch request.path {
            case "/api/v1/security/login": return loginAnswer(token: "jwt")
            case "/api/v1/security/csrf_token/": return .notFound
            default: return .json(200, #"{"message":"OK"}"#)
            }
        }
        defer { server.stop() }
        let client = stubClient(server)
        try await client.delete(.chart, id: 1)
        try await client.delete(.chart, id: 2)
        let deletes = server.requests.filter { $0.method == "DELETE" }
        #expect(deletes.count == 2)
        #expect(deletes.allSatisfy { $0.header("X-CSRFToken") == nil })
        // Asked once, remembered.
        #expect(server.requests.filter { $0.path == "/api/v1/security/csrf_token/" }.count == 1)
    }

    @Test("Preset workspaces get no token until one is refused, then the usual fetch and retry")
    func presetLazy() async throws {
        let preset = try StubHTTPServer { _ in .json(200, object: ["payload": ["access_token": "jwt"]]) }
        defer { preset.stop() }
        let stub = CSRFStub()
        let workspace = try StubHTTPServer { [stub] request in
            stub.handle(
                request, referer: "http://127.0.0.1:\(request.header("Host")?.split(separator: ":").last ?? "")")
        }
        defer { workspace.stop() }
        let client = stubClient(
            workspace,
            auth: .preset(apiToken: "t", apiSecret: "s", authURL: preset.baseURL.appendingPathComponent("v1/auth/")))
        try await client.delete(.chart, id: 1)
        try await client.delete(.chart, id: 2)
        #expect(
            workspace.requests.map { "\($0.method) \($0.path)" } == [
                "DELETE /api/v1/chart/1", "GET /api/v1/security/csrf_token/", "DELETE /api/v1/chart/1",
                "DELETE /api/v1/chart/2",
            ])
    }
}
