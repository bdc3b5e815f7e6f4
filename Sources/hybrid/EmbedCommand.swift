import ArgumentParser
import Foundation
import HybridAudit
import HybridCompiler
import HybridDiagnostics
import HybridRuntime
import SupersetClient

struct EmbedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embedded dashboards under the embed policy (assets/embeds/policy.yaml).",
        subcommands: [MintTokenCommand.self]
    )
}

struct MintTokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mint-token",
        abstract: "Mint a guest token for an embedded dashboard, only as the embed policy allows.",
        discussion: """
            The token reads only the tenant's rows: for each dataset the dashboard reads, hybrid writes the \
            row-level-security clause `<tenant column> = <tenant id>` itself, the id checked against \
            tenant_id_pattern and quoted for the dataset's SQL dialect. --expires above token_policy.max_ttl, \
            a missing --user-id (require_user_id), a role outside require_roles and a dashboard outside the \
            policy are refused (exit 1, nothing minted). Signed by Superset's guest-token API, or locally \
            (HS256) when HYBRID_GUEST_TOKEN_SECRET holds the server's GUEST_TOKEN_JWT_SECRET (audience: \
            HYBRID_GUEST_TOKEN_AUDIENCE, else learned from a server-minted token). A token the server \
            would sign for longer than --expires is refused. Every mint and refusal is audited (never \
            the token).
            """
    )

    @Option(help: "The environment. Default: default_env from hybrid.yaml.")
    var env: String?

    @Option(help: "The dashboard: a server id, a uuid, a slug or a path (dashboards/overview).")
    var dashboardId: String

    @Option(help: "The tenant whose rows the token may read.")
    var tenantId: String?

    @Option(help: "The user the token is for (required by token_policy.require_user_id).")
    var userId: String?

    @Option(help: "Seconds the token lives (at most token_policy.max_ttl).")
    var expires: Int

    @Option(help: "The user's roles, comma-separated (each must be in token_policy.require_roles).")
    var roles: String?

    @Option(help: "The tenant bundle (a mapping name or file) whose dashboards and column names apply.")
    var mapping: String?

    @OptionGroup var runtime: RuntimeOptions

    @OptionGroup var output: OutputOptions

    func run() async throws {
        let context = try CommandContext()
        let environment = try context.environment(env)
        let deployment = context.deployment()
        let roleList = (roles ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        let request = GuestTokenMinter.Request(
            dashboard: dashboardId, tenantID: tenantId, userID: userId, expires: expires, roles: roleList)
        let connection = try context.connect(runtime, environment: environment, deployment: deployment)
        let issued = await GuestTokenIssuer(deployment: deployment).issue(
            environment: environment, mapping: mapping, request: request, signing: .fromEnvironment(),
            connection: connection)
        switch issued {
        case .compileFailed(let errors):
            for error in errors { context.printer.print(error) }
            StandardStreams.writeError("compile \(environment) failed: nothing minted\n")
            throw ExitCode(1)
        case .done(let outcome, let auditError):
            if let auditError { context.printer.print(auditError) }
            switch outcome {
            case .failure(let refusal):
                context.printer.print(refusal.diagnostic)
                throw ExitCode(1)
            case .success(let minted):
                if output.format == .json {
                    try output.printJSON(minted)
                } else {
                    StandardStreams.writeOutput(minted.token + "\n")
                }
                if auditError != nil { throw ExitCode(1) }
            }
        }
    }
}
