import Foundation
import HybridAudit
import HybridCompiler
import HybridDiagnostics
import HybridRuntime

/// Applying compiled bundles to the target's Superset, shared by `hybrid apply` and `hybrid watch --apply`:
/// each bundle's changed assets, an audit record per bundle, then the embed policy's dashboards.
enum ApplySteps {
    /// Applies `bundles`; prints warnings and errors, and each bundle's table when `printsText`.
    /// Returns the reports and whether anything failed; throws (nothing applied) when the server's
    /// shared listing cannot be read.
    static func apply(
        _ bundles: [BundleSnapshot], target: CommandContext.RuntimeTarget, context: CommandContext,
        options: Applier.Options, printsText: Bool
    ) async throws(Diagnostic) -> (records: [ApplyReport], failed: Bool) {
        let gitSHA = AuditIdentity.gitSHA(root: context.workspace.root)
        let connection = target.connection
        var failed = false
        var records: [ApplyReport] = []
        var applied: [BundleSnapshot] = []
        let listing = try await Deployment.sharedListing(
            bundles, connection: connection, refresh: !options.noRefresh)
        for bundle in bundles {
            let started = ContinuousClock.now
            let applier = Applier(store: target.deployment.store, connection: connection, listing: listing)
            do {
                let outcome = try await applier.apply(bundle, options: options)
                for warning in outcome.warnings { context.printer.print(warning) }
                let report = ApplyReport(outcome, seconds: (ContinuousClock.now - started).seconds)
                records.append(report)
                if let auditError = await target.deployment.record(
                    .apply, environment: bundle.environment, tenant: bundle.tenant, target: connection.target,
                    gitSHA: gitSHA, assets: outcome.auditAssets, status: outcome.auditStatus, started: started,
                    error: nil)
                {
                    context.printer.print(auditError)
                    failed = true
                }
                if printsText { StandardStreams.writeOutput(report.text) }
                applied.append(bundle)
            } catch {
                failed = true
                context.printer.print(error)
                if let auditError = await target.deployment.record(
                    .apply, environment: bundle.environment, tenant: bundle.tenant, target: connection.target,
                    gitSHA: gitSHA, assets: [:], status: .failed, started: started, error: error.message)
                {
                    context.printer.print(auditError)
                }
            }
        }
        // The embed policy's dashboards, once every bundle's assets are in: one listing for all.
        var serverIDs: [String: Int]?
        for bundle in applied {
            do throws(Diagnostic) {
                if let line = try await EmbedSteps.apply(
                    bundle, workspace: context.workspace, connection: connection, serverIDs: &serverIDs),
                    printsText
                {
                    StandardStreams.writeOutput(line)
                }
            } catch {
                failed = true
                context.printer.print(error)
            }
        }
        return (records, failed)
    }
}
