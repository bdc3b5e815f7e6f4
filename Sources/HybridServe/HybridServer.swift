import Foundation
import Hummingbird
import HybridAudit
import HybridCompiler
import HybridDiagnostics
import HybridRuntime
import Logging
import SupersetClient

/// `hybrid serve`: the deploy audit, embed and query metrics, a guest-token endpoint for host
/// applications, Prometheus metrics and the deploy history page, over one repository's audit store.
public struct HybridServer: Sendable {
    public struct Options: Sendable {
        public var bind: String
        public var port: Int
        /// `HYBRID_SERVE_TOKEN`; nil only with `--no-auth` on a loopback address.
        public var token: String?
        /// Seconds an `/api/metrics/queries` answer is reused.
        public var queryCacheSeconds: Double

        public init(bind: String = "127.0.0.1", port: Int = 8787, token: String?, queryCacheSeconds: Double = 30) {
            self.bind = bind
            self.port = port
            self.token = token
            self.queryCacheSeconds = queryCacheSeconds
        }
    }

    /// Checks the start-up rules: a token unless `--no-auth` on a loopback address.
    public static func checkAuth(bind: String, token: String?, noAuth: Bool) throws(Diagnostic) -> String? {
        if noAuth {
            guard isLoopback(bind) else {
                throw .error(
                    at: nil,
                    "--no-auth is only allowed with a loopback --bind (127.0.0.1, ::1, localhost), not \(bind)")
            }
            guard token == nil || token?.isEmpty == true else {
                throw .error(at: nil, "--no-auth with HYBRID_SERVE_TOKEN set: unset one of them")
            }
            return nil
        }
        guard let token, !token.isEmpty else {
            throw .error(
                at: nil,
                "hybrid serve needs HYBRID_SERVE_TOKEN (every /api route asks for it as a bearer token); "
                    + "for a loopback-only server without one, pass --no-auth")
        }
        guard token.utf8.count >= 16 else {
            throw .error(at: nil, "HYBRID_SERVE_TOKEN is shorter than 16 characters; use a long random token")
        }
        SecretRegistry.shared.register(token)
        return token
    }

    public static func isLoopback(_ address: String) -> Bool {
        address == "localhost" || address == "::1" || address == "[::1]" || address.hasPrefix("127.")
    }

    public let options: Options
    let state: ServeState

    /// `variables`: where Superset credentials are read from (the process environment).
    public init(
        options: Options, deployment: Deployment, store: any AuditStore,
        variables: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.options = options
        state = ServeState(
            deployment: deployment, store: store, queryCacheSeconds: options.queryCacheSeconds, variables: variables)
    }

    /// The application (the tests drive it with HummingbirdTesting).
    public func application(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> some ApplicationProtocol
    {
        let router = ServeRoutes.router(state: state, token: options.token)
        var logger = Logger(label: "hybrid.serve")
        logger.logLevel = .warning
        return Application(
            router: router,
            configuration: ApplicationConfiguration(
                address: .hostname(options.bind, port: options.port), serverName: "hybrid"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    /// Serves until SIGINT or SIGTERM, then finishes the requests in flight and returns.
    public func run(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try await application(onServerRunning: onServerRunning).runService()
    }
}

/// What the routes share: the repository, its store, the metrics and the Superset connections.
final class ServeState: Sendable {
    let deployment: Deployment
    let store: any AuditStore
    let metrics = ServeMetrics()
    let queries: QueryMetrics
    private let connections: ConnectionCache

    init(deployment: Deployment, store: any AuditStore, queryCacheSeconds: Double, variables: [String: String]) {
        connections = ConnectionCache(variables: variables)
        self.deployment = deployment
        self.store = store
        queries = QueryMetrics(cacheSeconds: queryCacheSeconds)
    }

    /// The environment a request names (`env`), else `default_env`; one with an `env/<name>.yaml`.
    func environment(_ given: String?) throws(AuditQueryError) -> String {
        guard let environment = given ?? deployment.config.defaultEnvironment else {
            throw AuditQueryError(parameter: "env", "is required (hybrid.yaml has no default_env)")
        }
        let known = deployment.workspace.environments()
        guard known.contains(environment) else {
            throw AuditQueryError(
                parameter: "env", "is not an environment of this repository (\(known.joined(separator: ", ")))")
        }
        return environment
    }

    /// One connection per environment (its login is reused across requests).
    func connection(_ environment: String) async throws(Diagnostic) -> RuntimeConnection {
        try await connections.connection(environment, deployment: deployment)
    }
}

actor ConnectionCache {
    private var connections: [String: RuntimeConnection] = [:]
    private let variables: [String: String]

    init(variables: [String: String]) {
        self.variables = variables
    }

    func connection(_ environment: String, deployment: Deployment) throws(Diagnostic) -> RuntimeConnection {
        if let connection = connections[environment] { return connection }
        let connection = try RuntimeConnection.resolve(
            config: deployment.config, environment: environment, url: nil, variables: variables)
        connections[environment] = connection
        return connection
    }
}
