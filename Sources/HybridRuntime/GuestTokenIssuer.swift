import Foundation
import HybridAudit
import HybridCompiler
import HybridDiagnostics

/// A guest token request end to end, the same for `hybrid embed mint-token` and `hybrid serve`'s
/// `POST /api/embed/guest-token`: the tenant's bundle (compiled incrementally), the embed policy, the
/// minter, and the audit record of the mint or the refusal.
public struct GuestTokenIssuer: Sendable {
    public enum Outcome: Sendable {
        /// The environment's bundles do not compile: nothing asked, nothing audited.
        case compileFailed([Diagnostic])
        /// Minted or refused (and audited; `auditError` when the record could only be spooled).
        case done(Result<GuestTokenMinter.Minted, GuestTokenMinter.Refusal>, auditError: Diagnostic?)
    }

    public let deployment: Deployment

    public init(deployment: Deployment) {
        self.deployment = deployment
    }

    public func issue(
        environment: String, mapping: String?, request: GuestTokenMinter.Request, signing: GuestTokenMinter.Signing,
        connection: RuntimeConnection
    ) async -> Outcome {
        let (report, bundles) = await deployment.bundles(
            CompileOptions(environment: environment, mappings: mapping.map { .selected([$0]) } ?? .none))
        guard report.errorCount == 0, let bundle = bundles.first else {
            return .compileFailed(report.diagnostics.filter { $0.severity == .error })
        }
        let started = ContinuousClock.now
        let outcome: Result<GuestTokenMinter.Minted, GuestTokenMinter.Refusal>
        do throws(GuestTokenMinter.Refusal) {
            let embed: EmbedBundle?
            do throws(Diagnostic) {
                embed = try EmbedBundle.load(workspace: deployment.workspace, bundle: bundle)
            } catch {
                throw GuestTokenMinter.Refusal(reason: .noPolicy, diagnostic: error)
            }
            guard let embed else {
                throw GuestTokenMinter.Refusal(
                    reason: .noPolicy,
                    diagnostic: .error(
                        at: nil,
                        "embed mint-token refused: no embed policy (\(deployment.config.assetsDirectory)/"
                            + "\(EmbedPolicy.path)); hybrid mints guest tokens only under one"))
            }
            let minter = GuestTokenMinter(embed: embed, client: connection.client, signing: signing)
            outcome = .success(try await minter.attempt(request))
        } catch {
            outcome = .failure(error)
        }
        let minted = try? outcome.get()
        var refusal: GuestTokenMinter.Refusal?
        if case .failure(let error) = outcome { refusal = error }
        let asked = AuditRecord.EmbedMint(
            dashboard: minted?.dashboardUUID ?? request.dashboard, tenantID: request.tenantID, user: request.userID,
            roles: request.roles, ttlSeconds: request.expires, signedBy: minted?.signedBy,
            reason: refusal?.reason.rawValue)
        let status: AuditRecord.Status = minted != nil ? .success : (refusal?.isFailure == true ? .failed : .refused)
        let auditError = await deployment.record(
            .embedMint, environment: environment, tenant: bundle.tenant, target: connection.target,
            gitSHA: AuditIdentity.gitSHA(root: deployment.workspace.root), assets: [:], status: status,
            started: started, error: refusal?.diagnostic.message, embed: asked)
        return .done(outcome, auditError: auditError)
    }
}
