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
    /// The bundles directory (`bundles`), which every write must stay in.
    let bundlesPath: String

    init(scope: BundleScope, bundlesPath: String) {
        self.scope = scope
        self.bundlesPath = bundlesPath
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

    /// Refuses (before anything is written) when the bundle's folder, or one of `folders` in it,
    /// is a symlink that leads out of the bundles directory.
    func checkContainment(folders: Set<String>) throws(AtomicFile.IOError) {
        let bundles = ResolvedPath.of(bundlesPath)
        let resolved = ResolvedPath.of(directory)
        guard ResolvedPath.isInside(resolved, bundles), resolved != bundles else {
            throw AtomicFile.IOError(
                path: directory, message: "resolves to \(resolved), outside \(bundles) (a symlink?); nothing written")
        }
        for folder in folders.sorted() {
            let path = directory + "/" + folder
            guard FileStamp(path: path) != nil else { continue }
            let target = ResolvedPath.of(path)
            guard ResolvedPath.isInside(target, resolved), target != resolved else {
                throw AtomicFile.IOError(
                    path: path, message: "resolves to \(target), outside the bundle (a symlink?); nothing written")
            }
        }
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
