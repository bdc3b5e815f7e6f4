import Foundation
import HybridTestSupport
import SupersetClient
import Testing

@Suite("Authentication against a stub Superset")
struct AuthenticationTests {
    @Test("password login posts the documented JSON and the token is sent as a bearer")
    func loginThenBearer() async throws {
        let server = try StubHTTPServer { request in
            switch (request.method, request.path) {
            case ("POST", "/api/v1/security/login"): return loginAnswer(token: "jwt-1")
            case ("GET", "/api/v1/chart/"):
                return request.header("Authorization") == "Bearer jwt-1" ? emptyList : .json(401, #"{"msg":"no"}"#)
            default: return .notFound
            }
        }
        defer { server.stop() }
        let objects = try await stubClient(server).list(.chart)
        #expect(objects.isEmpty)
        let requests = server.requests
        #expect(requests.map(\.path) == ["/api/v1/security/login", "/api/v1/chart/"])
        let login = try #require(requests.first?.json)
        #expect(login["username"] as? String == "admin")
        #expect(login["password"] as? String == "s3cret-pass")
        #expect(login["provider"] as? String == "db")
        #expect(login["refresh"] as? Bool == true)
        #expect(requests[0].header("Content-Type") == "application/json")
    }

    @Test("a 401 logs in again once and repeats the call")
    func reloginOnce() async throws {
        let logins = Locked(0)
        let server = try StubHTTPServer { request in
            switch request.path {
            case "/api/v1/security/login":
                let count = logins.withValue { count -> Int in
                    count += 1
                    return count
                }
                return loginAnswer(token: "jwt-\(count)")
            case "/api/v1/dashboard/":
                // The first token has "expired" by the time it is used.
                return request.header("Authorization") == "Bearer jwt-2"
                    ? emptyList : .json(401, #"{"msg":"Token has expired"}"#)
            default: return .notFound
            }
        }
        defer { server.stop() }
        _ = try await stubClient(server).list(.dashboard)
        #expect(logins.current == 2)
        #expect(server.requests.map(\.path).filter { $0 == "/api/v1/dashboard/" }.count == 2)
    }

    @Test("a 401 that persists after logging in again is unauthorized, with Superset's message")
    func persistentUnauthorized() async throws {
        let server = try StubHTTPServer { request in
            request.path == "/api/v1/security/login"
                ? loginAnswer(token: "jwt") : .json(401, #"{"msg":"Token has expired"}"#)
        }
        defer { server.stop() }
        let error = await supersetError { _ = try await stubClient(server).list(.chart) }
        #expect(error?.kind == .unauthorized)
        #expect(error?.status == 401)
        #expect(error?.message == "Token has expired")
        #expect(error?.method == "GET")
        #expect(error?.path == "/api/v1/chart/")
        #expect(server.requests.filter { $0.path == "/api/v1/security/login" }.count == 2)
    }

    @Test("concurrent first calls share one login and one CSRF token fetch")
    func sharedLogin() async throws {
        let server = try StubHTTPServer { request in
            switch request.path {
            case "/api/v1/security/login":
                usleep(100_000)
                return loginAnswer(token: "jwt")
            case "/api/v1/security/csrf_token/":
                usleep(100_000)
                return .json(200, #"{"result":"tok"}"#)
            default: return request.method == "GET" ? emptyList : .json(200, #"{"message":"OK"}"#)
            }
        }
        defer { server.stop() }
        let client = stubClient(server)
        async let charts = client.list(.chart)
        async let dashboards = client.list(.dashboard)
        async let datasets = client.list(.dataset)
        _ = try await (charts, dashboards, datasets)
        async let first: Void = client.delete(.chart, id: 1)
        async let second: Void = client.delete(.chart, id: 2)
        _ = try await (first, second)
        #expect(server.requests.filter { $0.path == "/api/v1/security/login" }.count == 1)
        #expect(server.requests.filter { $0.path == "/api/v1/security/csrf_token/" }.count == 1)
    }

    @Test("a refused password says which user could not log in")
    func wrongPassword() async throws {
        let server = try StubHTTPServer { _ in .json(401, #"{"message":"Not authorized"}"#) }
        defer { server.stop() }
        let error = try #require(await supersetError { try await stubClient(server).authenticate() })
        #expect(error.kind == .unauthorized)
        #expect(
            error.description
                == "Superset at \(server.baseURL.absoluteString) answered 401 to POST /api/v1/security/login: "
                + "login as 'admin' was refused: Not authorized")
        #expect(server.requests.count == 1)
    }

    @Test("a bearer token is sent as given and never renewed")
    func bearerToken() async throws {
        let server = try StubHTTPServer { request in
            request.header("Authorization") == "Bearer given-token" ? emptyList : .json(401, #"{"msg":"bad"}"#)
        }
        defer { server.stop() }
        _ = try await stubClient(server, auth: .bearer("given-token")).list(.database)
        #expect(server.requests.map(\.path) == ["/api/v1/database/"])

        let error = await supersetError {
            _ = try await stubClient(server, auth: .bearer("other-token")).list(.database)
        }
        #expect(error?.kind == .unauthorized)
        #expect(server.requests.count == 2)
    }

    @Test("a Preset API token and secret are exchanged for a JWT (Preset's auth endpoint is a local stub)")
    func presetExchange() async throws {
        let preset = try StubHTTPServer { request in
            guard request.method == "POST", request.path == "/v1/auth/",
                let body = request.json, body["name"] as? String == "preset-token-id",
                body["secret"] as? String == "preset-secret-value"
            else { return .json(401, #"{"errors":[{"message":"invalid credentials"}]}"#) }
            return .json(200, object: ["payload": ["access_token": "preset-jwt"]], headers: [("Set-Cookie", "p=1")])
        }
        defer { preset.stop() }
        let workspace = try StubHTTPServer { request in
            request.header("Authorization") == "Bearer preset-jwt" ? emptyList : .json(401, #"{"msg":"no"}"#)
        }
        defer { workspace.stop() }
        let authURL = preset.baseURL.appendingPathComponent("v1/auth/")
        let client = stubClient(
            workspace, auth: .preset(apiToken: "preset-token-id", apiSecret: "preset-secret-value", authURL: authURL))
        _ = try await client.list(.chart)
        #expect(preset.requests.count == 1)
        #expect(preset.requests.first?.header("Content-Type") == "application/json")
        #expect(workspace.requests.count == 1)
        // Cookies from the auth host are not carried to the workspace.
        #expect(workspace.requests.first?.header("Cookie") == nil)

        let refused = stubClient(
            workspace, auth: .preset(apiToken: "preset-token-id", apiSecret: "wrong-secret", authURL: authURL))
        let error = try #require(await supersetError { try await refused.authenticate() })
        #expect(error.kind == .unauthorized)
        #expect(error.service == "Preset")
        #expect(error.message == "Preset refused the API token and secret: invalid credentials")
        #expect(error.description.hasPrefix("Preset at \(preset.baseURL.absoluteString)/v1/auth answered 401"))
    }

    @Test("the default Preset auth URL is Preset's API")
    func presetDefault() {
        let auth = SupersetAuth.preset(apiToken: "a", apiSecret: "b")
        #expect(
            auth == .preset(apiToken: "a", apiSecret: "b", authURL: URL(string: "https://api.app.preset.io/v1/auth/")!))
    }
}
