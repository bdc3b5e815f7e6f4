import Foundation
import HybridCache
import HybridDiagnostics
import HybridTemplates
import HybridYAML

/// The render half of a compile: every template under every variable set in use, each a cache hit
/// (its render manifest's reads all still hold) or rendered now. Holds the rendered texts and their
/// parsed documents for the bundles, which only read them through ``document(_:group:rendered:)``.
final class RenderStage: @unchecked Sendable {
    /// The outcome of one render: the text's hash (in the CAS), or a template error (reported).
    enum Slot: Sendable {
        case rendered(ContentHash)
        case failed
    }

    let catalog: AssetCatalog
    let groups: VariableGroups
    let store: CacheStore
    let renderCache: RenderCache
    /// `assets/` (as configured), prefixed to template paths in diagnostics and file-index names.
    let assetsPrefix: String
    /// The environment compiled, for the `hybrid render … --env` hint in notes.
    let environmentName: String
    let engine: TemplateEnvironment
    private let assetsPath: String
    private let fileIndex: FileHashIndex
    private let log: BuildLog
    private let memory: CompileMemory?

    /// `slots[group][template]`, once ``renderAll(jobs:progress:)`` ran.
    private(set) var slots: [[Slot]] = []

    let lock = NSLock()
    private var texts: [ContentHash: String] = [:]
    private var documents: [DocumentKey: Result<YAMLNode?, Diagnostic>] = [:]
    var sourceMaps: [SourceMapKey: (map: RenderSourceMap, text: [UInt8])?] = [:]

    private struct DocumentKey: Hashable {
        var text: ContentHash
        var template: String
    }

    struct SourceMapKey: Hashable {
        var template: String
        var group: Int
    }

    init(
        workspace: Workspace, environment: String, catalog: AssetCatalog, groups: VariableGroups, store: CacheStore,
        log: BuildLog, memory: CompileMemory? = nil
    ) {
        self.memory = memory
        self.catalog = catalog
        self.groups = groups
        self.store = store
        self.log = log
        environmentName = environment
        assetsPrefix = workspace.config.assetsDirectory + "/"
        assetsPath = workspace.assetsPath
        let memoryBudget = workspace.config.renderMemoryBudget ?? TemplateOptions.defaultMemoryBudget
        if let kept = memory?.engine, kept.assetsDirectory == assetsPath, kept.displayPrefix == assetsPrefix,
            kept.options.memoryBudget == memoryBudget
        {
            kept.invalidateFiles()
            kept.forgetSupersededTemplates()
            engine = kept
        } else {
            engine = TemplateEnvironment(
                assetsDirectory: assetsPath, displayPrefix: assetsPrefix,
                options: TemplateOptions(fileCheck: .untilInvalidated, memoryBudget: memoryBudget))
            memory?.engine = engine
        }
        if let kept = memory?.fileIndex {
            kept.startRun()
            fileIndex = kept
        } else {
            fileIndex = FileHashIndex(store: store)
            memory?.fileIndex = fileIndex
        }
        renderCache = RenderCache(store: store, memoryBudget: memoryBudget)
    }

    /// Renders (or finds in the cache) every template under every variable set; explanations
    /// come in template order, whatever `jobs` is.
    func renderAll(jobs: Int, progress: (Int, Int) -> Void) async {
        let templates = catalog.templates
        var done = 0
        for index in 0..<groups.count {
            let group = groups[index]
            let results = await concurrentMap(templates, jobs: jobs) { [self] _, template in
                renderOne(template, group: group)
            }
            slots.append(results.map(\.slot))
            log.explain(results.compactMap(\.reason))
            done += templates.count
            progress(done, templates.count * groups.count)
        }
    }

    /// A template's render manifest: from memory (watch mode), else from the cache.
    private func manifest(_ template: String) -> (entries: [RenderEntry], sameVersion: Bool) {
        if let kept = memory?.renderEntries(template: template) { return kept }
        let read = renderCache.entries(template: template)
        memory?.remember(renderEntries: read.entries, sameVersion: read.sameVersion, template: template)
        return read
    }

    /// The current content hash of a template file (nil: it does not exist).
    func templateHash(_ name: String) -> ContentHash? {
        let stamp = catalog.files[name] ?? FileStamp(path: assetsPath + "/" + name)
        guard let stamp else { return nil }
        return fileIndex.hash(of: assetsPath + "/" + name, name: assetsPrefix + name, stamp: stamp)
    }

