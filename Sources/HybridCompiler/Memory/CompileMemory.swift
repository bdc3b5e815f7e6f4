import Foundation
import HybridCache
import HybridTemplates
import HybridYAML

/// What a compile keeps in memory for the next one in the same process (`hybrid watch`): the
/// template engine with its parsed templates, the file-hash index, the render manifests, the
/// parsed variables and mapping files, and each bundle's record. With it, a rebuild reads from
/// disk only the inputs whose stamps moved and touches only the bundles whose inputs digest
/// changed. Everything it holds is also on disk, written by the compiles that used it, so a
/// plain `hybrid compile` afterwards is a no-op. A compile by another process (seen through the
/// cache's generation file) makes it start over from disk.
public final class CompileMemory: @unchecked Sendable {
    /// A bundle as its last compile in this process left it (complete).
    struct Bundle {
        var inputs: ContentHash
        var record: BundleRecord
        var status: BundleStatus
        /// The templates (in link order) and each one's output key, when the compile computed them.
        var templates: [AssetTemplate] = []
        var keys: [ContentHash] = []
        /// The bundle's link table (the identities of `record.outputs`), when the compile built it.
        var table: LinkTable? = nil
    }

    private let lock = NSLock()
    /// The cache generation written by the last compile that used this memory.
    var generation: String?
    var engine: TemplateEnvironment?
    var fileIndex: FileHashIndex?
    private var renderEntries: [String: (entries: [RenderEntry], sameVersion: Bool)] = [:]
    private var blobs: Set<ContentHash> = []
    private var bundles: [String: Bundle] = [:]
    let variableFiles = ParsedFiles<[String: YAMLNode]>()
    let mappingFiles = ParsedFiles<TenantMapping>()

    /// At most this many rendered-text hashes are remembered as present in the CAS.
    static let blobLimit = 200_000

    public init() {}

    /// Forgets everything (another process compiled, or the configuration changed).
    public func reset() {
        lock.lock()
        defer { lock.unlock() }
        generation = nil
        engine = nil
        fileIndex = nil
        renderEntries = [:]
        blobs = []
        bundles = [:]
        variableFiles.reset()
        mappingFiles.reset()
    }

    /// Whether the memory holds anything from an earlier compile.
    public var isWarm: Bool {
        lock.lock()
        defer { lock.unlock() }
        return fileIndex != nil
    }

    // MARK: renders

    func renderEntries(template: String) -> (entries: [RenderEntry], sameVersion: Bool)? {
        lock.lock()
        defer { lock.unlock() }
        return renderEntries[template]
    }

    func remember(renderEntries entries: [RenderEntry], sameVersion: Bool, template: String) {
        lock.lock()
        defer { lock.unlock() }
        renderEntries[template] = (entries, sameVersion)
    }

    func knowsBlob(_ hash: ContentHash) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return blobs.contains(hash)
    }

    func remember(blob hash: ContentHash) {
        lock.lock()
        defer { lock.unlock() }
        if blobs.count >= CompileMemory.blobLimit { blobs.removeAll(keepingCapacity: true) }
        blobs.insert(hash)
    }

    /// Keeps render manifests only for these templates (deleted templates are forgotten).
    func retainRenders(templates: Set<String>) {
        lock.lock()
        defer { lock.unlock() }
        renderEntries = renderEntries.filter { templates.contains($0.key) }
    }

    // MARK: bundles

    func bundle(_ name: String) -> Bundle? {
        lock.lock()
        defer { lock.unlock() }
        return bundles[name]
    }

    /// Records a bundle's state after a compile; nil forgets it (failed: the next compile reads the disk).
    func remember(bundle: Bundle?, name: String) {
        lock.lock()
        defer { lock.unlock() }
        bundles[name] = bundle
    }

    /// Keeps only these bundles (the targets of the last compile).
    func retainBundles(_ names: Set<String>) {
        lock.lock()
        defer { lock.unlock() }
        bundles = bundles.filter { names.contains($0.key) }
    }
}
