import Foundation
import HybridCache
import HybridDiagnostics
import SupersetModel

#if canImport(Glibc)
    import Glibc
#endif

/// `hybrid cache gc`: evicts local cache entries, under the build lock (a running compile finishes
/// first; a compile started meanwhile waits). An entry is *referenced* when a current bundle (one
/// with a status in `bundles/.hybrid-status/`) needs it: the bundle's record, the rendered texts its
/// outputs were made from, their templates' render manifests, and what the caller adds (the
/// bundle's validation record). Unreferenced entries go first, least recently written first; only
/// when `maxSize` is still exceeded do referenced ones go, oldest first. `maxAge` removes
/// unreferenced entries written more than that many days ago. Without either limit, every
/// unreferenced entry goes. A compile after any gc is correct: a missing entry is a cache miss.
public struct CacheCollector: Sendable {
    public struct Options: Sendable {
        public var maxSize: Int64?
        public var maxAgeDays: Int?
        public var dryRun: Bool

        public init(maxSize: Int64? = nil, maxAgeDays: Int? = nil, dryRun: Bool = false) {
            self.maxSize = maxSize
            self.maxAgeDays = maxAgeDays
            self.dryRun = dryRun
        }
    }

    /// What a collection found and removed.
    public struct Report: Sendable, Encodable {
        public var directory: String
        public var filesBefore = 0
        public var bytesBefore: Int64 = 0
        public var referencedFiles = 0
        public var referencedBytes: Int64 = 0
        public var removedFiles = 0
        public var removedBytes: Int64 = 0
        /// Referenced entries removed to get under `--max-size`.
        public var removedReferenced = 0
        public var dryRun = false

        public var filesAfter = 0
        public var bytesAfter: Int64 = 0
    }

    /// A current bundle: its environment and tenant (nil: the bundle without a mapping).
    public struct CurrentBundle: Sendable {
        public var environment: String
        public var tenant: String?
        /// `dev` or `dev/client_a`.
        public var name: String { environment + (tenant.map { "/" + $0 } ?? "") }
    }

    public let workspace: Workspace
    /// Cache paths referenced by a current bundle beyond the compiler's own (its validation record).
    let moreReferences: @Sendable (CurrentBundle, CacheStore) -> [String]

    public init(
        workspace: Workspace,
        moreReferences: @escaping @Sendable (CurrentBundle, CacheStore) -> [String] = { _, _ in [] }
    ) {
        self.workspace = workspace
        self.moreReferences = moreReferences
    }

    /// Collects under the lock; `waiting` is told when another process holds it.
    public func collect(_ options: Options, waiting: (String) -> Void) throws(Diagnostic) -> Report {
        let store = CacheStore(directory: workspace.cachePath)
        let lock: BuildLock
        do {
            lock = try BuildLock(directory: store.root, waiting: waiting)
        } catch {
            throw .error(at: nil, "cannot lock the cache: \(error)")
        }
        defer { withExtendedLifetime(lock) {} }
        if !options.dryRun { store.removeAbandonedTemporaries() }
        var report = Report(directory: store.root, dryRun: options.dryRun)
        let entries = CacheCollector.entries(of: store)
        report.filesBefore = entries.count
        report.bytesBefore = entries.reduce(0) { $0 + $1.bytes }
        let referenced = references(store: store)
        let now = Int(Date().timeIntervalSince1970)
        var unreferenced = entries.filter { !referenced.contains($0.path) }.sorted { $0.modified < $1.modified }
        let kept = entries.filter { referenced.contains($0.path) }.sorted { $0.modified < $1.modified }
        report.referencedFiles = kept.count
        report.referencedBytes = kept.reduce(0) { $0 + $1.bytes }

        var doomed: [CacheStore.Entry] = []
        if options.maxSize == nil && options.maxAgeDays == nil {
            doomed = unreferenced
            unreferenced = []
        }
        if let days = options.maxAgeDays {
            let cutoff = now - days * 86_400
            doomed += unreferenced.filter { $0.modified < cutoff }
            unreferenced.removeAll { $0.modified < cutoff }
        }
        if let maxSize = options.maxSize {
            var size = report.bytesBefore - doomed.reduce(0) { $0 + $1.bytes }
            for entry in unreferenced where size > maxSize {
                doomed.append(entry)
                size -= entry.bytes
            }
            for entry in kept where size > maxSize {
                doomed.append(entry)
                size -= entry.bytes
                report.removedReferenced += 1
            }
        }
        for entry in doomed {
            if !options.dryRun {
                guard unlink(entry.path) == 0 else { continue }
                rmdir((entry.path as NSString).deletingLastPathComponent)  // an emptied shard folder
            }
            report.removedFiles += 1
            report.removedBytes += entry.bytes
        }
        report.filesAfter = report.filesBefore - report.removedFiles
        report.bytesAfter = report.bytesBefore - report.removedBytes
        // A process that keeps a compile memory (hybrid watch) must not trust what it remembers now.
        if !options.dryRun && !doomed.isEmpty { CacheGeneration.advance(lockDirectory: store.root, memory: nil) }
        return report
    }

