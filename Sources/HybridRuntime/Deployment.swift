import Foundation
import HybridAudit
import HybridCache
import HybridCompiler
import HybridDiagnostics
import SupersetClient
import SupersetModel

/// What the runtime commands share: compile the selected bundles (incrementally), read the
/// complete ones, connect to the environment's Superset, and audit what was done.
public struct Deployment: Sendable {
    public let workspace: Workspace
    public let compiler: Compiler
    public let store: CacheStore
    public let audit: AuditRecorder

    public init(workspace: Workspace, notice: @escaping @Sendable (String) -> Void = { _ in }) {
        self.workspace = workspace
        compiler = Compiler(workspace: workspace, notice: notice)
        store = CacheStore(directory: workspace.cachePath)
        audit = AuditRecorder(root: workspace.root)
    }

    public var config: ProjectConfig { workspace.config }

    /// Compiles, then reads every bundle the compile built; an error if any failed.
    public func bundles(_ options: CompileOptions) async -> (report: CompileReport, bundles: [BundleSnapshot]) {
        var report = await compiler.compile(options)
        guard report.errorCount == 0 else { return (report, []) }
        var snapshots: [BundleSnapshot] = []
        for bundle in report.bundles {
            do throws(Diagnostic) {
                snapshots.append(try BundleSnapshot.read(bundles: workspace.bundlesPath, name: bundle.name))
            } catch {
                report.diagnostics.append(error)
            }
        }
        return (report, snapshots)
    }

    /// Names Superset keeps unique per server that bundles going to one server give to assets of
    /// different uuids (``ServerUniqueNames``): one error per clash, before any import.
    public static func crossBundleClashes(_ bundles: [BundleSnapshot]) -> [Diagnostic] {
        guard bundles.count > 1 else { return [] }
        let clashes = ServerUniqueNames.clashes(
            bundles.map { bundle in
                (bundle.name, bundle.assets.map { BundleDocument(path: $0.path, node: $0.node, kind: $0.kind) })
            })
        return clashes.map { clash in
            let owners = clash.claims.map { "\($0.bundle)/\($0.path) (uuid \($0.uuid))" }
            return Diagnostic(
                .error, at: nil,
                "\(clash.name) is given to \(Set(clash.claims.map(\.uuid)).count) assets of different uuids in bundles "
                    + "that go to one Superset, which keeps one per server; nothing was imported",
                notes: owners.map { .note(at: nil, "claimed by " + $0) }
                    + [
                        .note(
                            at: nil,
                            "give each tenant its own (retarget it in its mapping); hybrid validate --all-mappings lists them"
                        )
                    ])
        }
    }

    /// What the server lists, read once for a command over several bundles (nil for one bundle,
    /// which reads it itself, and without `refresh`).
    public static func sharedListing(_ bundles: [BundleSnapshot], connection: RuntimeConnection, refresh: Bool = true)
        async throws(Diagnostic) -> ServerView?
    {
        guard refresh, bundles.count > 1 else { return nil }
        do {
            return try await ServerView.list(connection.client)
        } catch {
            throw error.diagnostic
        }
    }

    public func connect(environment: String, url: String?) throws(Diagnostic) -> RuntimeConnection {
        try RuntimeConnection.resolve(config: config, environment: environment, url: url)
    }

    /// Stores an audit record; an error when the store cannot take it (the record is then spooled,
    /// never lost), which fails the command's audit step without hiding the deploy's own result.
    public func record(
        _ action: AuditRecord.Action, environment: String, tenant: String?, target: String, gitSHA: String,
        assets: [String: Int], status: AuditRecord.Status, started: ContinuousClock.Instant, error: String?,
        embed: AuditRecord.EmbedMint? = nil
    ) async -> Diagnostic? {
        let seconds = (ContinuousClock.now - started).seconds
        return await audit.record(
            AuditRecord(
                timestamp: AuditTime.timestamp(), actor: AuditIdentity.actor(root: workspace.root), action: action,
                environment: environment, tenant: tenant, target: target, gitSHA: gitSHA, assets: assets,
                status: status, durationSeconds: (seconds * 1000).rounded() / 1000, error: error, embed: embed))
    }
}
