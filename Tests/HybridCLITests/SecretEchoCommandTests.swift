import Foundation
import HybridTestSupport
import Testing

/// A server (or a proxy in front of it) that repeats each request in its error message: every secret
/// hybrid sent — the login password, the JWT and refresh token it received, the CSRF token, the session
/// cookie, a database password — comes back in an answer, and none may reach what hybrid prints, its
/// audit log, its cache or its bundles.
@Suite("Secrets echoed by a server never come out (the executable)")
struct SecretEchoCommandTests {
    static let loginPassword = "login-pässword/\"7Qx"
    static let databasePassword = "db-secret/ü\"9Zk"
    static let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJlLXNlY3JldA"
    static let refresh = "eyJyZWZyZXNoIjp0cnVlfQ.refresh-token-9f8e7d"
    static let csrf = "IjQ3ZWNzcmYtdG9rZW4tdmFsdWUi.ZZ1234.csrf"
    static let session = "session-cookie-value-0123456789abcdef"

    /// How the stub answers the calls after login: everything echoed, or listings empty (so that
    /// apply reaches the import, which carries the database password) and the rest echoed.
    enum Mode: Sendable {
        case echoEverything
        case emptyListings
        case refuseLogin
    }

    let repository = TemporaryDirectory()
    var root: String { repository.path }
    let mode = Locked<Mode>(.emptyListings)
    let server: StubHTTPServer

    init() throws {
        let mode = self.mode
        server = try StubHTTPServer { request in Self.answer(request, mode: mode.current) }
        let database = """
            database_name: analytics
            sqlalchemy_uri: postgresql://reporter@db.example:5432/analytics

            """
        for (path, text) in [
            ("hybrid.yaml", "mode: superset\ndefault_env: dev\nsuperset:\n  url: \(server.baseURL.absoluteString)\n"),
            ("env/dev.yaml", "ENV: dev\n"),
            ("env/staging.yaml", "ENV: staging\n"),
            ("assets/databases/analytics.yaml.j2", database),
            (
                "assets/datasets/orders.yaml.j2",
                "table_name: orders\ndatabase: analytics\ncolumns: [{column_name: amount}]\n"
            ),
        ] {
            try repository.write(path, text)
        }
    }

    static func answer(_ request: StubRequest, mode: Mode) -> StubResponse {
        switch (request.method, request.path) {
        case ("POST", "/api/v1/security/login"):
            if mode == .refuseLogin { return echo(request, status: 401) }
            return .json(
                200, object: ["access_token": jwt, "refresh_token": refresh],
                headers: [("Set-Cookie", "session=\(session); Path=/; HttpOnly")])
        case ("GET", "/api/v1/security/csrf_token/"):
            return .json(200, object: ["result": csrf])
        case ("GET", let path) where mode == .emptyListings && path.hasSuffix("/") && request.query != nil:
            return .json(200, object: ["count": 0, "ids": [Int](), "result": [Any]()])
        default:
            return echo(request, status: 422)
        }
    }

    /// The request line, its body (the form fields of a multipart body, not the file) and every
    /// header, as Superset's `message` (which hybrid shows up to 500 characters of).
    static func echo(_ request: StubRequest, status: Int) -> StubResponse {
        var body = request.bodyText
        if let type = request.header("Content-Type"), let boundary = type.split(separator: "boundary=").last,
            type.hasPrefix("multipart/")
        {
            body = body.components(separatedBy: "--" + boundary).filter { !$0.contains("filename=") }
                .joined(separator: " ").replacingOccurrences(of: "\r\n", with: " ")
        }
        var text = "you sent: \(request.method) \(request.path) | body: \(body)"
        for (name, value) in request.headers.sorted(by: { $0.key < $1.key }) { text += " | \(name): \(value)" }
        return .json(status, object: ["message": text])
    }

