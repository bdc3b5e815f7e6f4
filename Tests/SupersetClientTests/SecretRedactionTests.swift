import Foundation
import HybridTestSupport
import SupersetClient
import Testing

@Suite("Secrets stay out of errors, descriptions and events")
struct SecretRedactionTests {
    static let password = "hunter2-very-secret"
    static let token = "eyJ.bearer-token-value"
    static let presetToken = "preset-token-name-1234"
    static let presetSecret = "preset-secret-5678"

    @Test("credentials print as <redacted> in description, debugDescription and dump")
    func descriptions() {
        let auths: [SupersetAuth] = [
            .password(username: "admin", password: Self.password),
            .bearer(Self.token),
            .preset(apiToken: Self.presetToken, apiSecret: Self.presetSecret),
        ]
        for auth in auths {
            var dumped = ""
            dump(auth, to: &dumped)
            let target = SupersetTarget(baseURL: URL(string: "http://127.0.0.1:8088")!, auth: auth)
            var dumpedTarget = ""
            dump(target, to: &dumpedTarget)
            for text in [
                String(describing: auth), String(reflecting: auth), "\(auth)", dumped, String(describing: target),
                dumpedTarget,
            ] {
                #expect(text.contains("<redacted>"))
                for secret in [Self.password, Self.token, Self.presetToken, Self.presetSecret] {
                    #expect(!text.contains(secret), "\(secret) leaked into \(text)")
                }
            }
        }
        #expect(
            String(describing: SupersetAuth.password(username: "admin", password: Self.password))
                == "password(username: admin, password: <redacted>)")
    }

    @Test("a server that echoes credentials back gets them redacted from the error and its description")
    func echoedSecrets() async throws {
        let server = try StubHTTPServer { request in
            if request.path == "/api/v1/security/login" {
                let body = request.json ?? [:]
                return .json(
                    401, object: ["message": "bad login for \(body["username"] ?? "") with \(body["password"] ?? "")"])
            }
            return .notFound
        }
        defer { server.stop() }
        let events = Locked<[SupersetRequestEvent]>([])
        let client = stubClient(
            server, auth: .password(username: "admin", password: Self.password), options: stubOptions(events: events))
        let error = try #require(await supersetError { try await client.authenticate() })
        #expect(error.message.contains("<redacted>"))
        for text in [error.description, error.message, String(reflecting: error), "\(events.current)"] {
            #expect(!text.contains(Self.password))
        }
    }

    @Test("a rejected bearer token does not appear in the error, even when Superset quotes it")
    func echoedToken() async throws {
        let server = try StubHTTPServer { request in
            .json(401, object: ["msg": "invalid token \(request.header("Authorization") ?? "")"])
        }
        defer { server.stop() }
        let error = try #require(
            await supersetError { _ = try await stubClient(server, auth: .bearer(Self.token)).list(.chart) })
        #expect(!error.description.contains(Self.token))
        #expect(error.message == "invalid token Bearer <redacted>")
    }

    @Test("a Preset secret quoted by the auth endpoint is redacted")
    func echoedPresetSecret() async throws {
        let preset = try StubHTTPServer { request in
            .json(
                403,
                object: [
                    "errors": [["message": "no key \(request.json?["name"] ?? "") / \(request.json?["secret"] ?? "")"]]
                ])
        }
        defer { preset.stop() }
        let auth = SupersetAuth.preset(
            apiToken: Self.presetToken, apiSecret: Self.presetSecret,
            authURL: preset.baseURL.appendingPathComponent("v1/auth/"))
        let client = SupersetAPIClient(
            target: SupersetTarget(baseURL: URL(string: "http://127.0.0.1:1")!, auth: auth), options: stubOptions())
        let error = try #require(await supersetError { try await client.authenticate() })
        #expect(error.kind == .unauthorized)
        #expect(!error.description.contains(Self.presetToken))
        #expect(!error.description.contains(Self.presetSecret))
    }

    @Test("a password in the base URL is not shown")
    func urlUserInfo() async throws {
        let refusing = try StubHTTPServer.RefusingPort()
        let port = refusing.port
        let target = try SupersetTarget("http://admin:\(Self.password)@127.0.0.1:\(port)/", auth: .bearer(Self.token))
        #expect(target.displayURL == "http://127.0.0.1:\(port)")
        #expect(!target.description.contains(Self.password))
        var dumped = ""
        dump(target, to: &dumped)
        #expect(!dumped.contains(Self.password))
        let client = SupersetAPIClient(target: target, options: stubOptions(retries: 0))
        let error = try #require(await supersetError { _ = try await client.list(.chart) })
        #expect(error.description == "cannot reach Superset at http://127.0.0.1:\(port) (connection refused)")
        withExtendedLifetime(refusing) {}
        let invalid = await supersetError {
            _ = try SupersetTarget("ftp://u:\(Self.password)@host", auth: .bearer("x"))
        }
        #expect(invalid.map { !$0.description.contains(Self.password) } == true)
    }

    @Test("events carry method, path, status, duration and attempt, and no query, header or body")
    func events() async throws {
        let server = try StubHTTPServer { request in
            request.path == "/api/v1/security/login" ? loginAnswer(token: Self.token) : emptyList
        }
        defer { server.stop() }
        let events = Locked<[SupersetRequestEvent]>([])
        _ = try await stubClient(
            server, auth: .password(username: "admin", password: Self.password), options: stubOptions(events: events)
        ).list(.chart)
        #expect(
            events.current.map { "\($0.method) \($0.path) \($0.status ?? 0) \($0.attempt)" } == [
                "POST /api/v1/security/login 200 1", "GET /api/v1/chart/ 200 1",
            ])
        #expect(events.current.allSatisfy { $0.duration > .zero })
        let text = events.current.map(\.description).joined() + String(reflecting: events.current)
        #expect(!text.contains(Self.password))
        #expect(!text.contains(Self.token))
        #expect(!text.contains("columns"))
    }
}
