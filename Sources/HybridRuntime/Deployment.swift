import Foundation
import HybridCache
import HybridCompiler
import HybridDiagnostics
import SupersetClient
import SupersetModel

/// What the runtime commands share: compile the selected bundles (incrementally), read the
/// complete ones, connect to the environment's Superset, and audit what was done.
public struct Deployment: Sendable {
    public let root: String
    public let config: ProjectConfig
    public let compiler: Compiler
    public let store: CacheStore
    public let audit: AuditLog

    public init(root: String, config: ProjectConfig, notice: @escaping @Sendable (String) -> Void = { _ in }) {
        self.root = root
        self.config = config
        compiler = Compiler(root: root, config: config, notice: notice)
        store = CacheStore(directory: compiler.cacheDirectory)
        audit = AuditLog(root: root)
    }

    /// Compiles, then reads every bundle the compile built; an error if any failed.
    public func bundles(_ options: CompileOptions) async -> (report: CompileReport, bundles: [BundleSnapshot]) {
        var report = await compiler.compile(options)
        guard report.errorCount == 0 else { return (report, []) }
        var snapshots: [BundleSnapshot] = []
        for bundle in report.bundles {
            let parts = bundle.name.split(separator: "/", maxSplits: 1).map(String.init)
            do {
                snapshots.append(
                    try BundleSnapshot.read(
                        bundles: compiler.bundlesDirectory, environment: parts[0],
                        tenant: parts.count > 1 ? parts[1] : nil))
            } catch {
                report.diagnostics.append(error)
            }
        }
        return (report, snapshots)
    }

    public func connect(environment: String, url: String?) throws(Diagnostic) -> RuntimeConnection {
        try RuntimeConnection.resolve(config: config, environment: environment, url: url)
    }

    /// Appends an audit record (an audit failure is reported, never hides the deploy's own result).
    public func record(
        action: String, environment: String, tenant: String?, target: String, gitSHA: String,
        assets: [String: Int], status: String, started: ContinuousClock.Instant, error: String?
    ) -> Diagnostic? {
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        do {
            try audit.append(
                AuditLog.Record(
                    timestamp: AuditLog.timestamp(), actor: AuditLog.actor(root: root), action: action,
                    environment: environment, tenant: tenant, target: target, gitSHA: gitSHA, assets: assets,
                    status: status, durationSeconds: (seconds * 1000).rounded() / 1000, error: error))
            return nil
        } catch {
            return .warning(at: nil, "cannot write the audit log: \(error)")
        }
    }
}