    private func templateExists(_ name: String) -> Bool {
        catalog.files[name] != nil || FileStamp(path: assetsPath + "/" + name) != nil
    }

    private func renderOne(_ template: AssetTemplate, group: VariableGroups.Group) -> (slot: Slot, reason: String?) {
        log.count { $0.nodes += 1 }
        let (entries, sameVersion) = manifest(template.path)
        var staleness: RenderStaleness
        switch RenderCache.match(
            entries, sameVersion: sameVersion, templateHash: templateHash, templateExists: templateExists,
            variable: { group.fingerprints[$0] })
        {
        case .success(let entry):
            if memory?.knowsBlob(entry.output) == true || store.containsBlob(entry.output) {
                memory?.remember(blob: entry.output)
                log.count { $0.cached += 1 }
                return (.rendered(entry.output), nil)
            }
            staleness = .cacheEntryUnreadable
        case .failure(let why):
            staleness = why
        }
        log.count { $0.rebuilt += 1 }
        let reason = "render \(assetsPrefix)\(template.path)\(group.label): \(staleness)"
        guard let text = render(template, group: group) else { return (.failed, reason) }
        return (.rendered(text), reason)
    }

    /// Renders a template now, storing the text (CAS) and the manifest entry; nil on a template error.
    private func render(_ template: AssetTemplate, group: VariableGroups.Group) -> ContentHash? {
        let result: RenderResult
        do {
            result = try engine.render(template.path, variables: group.values)
        } catch {
            log.report(error.diagnostic)
            return nil
        }
        let bytes = Array(result.output.utf8)
        let hash = ContentHash(of: bytes)
        lock.lock()
        texts[hash] = result.output
        lock.unlock()
        do {
            try store.putBlob(bytes)
            memory?.remember(blob: hash)
            let entry = RenderEntry(
                dependencies: zip(result.templates, result.templateHashes).map { ($0, $1) },
                missing: result.missingTemplates,
                variables: result.variables.map { ($0, group.fingerprints[$0]) }, output: hash)
            let recorded = try renderCache.record(
                template: template.path, entry: entry, previous: manifest(template.path).entries)
            memory?.remember(renderEntries: recorded, sameVersion: true, template: template.path)
        } catch {
            log.report(.warning(at: nil, "cannot write to the cache: \(error)"))
        }
        return hash
    }

    /// The rendered text with this hash: from memory, else the CAS, else (an entry removed during
    /// the build) rendered again, which must give the same text.
    func text(_ hash: ContentHash, template: AssetTemplate, group: Int) -> String? {
        lock.lock()
        if let text = texts[hash] {
            lock.unlock()
            return text
        }
        lock.unlock()
        if let bytes = store.blob(hash) {
            let text = String(decoding: bytes, as: UTF8.self)
            lock.lock()
            texts[hash] = text
            lock.unlock()
            return text
        }
        guard let again = render(template, group: groups[group]), again == hash else {
            log.report(
                .error(
                    at: SourceLocation(file: assetsPrefix + template.path, line: 1, column: 1),
                    "rendered text changed while compiling (was a file edited during the build?); compile again"))
            return nil
        }
        lock.lock()
        defer { lock.unlock() }
        return texts[hash]
    }

    /// The parsed rendered text of a template (nil: it rendered to an empty document), parsed once
    /// per compile and shared by every bundle (each bundle edits its own copy). A YAML error points
    /// at the template line behind the rendered line.
    func document(_ template: AssetTemplate, group: Int, rendered hash: ContentHash) -> Result<YAMLNode?, Diagnostic> {
        let key = DocumentKey(text: hash, template: template.path)
        lock.lock()
        if let known = documents[key] {
            lock.unlock()
            return known
        }
        lock.unlock()
        guard let text = text(hash, template: template, group: group) else {
            return .failure(
                .error(at: SourceLocation(file: assetsPrefix + template.path, line: 1, column: 1), "no rendered text"))
        }
        let result: Result<YAMLNode?, Diagnostic>
        do {
            result = .success(try RenderedAsset.parse(text, file: assetsPrefix + template.path))
        } catch {
            result = .failure(locateInTemplate(error, text: text, template: template, group: group))
        }
        lock.lock()
        documents[key] = result
        lock.unlock()
        return result
    }

    /// Saves the file-hash index.
    func finish() {
        do {
            try fileIndex.save()
        } catch {
            log.report(.warning(at: nil, "cannot write to the cache: \(error)"))
        }
    }
}
