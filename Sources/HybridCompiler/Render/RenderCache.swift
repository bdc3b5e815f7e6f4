import HybridCache
import HybridTemplates
import SupersetModel

/// Render manifests (ccache's "direct mode"): per template, the recent renders with exactly what
/// each one read (templates with their content hashes, templates probed and missing, variables
/// with their value fingerprints) and the hash of the text it produced, kept in the CAS. A render
/// whose recorded reads all still hold is a hit, without rendering.
public struct RenderEntry: Sendable, Equatable {
    /// Every template loaded, the rendered one first, with its content hash when it was loaded.
    public var dependencies: [(name: String, hash: ContentHash)]
    /// Template names looked for and not found.
    public var missing: [String]
    /// Every top-level variable read, with its value's fingerprint (nil: not defined).
    public var variables: [(name: String, fingerprint: ContentHash?)]
    /// The rendered text's hash (the CAS key).
    public var output: ContentHash

    public static func == (lhs: RenderEntry, rhs: RenderEntry) -> Bool {
        lhs.output == rhs.output && lhs.missing == rhs.missing
            && lhs.dependencies.elementsEqual(rhs.dependencies) { $0.name == $1.name && $0.hash == $1.hash }
            && lhs.variables.elementsEqual(rhs.variables) { $0.name == $1.name && $0.fingerprint == $1.fingerprint }
    }
}

/// Why a render could not be reused (for `--explain`).
public enum RenderStaleness: Error, Sendable, Equatable, CustomStringConvertible {
    case noEntry
    case toolVersionChanged
    case templateChanged
    case includeChanged(String)
    case includeAppeared(String)
    case variableChanged(String)
    case cacheEntryUnreadable

    public var description: String {
        switch self {
        case .noEntry: "no cache entry"
        case .toolVersionChanged: "tool version or render.memory_budget changed"
        case .templateChanged: "template changed"
        case .includeChanged(let name): "include \(name) changed"
        case .includeAppeared(let name): "\(name) now exists (it was looked for and missing)"
        case .variableChanged(let name): "variable \(name) changed"
        case .cacheEntryUnreadable: "rendered text missing from the cache"
        }
    }
}

/// Reads and writes render manifests in the cache (namespace `render`).
public struct RenderCache: Sendable {
    /// The render function's version: bump with any change to the template engine's output.
    public static let engineVersion = "hybrid-templates/1"
    static let namespace = "render"
    static let maximumEntries = 8

    let store: CacheStore
    /// The engine version and the render memory budget the manifests were written under: a render
    /// that succeeded under a larger budget may fail under a smaller one, so either change re-renders.
    let version: String

    public init(store: CacheStore, memoryBudget: Int = TemplateOptions.defaultMemoryBudget) {
        self.store = store
        version = RenderCache.engineVersion + " budget \(memoryBudget)"
    }

    static func key(template: String) -> ContentHash {
        let hasher = ContentHasher()
        hasher.update(field: "render-manifest")
        hasher.update(field: template)
        return hasher.finalize()
    }

    /// The recorded entries for a template (most recent first), and whether they were written by
    /// this engine version.
    public func entries(template: String) -> (entries: [RenderEntry], sameVersion: Bool) {
        let key = RenderCache.key(template: template)
        guard let payload = store.record(RenderCache.namespace, key) else { return ([], true) }
        var reader = BinaryReader(payload)
        do {
            guard try reader.readString() == version else { return ([], false) }
            var entries: [RenderEntry] = []
            for _ in 0..<(try reader.readCount()) {
                var dependencies: [(String, ContentHash)] = []
                for _ in 0..<(try reader.readCount()) {
                    dependencies.append((try reader.readString(), try reader.readHash()))
                }
                var missing: [String] = []
                for _ in 0..<(try reader.readCount()) { missing.append(try reader.readString()) }
                var variables: [(String, ContentHash?)] = []
                for _ in 0..<(try reader.readCount()) {
                    let name = try reader.readString()
                    variables.append((name, try reader.readBool() ? try reader.readHash() : nil))
                }
                entries.append(
                    RenderEntry(
                        dependencies: dependencies, missing: missing, variables: variables,
                        output: try reader.readHash()))
            }
            return (entries, true)
        } catch {
            store.reportUndecodable(store.recordPath(RenderCache.namespace, key))
            return ([], true)
        }
    }

    /// Adds an entry in front of the recorded ones (dropping an identical one and the oldest);
    /// returns the entries as recorded.
    @discardableResult
    public func record(template: String, entry: RenderEntry, previous: [RenderEntry]) throws(AtomicFile.IOError)
        -> [RenderEntry]
    {
        var entries = [entry] + previous.filter { $0 != entry }
        if entries.count > RenderCache.maximumEntries { entries.removeLast(entries.count - RenderCache.maximumEntries) }
        var writer = BinaryWriter(capacity: 512)
        writer.write(version)
        writer.write(UInt64(entries.count))
        for entry in entries {
            writer.write(UInt64(entry.dependencies.count))
            for dependency in entry.dependencies {
                writer.write(dependency.name)
                writer.write(dependency.hash)
            }
            writer.write(UInt64(entry.missing.count))
            for name in entry.missing { writer.write(name) }
            writer.write(UInt64(entry.variables.count))
            for variable in entry.variables {
                writer.write(variable.name)
                writer.write(variable.fingerprint != nil)
                if let fingerprint = variable.fingerprint { writer.write(fingerprint) }
            }
            writer.write(entry.output)
        }
        try store.putRecord(RenderCache.namespace, RenderCache.key(template: template), writer.bytes)
        return entries
    }

    /// The first entry whose reads all still hold, or why none does (judged against the most recent).
    public static func match(
        _ entries: [RenderEntry], sameVersion: Bool,
        templateHash: (String) -> ContentHash?, templateExists: (String) -> Bool,
        variable: (String) -> ContentHash?
    ) -> Result<RenderEntry, RenderStaleness> {
        guard sameVersion else { return .failure(.toolVersionChanged) }
        guard !entries.isEmpty else { return .failure(.noEntry) }
        var firstReason: RenderStaleness?
        for entry in entries {
            var reason: RenderStaleness?
            for (index, dependency) in entry.dependencies.enumerated()
            where templateHash(dependency.name) != dependency.hash {
                reason = index == 0 ? .templateChanged : .includeChanged(dependency.name)
                break
            }
            if reason == nil, let appeared = entry.missing.first(where: templateExists) {
                reason = .includeAppeared(appeared)
            }
            if reason == nil,
                let changed = entry.variables.first(where: { variable($0.name) != $0.fingerprint })
            {
                reason = .variableChanged(changed.name)
            }
            guard let reason else { return .success(entry) }
            if firstReason == nil { firstReason = reason }
        }
        return .failure(firstReason ?? .noEntry)
    }
}
