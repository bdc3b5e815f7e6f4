import HybridCompiler
import HybridDiagnostics
import HybridRuntime

/// The embed policy's part in apply, plan and drift-plan: which policy dashboards are embedded on
/// the server with the policy's allowed origins.
enum EmbedSteps {
    /// The embedded state of the bundle's policy dashboards; nil when the repository has no policy.
    static func states(
        _ bundle: BundleSnapshot, workspace: Workspace, connection: RuntimeConnection, listing: ServerView?
    ) async throws(Diagnostic) -> [EmbeddedDashboards.State]? {
        guard let embed = try EmbedBundle.load(workspace: workspace, bundle: bundle) else { return nil }
        do {
            return try await EmbeddedDashboards(embed: embed, client: connection.client).states(
                serverIDs: listing?.ids(of: .dashboard))
        } catch {
            throw error.diagnostic
        }
    }

    /// The embed policy's findings for every compiled bundle (each distinct finding once): a policy
    /// that does not parse, names what a bundle lacks, or leaves a dataset a tenant could not be held to.
    static func validate(_ report: CompileReport, workspace: Workspace) -> [Diagnostic] {
        guard EmbedPolicy.exists(in: workspace) else { return [] }
        var findings: [Diagnostic] = []
        var seen: Set<String> = []
        for summary in report.bundles where summary.state == .complete {
            var found: [Diagnostic]
            do throws(Diagnostic) {
                let bundle = try BundleSnapshot.read(bundles: workspace.bundlesPath, name: summary.name)
                guard let embed = try EmbedBundle.load(workspace: workspace, bundle: bundle) else { return [] }
                found = embed.findings()
            } catch {
                found = [error]
            }
            for finding in found where seen.insert(finding.description).inserted { findings.append(finding) }
        }
        return findings
    }

    /// Embeds the bundle's policy dashboards with the policy's origins (after its assets were applied);
    /// a line for people, nil when there is no policy. `serverIDs` holds the dashboard ids of a listing
    /// made after the imports (fetched here, once, when nil and needed).
    static func apply(
        _ bundle: BundleSnapshot, workspace: Workspace, connection: RuntimeConnection,
        serverIDs: inout [String: Int]?
    ) async throws(Diagnostic) -> String? {
        guard let embed = try EmbedBundle.load(workspace: workspace, bundle: bundle) else { return nil }
        let embedded = EmbeddedDashboards(embed: embed, client: connection.client)
        let result: (states: [EmbeddedDashboards.State], changed: Int)
        do {
            if serverIDs == nil { serverIDs = try await connection.client.ids(.dashboard) }
            result = try await embedded.apply(serverIDs: serverIDs)
        } catch {
            throw error.diagnostic
        }
        let count = result.states.count
        return "embed \(bundle.name): \(count) dashboard\(count == 1 ? "" : "s") embedded "
            + "(\(result.changed == 0 ? "no change" : "\(result.changed) set")), allowed: "
            + embed.policy.allowedDomains.map(\.origin).joined(separator: ", ") + "\n"
    }
}
