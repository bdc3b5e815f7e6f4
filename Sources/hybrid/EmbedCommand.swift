import ArgumentParser
import Foundation
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
        let (report, bundles) = await deployment.bundles(
            CompileOptions(environment: environment, mappings: mapping.map { .selected([$0]) } ?? .none))
        for diagnostic in report.diagnostics where diagnostic.severity == .error { context.printer.print(diagnostic) }
        guard report.errorCount == 0, let bundle = bundles.first else {
            StandardStreams.writeError("compile \(environment) failed: nothing minted\n")
            throw ExitCode(1)
        }
        let roleList = (roles ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        let request = GuestTokenMinter.Request(
            dashboard: dashboardId, tenantID: tenantId, userID: userId, expires: expires, roles: roleList)
        let started = ContinuousClock.now
        let connection = try context.connect(runtime, environment: environment, deployment: deployment)
        let outcome: Result<GuestTokenMinter.Minted, Diagnostic>
        do throws(Diagnostic) {
            guard let embed = try EmbedBundle.load(workspace: context.workspace, bundle: bundle) else {
                throw .error(
                    at: nil,
                    "embed mint-token refused: no embed policy (\(context.workspace.config.assetsDirectory)/"
                        + "\(EmbedPolicy.path)); hybrid mints guest tokens only under one")
            }
            let minter = GuestTokenMinter(embed: embed, client: connection.client, signing: signing())
            outcome = .success(try await minter.mint(request))
        } catch {
            outcome = .failure(error)
        }
        let minted = try? outcome.get()
        let audit = AuditLog.EmbedMint(
            dashboard: minted?.dashboardUUID ?? dashboardId, tenantID: tenantId, user: userId, roles: roleList,
            ttlSeconds: expires, signedBy: minted?.signedBy)
        var auditError: String?
        if case .failure(let diagnostic) = outcome { auditError = diagnostic.message }
        if let warning = deployment.record(
            .embedMint, environment: environment, tenant: bundle.tenant, target: connection.target,
            gitSHA: AuditLog.gitSHA(root: context.workspace.root), assets: [:],
            status: minted == nil ? .refused : .success, started: started, error: auditError, embed: audit)
        {
            context.printer.print(warning)
        }
        switch outcome {
        case .failure(let diagnostic):
            context.printer.print(diagnostic)
            throw ExitCode(1)
        case .success(let minted):
            if output.format == .json {
                try output.printJSON(minted)
            } else {
                StandardStreams.writeOutput(minted.token + "\n")
            }
        }
    }

    /// Local HS256 signing when HYBRID_GUEST_TOKEN_SECRET is set, else the server's API.
    private func signing() -> GuestTokenMinter.Signing {
        let environment = ProcessInfo.processInfo.environment
        guard let secret = environment["HYBRID_GUEST_TOKEN_SECRET"], !secret.isEmpty else { return .api }
        SecretRegistry.shared.register(secret)
        let audience = environment["HYBRID_GUEST_TOKEN_AUDIENCE"].flatMap { $0.isEmpty ? nil : $0 }
        return .local(secret: secret, audience: audience)
    }
}
