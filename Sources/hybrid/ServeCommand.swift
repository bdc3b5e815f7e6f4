import ArgumentParser
import Foundation
import HybridAudit
import HybridDiagnostics
import HybridServe

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the deploy audit, embed and query metrics, guest tokens and /metrics over HTTP.",
        discussion: """
            Reads the repository's audit store (.hybrid/audit.db, or PostgreSQL when HYBRID_AUDIT_URL \
            is set). Routes: GET /api/audit/deploys (env, status, actor, tenant, since, until, limit ≤ 500, \
            cursor), GET /api/metrics/embeds (since, until, group_by=tenant|dashboard|user), GET \
            /api/metrics/queries (env, since, until, group_by=dashboard|chart|user; from the environment's \
            Superset, cached --query-cache seconds), POST /api/embed/guest-token (the inputs of embed \
            mint-token as JSON), GET /metrics (Prometheus), GET /healthz and GET / (the deploy history).

            Every /api route needs `Authorization: Bearer $HYBRID_SERVE_TOKEN` (at least 16 characters). \
            Without a token the server does not start, unless --bind is a loopback address and --no-auth \
            is given. SIGINT or SIGTERM stop it after the requests in flight.
            """
    )

    @Option(help: "The address to listen on.")
    var bind = "127.0.0.1"

    @Option(help: "The port to listen on (0: any free port, printed at start).")
    var port = 8787

    @Flag(help: "Serve /api without a token (only on a loopback --bind).")
    var noAuth = false

    @Option(help: "Seconds an /api/metrics/queries answer is reused before Superset is asked again.")
    var queryCache: Double = 30

    func run() async throws {
        let context = try CommandContext()
        guard (0...65535).contains(port) else {
            context.printer.print(.error(at: nil, "--port must be 0 to 65535"))
            throw ExitCode(1)
        }
        guard queryCache >= 0, queryCache <= 3600 else {
            context.printer.print(.error(at: nil, "--query-cache must be 0 to 3600 seconds"))
            throw ExitCode(1)
        }
        let bind = bind
        let token = try context.orExit { () throws(Diagnostic) in
            try HybridServer.checkAuth(
                bind: bind, token: ProcessInfo.processInfo.environment["HYBRID_SERVE_TOKEN"], noAuth: noAuth)
        }
        let root = context.workspace.root
        let store = try await context.orExitAsync { () async throws(Diagnostic) in
            do throws(AuditStoreError) {
                return try await AuditStores.open(root: root)
            } catch {
                throw .error(at: nil, error.description)
            }
        }
        let server = HybridServer(
            options: HybridServer.Options(bind: bind, port: port, token: token, queryCacheSeconds: queryCache),
            deployment: context.deployment(), store: store)
        let authNote = token == nil ? " (no auth: --no-auth)" : ""
        let storeLocation = store.location
        do {
            try await server.run { port in
                StandardStreams.writeError(
                    "hybrid serve: listening on http://\(bind.contains(":") ? "[\(bind)]" : bind):\(port)\(authNote), "
                        + "audit store \(storeLocation)\n")
            }
        } catch {
            await store.close()
            context.printer.print(.error(at: nil, "hybrid serve: \(error)"))
            throw ExitCode(1)
        }
        await store.close()
        StandardStreams.writeError("hybrid serve: stopped\n")
    }
}