    func run(_ arguments: [String]) throws -> HybridProcess.Result {
        var environment = ProcessInfo.processInfo.environment
        environment["HYBRID_SUPERSET_USERNAME"] = "admin"
        environment["HYBRID_SUPERSET_PASSWORD"] = Self.loginPassword
        environment["HYBRID_DB_PASSWORD_ANALYTICS"] = Self.databasePassword
        environment.removeValue(forKey: "HYBRID_SUPERSET_TOKEN")
        return try HybridProcess.run(arguments, in: root, environment: environment)
    }

    /// Each secret as it may appear: plain, JSON-escaped (with `\/` or `/`), with `\u` escapes.
    static var secretForms: [String] {
        var forms: [String] = []
        for secret in [loginPassword, databasePassword, jwt, refresh, csrf, session] {
            forms.append(secret)
            let escaped = secret.replacingOccurrences(of: "\"", with: "\\\"")
            forms += [escaped, escaped.replacingOccurrences(of: "/", with: "\\/")]
            forms.append(
                escaped.replacingOccurrences(of: "ä", with: "\\u00e4").replacingOccurrences(of: "ü", with: "\\u00fc"))
        }
        // Distinctive cores that survive any escaping.
        forms += [
            "pässword", "db-secret", "c2lnbmF0dXJlLXNlY3JldA", "refresh-token-9f8e7d", "ZZ1234", "0123456789abcdef",
        ]
        return forms
    }

    func leaks(in text: String) -> [String] {
        Self.secretForms.filter { text.contains($0) }
    }

    /// Every file hybrid wrote in the repository (audit, cache, bundles, plans).
    func writtenFiles() -> [(String, String)] {
        let names = FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []
        return names.compactMap { name in
            guard let data = FileManager.default.contents(atPath: root + "/" + name) else { return nil }
            return (name, String(decoding: data, as: UTF8.self))
        }
    }

    @Test("apply, plan, export, drift-plan and promote print <redacted> where the server echoed a secret")
    func echoedEverywhere() throws {
        defer { server.stop() }
        var outputs: [(String, HybridProcess.Result)] = []

        mode.withValue { $0 = .emptyListings }
        let apply = try run(["apply", "--env", "dev"])
        #expect(apply.status == 1)
        outputs.append(("apply", apply))
        // The import really carried the database password, and the server said it back.
        let imports = server.requests.filter { $0.path == "/api/v1/assets/import/" }
        #expect(!imports.isEmpty)
        #expect(imports.allSatisfy { $0.bodyText.contains("db-secret") })
        #expect(imports.allSatisfy { $0.header("Authorization") == "Bearer \(Self.jwt)" })
        #expect(apply.stderr.contains("<redacted>"), "\(apply.stderr)")

        let promote = try run(["promote", "--chain", "dev,staging"])
        #expect(promote.status == 1)
        outputs.append(("promote", promote))

        mode.withValue { $0 = .echoEverything }
        let plan = try run(["plan", "--env", "dev", "--out", "plan.json"])
        outputs.append(("plan", plan))
        let drift = try run(["drift-plan", "--env", "dev"])
        #expect(drift.status != 0)
        #expect(drift.stderr.contains("<redacted>"), "\(drift.stderr)")
        outputs.append(("drift-plan", drift))

        mode.withValue { $0 = .refuseLogin }
        let export = try run(["export", "--env", "dev", "--out", "exported"])
        #expect(export.status == 1)
        #expect(export.stderr.contains("<redacted>"), "\(export.stderr)")
        outputs.append(("export", export))

        for (command, result) in outputs {
            #expect(
                leaks(in: result.stdout + result.stderr).isEmpty, "\(command) leaked: \(result.stdout)\(result.stderr)")
        }
        let audit = writtenFiles().filter { $0.0.hasPrefix(".hybrid/") }
        #expect(!audit.isEmpty, "apply and promote are audited")
        for (name, text) in writtenFiles() {
            #expect(leaks(in: text).isEmpty, "\(name) holds a secret")
        }
    }
}
