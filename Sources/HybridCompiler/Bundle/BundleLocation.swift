import HybridCache
import SupersetModel

/// Where one bundle and its bookkeeping live: `bundles/<env>[/<tenant>]/`, its status file, and the
/// compile's scratch directory for temporary files.
struct BundleLocation: Sendable {
    let scope: BundleScope
    /// `bundles/<env>` or `bundles/<env>/<tenant>`, usable from the current directory.
    let directory: String
    /// Where this bundle's ``BundleStatus`` lives.
    let statusPath: String
    /// The compile's scratch directory (``StagedWrites``).
    let scratch: String

    init(scope: BundleScope, bundlesPath: String) {
        self.scope = scope
        directory = bundlesPath + "/" + scope.bundleRelativePath
        statusPath = BundleStatus.path(bundles: bundlesPath, environment: scope.environment, tenant: scope.tenant)
        scratch = StagedWrites.scratchDirectory(bundles: bundlesPath)
    }

    /// `prod` or `prod/client_a`.
    var name: String { scope.bundleRelativePath }

    /// The content hash of `metadata.yaml`.
    static let metadataHash = ContentHash(of: BundleMetadata.bytes)

    /// Whether a path recorded as an output may be deleted by hybrid (inside the bundle, one of its folders).
    static func isOwnablePath(_ path: String) -> Bool {
        guard !path.hasPrefix("/"), !path.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }) else {
            return false
        }
        return path == BundleMetadata.path || AssetKind(templatePath: path) != nil
    }

    /// Leaves the bundle's files as they are and marks it failed (keeping the list of files it owns),
    /// so `apply` refuses it.
    func markFailed(_ reason: String) {
        let existing = BundleStatus.load(at: statusPath)
        let status = BundleStatus(
            environment: scope.environment, tenant: scope.tenant, state: .failed, error: reason,
            outputs: existing?.outputs ?? [])
        if existing != status { try? status.save(at: statusPath, temporaryDirectory: scratch) }
    }
}
