import Foundation
import HybridCache
import HybridDiagnostics

/// One bundle to build: the plain bundle (no mapping) or a tenant's.
struct BuildTarget: Sendable {
    var mapping: TenantMapping?

    /// The bundles a compile builds: the plain one, or one per selected mapping. A malformed
    /// mapping is reported (the compile fails) while the other tenants still build; with no
    /// readable mapping at all, the error is thrown.
    /// The names of the YAML files in `mappings/`, sorted (hidden ones included).
    static func mappingFileNames(in workspace: Workspace) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: workspace.path("mappings"))) ?? []
        return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
    }

    /// `memory` keeps parsed mapping files between compiles of one process (watch mode); `cache`
    /// keeps them between processes (``TenantMappingCache``).
    static func select(
        _ selection: CompileOptions.Mappings, in workspace: Workspace, diagnostics: inout [Diagnostic],
        memory: CompileMemory? = nil, shard: Shard? = nil, cache: CacheStore? = nil
    ) throws(Diagnostic) -> [BuildTarget] {
        var files: [String]
        switch selection {
        case .none:
            return shard.map(\.includesBase) == false ? [] : [BuildTarget(mapping: nil)]
        case .all:
            let yaml = mappingFileNames(in: workspace)
            files = yaml.filter { !$0.hasPrefix(".") }.map { "mappings/" + $0 }
            for hidden in yaml where hidden.hasPrefix(".") {
                diagnostics.append(
                    .warning(
                        at: SourceLocation(file: "mappings/" + hidden, line: 1, column: 1),
                        "skipped by --all-mappings: a file whose name starts with '.' is hidden, not a tenant; "
                            + "rename it to build its tenant"))
            }
            if files.isEmpty { throw .error(at: nil, "--all-mappings: no mapping files in mappings/") }
        case .selected(let patterns):
            files = try MappingSelection.resolve(patterns, root: workspace.root)
        }
        if let shard {
            let mine = shard.select(files.map(TenantMapping.tenantName(of:)))
            files = files.filter { mine.contains(TenantMapping.tenantName(of: $0)) }
            if files.isEmpty { return [] }
        }
        var targets: [BuildTarget] = []
        var seen: [String: String] = [:]
        var failed: Diagnostic?
        let loaded = memory == nil ? loadConcurrently(files, in: workspace, cache: cache) : []
        for (position, file) in files.enumerated() {
            do throws(Diagnostic) {
                let mapping: TenantMapping
                if let memory {
                    mapping = try memory.mappingFiles.value(path: workspace.path(file)) { bytes throws(Diagnostic) in
                        try TenantMapping.parse(bytes, path: file)
                    }
                } else {
                    mapping = try loaded[position].get()
                }
                if let reason = MappingSelection.invalidTenantName(mapping.name) {
                    throw Diagnostic.error(at: SourceLocation(file: file, line: 1, column: 1), reason)
                }
                if let other = seen[mapping.name] {
                    throw Diagnostic.error(
                        at: SourceLocation(file: file, line: 1, column: 1),
                        "tenant '\(mapping.name)' is also defined by \(other)")
                }
                seen[mapping.name] = file
                diagnostics += mapping.warnings
                targets.append(BuildTarget(mapping: mapping))
            } catch {
                if failed == nil { failed = error } else { diagnostics.append(error) }
            }
        }
        if let failed {
            if targets.isEmpty { throw failed }
            diagnostics.append(failed)
        }
        return targets
    }

    /// Reads and parses the mapping files on every core (hundreds of tenants: the no-op's largest
    /// serial step), each result in its file's place.
    private static func loadConcurrently(_ files: [String], in workspace: Workspace, cache: CacheStore?) -> [Result<
        TenantMapping, Diagnostic
    >] {
        let results = LoadedMappings(count: files.count)
        DispatchQueue.concurrentPerform(iterations: files.count) { index in
            let file = files[index]
            results.set(
                index,
                Result { () throws(Diagnostic) in
                    try TenantMappingCache.load(file: workspace.path(file), path: file, store: cache)
                })
        }
        return results.values.map { $0! }
    }
}

/// Results filled in by concurrent loaders, each slot written once.
private final class LoadedMappings: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [Result<TenantMapping, Diagnostic>?]

    init(count: Int) {
        values = Array(repeating: nil, count: count)
    }

    func set(_ index: Int, _ result: Result<TenantMapping, Diagnostic>) {
        lock.lock()
        values[index] = result
        lock.unlock()
    }
}