    /// The current bundles: those with a status file (`<env>.json`, `<env>/<tenant>.json`).
    func currentBundles() -> [CurrentBundle] {
        let statuses = workspace.bundlesPath + "/" + BundleStatus.directoryName
        var bundles: [CurrentBundle] = []
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: statuses)) ?? []).sorted() {
            if name.hasSuffix(".json") {
                bundles.append(CurrentBundle(environment: String(name.dropLast(5)), tenant: nil))
                continue
            }
            let folder = statuses + "/" + name
            for file in ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
            where file.hasSuffix(".json") {
                bundles.append(CurrentBundle(environment: name, tenant: String(file.dropLast(5))))
            }
        }
        return bundles
    }

    /// Every cache path a current bundle needs.
    func references(store: CacheStore) -> Set<String> {
        var referenced: Set<String> = []
        for bundle in currentBundles() {
            let scope = BundleScope(
                environment: bundle.environment, tenant: bundle.tenant, namespace: workspace.config.uuidNamespace)
            let recordPath = BundleRecord.path(store: store, scope: scope)
            referenced.insert(recordPath)
            for path in moreReferences(bundle, store) { referenced.insert(path) }
            guard let record = BundleRecord.load(store: store, scope: scope) else { continue }
            for output in record.outputs {
                referenced.insert(store.blobPath(output.rendered))
                referenced.insert(store.recordPath(RenderCache.namespace, RenderCache.key(template: output.template)))
            }
        }
        for name in BuildTarget.mappingFileNames(in: workspace) {
            let path = "mappings/" + name
            guard let bytes = try? AtomicFile.read(workspace.path(path)) else { continue }
            referenced.insert(
                store.recordPath(TenantMappingCache.namespace, TenantMappingCache.key(path: path, bytes: bytes)))
        }
        return referenced
    }

    /// The entries gc may remove: every file of the cache but the lock, the generation token, the
    /// file-hash index and temporaries.
    static func entries(of store: CacheStore) -> [CacheStore.Entry] {
        store.entries().filter { !["lock", "generation", "files", ".tmp"].contains($0.area) }
    }

    /// Parses `500M`, `2GiB`, `100MB`, `1048576` (binary units: K, M, G, T = 1024^n; B optional).
    public static func parseSize(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).uppercased()
        guard let match = trimmed.wholeMatch(of: /(\d+)\s*(K|M|G|T)?(I?B)?/), let number = Int64(match.1) else {
            return nil
        }
        let shift: Int64 = ["K": 10, "M": 20, "G": 30, "T": 40][match.2.map(String.init) ?? ""] ?? 0
        let (value, overflow) = number.multipliedReportingOverflow(by: Int64(1) << shift)
        return overflow ? nil : value
    }
}
