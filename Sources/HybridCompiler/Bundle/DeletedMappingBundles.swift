import Foundation
import HybridCache
import SupersetModel

/// With `--all-mappings`: the bundles of tenants whose mapping file is gone are removed: only the
/// files hybrid wrote (as their status lists them), the folder when it is left empty, the status
/// and the record.
enum DeletedMappingBundles {
    /// Removes the bundles of `environment` whose tenant is not in `tenants`; returns the
    /// explanation of each removal and the number of files removed.
    static func remove(
        environment: String, keeping tenants: Set<String>, bundlesPath: String, namespace: UUID, store: CacheStore
    ) -> (explanations: [String], removedFiles: Int) {
        let statuses = bundlesPath + "/" + BundleStatus.directoryName + "/" + environment
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: statuses)) ?? []
        var explanations: [String] = []
        var removed = 0
        for file in entries.sorted() where file.hasSuffix(".json") {
            let name = String(file.dropLast(5))
            guard !tenants.contains(name) else { continue }
            let statusPath = statuses + "/" + file
            guard let status = BundleStatus.load(at: statusPath), status.tenant == name else { continue }
            let directory = bundlesPath + "/" + environment + "/" + name
            for output in status.outputs where BundleLocation.isOwnablePath(output) {
                OutputFile.remove(directory + "/" + output, bundleRoot: directory)
                removed += 1
            }
            rmdir(directory)
            unlink(statusPath)
            BundleRecord.remove(
                store: store, scope: BundleScope(environment: environment, tenant: name, namespace: namespace))
            explanations.append("remove bundle \(environment)/\(name): its mapping file was deleted")
        }
        return (explanations, removed)
    }
}
