import Foundation
import HybridCache
import HybridDiagnostics
import HybridTemplates
import HybridYAML
import SupersetModel

/// One compile's shared state: the render results of every template under each variable set,
/// rendered texts and parsed documents in memory, counters, findings. Bundles are built from it
/// concurrently.
final class BuildSession: @unchecked Sendable {
    let compiler: Compiler
    let options: CompileOptions
    let store: CacheStore
    let catalog: AssetCatalog
    let targets: [BuildTarget]
    let environment: TemplateEnvironment
    let fileIndex: FileHashIndex
    let renderCache: RenderCache
    /// `assets/` (as configured), prefixed to template paths in diagnostics and file-index names.
    let assetsPrefix: String
    let assetsPath: String

    /// A set of template variables (the environment's, or a tenant's with its `vars`).
    struct VariableGroup {
        var values: [String: YAMLNode]
        var fingerprints: [String: ContentHash]
        /// Tenants whose `vars` make this set (empty: the environment's own variables).
        var tenants: [String] = []

        /// ` (vars of client_b)` for explanations; empty for the environment's set.
        var label: String { tenants.isEmpty ? "" : " (vars of \(tenants.joined(separator: ", ")))" }
    }

    enum RenderSlot {
        case rendered(ContentHash)
        case failed
    }

    private(set) var groups: [VariableGroup] = []
    /// For each target, the index of its variable group.
    private(set) var targetGroups: [Int] = []
    /// `renders[group][template]`.
    private(set) var renders: [[RenderSlot]] = []

    struct Counters {
        var nodes = 0
        var rebuilt = 0
        var cached = 0
        var written = 0
        var removed = 0
    }

    private let lock = NSLock()
    private var texts: [ContentHash: String] = [:]
    private var documents: [DocumentKey: Result<YAMLNode?, Diagnostic>] = [:]
    private var findings: [Diagnostic] = []
    private var findingSet: Set<Diagnostic> = []
    private var reasons: [String] = []
    private var counterValues = Counters()
    private var finishedBundles = 0

    struct DocumentKey: Hashable {
        var text: ContentHash
        var template: String
    }

    init(
        compiler: Compiler, options: CompileOptions, store: CacheStore, catalog: AssetCatalog,
        baseVariables: [String: YAMLNode], targets: [BuildTarget]
    ) {
        self.compiler = compiler
        self.options = options
        self.store = store
        self.catalog = catalog
        self.targets = targets
        assetsPrefix = compiler.config.assetsDirectory + "/"
        assetsPath = compiler.path(compiler.config.assetsDirectory)
        environment = TemplateEnvironment(
            assetsDirectory: assetsPath, displayPrefix: assetsPrefix,
            options: TemplateOptions(fileCheck: .untilInvalidated))
        fileIndex = FileHashIndex(store: store)
        renderCache = RenderCache(store: store)

        // Variable groups: tenants without `vars` share the environment's.
        var groupByFingerprint: [ContentHash: Int] = [:]
        func group(for values: [String: YAMLNode]) -> Int {
            var fingerprints: [String: ContentHash] = [:]
            for (name, value) in values { fingerprints[name] = ValueFingerprint.of(value) }
            let hasher = ContentHasher()
            for name in fingerprints.keys.sorted() {
                hasher.update(field: name)
                hasher.update(field: fingerprints[name]!.description)
            }
            let key = hasher.finalize()
            if let index = groupByFingerprint[key] { return index }
            groups.append(VariableGroup(values: values, fingerprints: fingerprints))
            groupByFingerprint[key] = groups.count - 1
            return groups.count - 1
        }
        _ = group(for: baseVariables)
        for target in targets {
            var values = baseVariables
            if let vars = target.mapping?.vars { values.merge(vars) { _, tenant in tenant } }
            let index = group(for: values)
            if index > 0, let name = target.mapping?.name { groups[index].tenants.append(name) }
            targetGroups.append(index)
        }
    }

    // MARK: shared results

    var counters: Counters {
        lock.lock()
        defer { lock.unlock() }
        return counterValues
    }

    var diagnostics: [Diagnostic] {
        lock.lock()
        defer { lock.unlock() }
        return findings
    }

    var explanations: [String] {
        lock.lock()
        defer { lock.unlock() }
        return reasons
    }

    func count(_ update: (inout Counters) -> Void) {
        lock.lock()
        update(&counterValues)
        lock.unlock()
    }

    /// Records a finding once (the same template error under several variable sets is one finding).
    func report(_ diagnostic: Diagnostic) {
        lock.lock()
        if findingSet.insert(diagnostic).inserted { findings.append(diagnostic) }
        lock.unlock()
    }

    func explain(_ line: @autoclosure () -> String) {
        guard options.explain else { return }
        let text = line()
        lock.lock()
        reasons.append(text)
        lock.unlock()
    }

    // MARK: rendering

    /// Renders (or finds in the cache) every template under every variable set in use.
    func renderAll() async {
        let templates = catalog.templates
        var done = 0
        for (index, group) in groups.enumerated() {
            let slots = await concurrentMap(templates, jobs: options.jobs) { [self] _, template in
                renderOne(template, group: group, groupIndex: index)
            }
            renders.append(slots)
            done += templates.count
            compiler.progress?(CompileProgress(phase: "render", done: done, total: templates.count * groups.count))
        }
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

    private func renderOne(_ template: AssetTemplate, group: VariableGroup, groupIndex: Int) -> RenderSlot {
        count { $0.nodes += 1 }
        let (entries, sameVersion) = renderCache.entries(template: template.path)
        var reason: RenderStaleness
        switch RenderCache.match(
            entries, sameVersion: sameVersion, templateHash: templateHash, templateExists: templateExists,
            variable: { group.fingerprints[$0] })
        {
        case .success(let entry):
            if store.containsBlob(entry.output) {
                count { $0.cached += 1 }
                return .rendered(entry.output)
            }
            reason = .cacheEntryUnreadable
        case .failure(let staleness):
            reason = staleness
        }
        count { $0.rebuilt += 1 }
        explain("render \(assetsPrefix)\(template.path)\(group.label): \(reason)")
        guard let text = render(template, group: group) else { return .failed }
        return .rendered(text)
    }

    /// Renders a template now, storing the text (CAS) and the manifest entry; nil on a template error.
    private func render(_ template: AssetTemplate, group: VariableGroup) -> ContentHash? {
        let result: RenderResult
        do {
            result = try environment.render(template.path, variables: group.values)
        } catch {
            report(error.diagnostic)
            return nil
        }
        let bytes = Array(result.output.utf8)
        let hash = ContentHash(of: bytes)
        lock.lock()
        texts[hash] = result.output
        lock.unlock()
        do {
            try store.putBlob(bytes)
            let entry = RenderEntry(
                dependencies: zip(result.templates, result.templateHashes).map { ($0, $1) },
                missing: result.missingTemplates,
                variables: result.variables.map { ($0, group.fingerprints[$0]) }, output: hash)
            try renderCache.record(
                template: template.path, entry: entry, previous: renderCache.entries(template: template.path).entries)
        } catch {
            report(.warning(at: nil, "cannot write to the cache: \(error)"))
        }
        return hash
    }

    /// The rendered text with this hash (memory, then the CAS, then rendering again).
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
            report(
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
    /// per compile and shared by every bundle (each bundle edits its own copy).
    func document(_ hash: ContentHash, template: AssetTemplate, group: Int) -> Result<YAMLNode?, Diagnostic> {
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

    private struct SourceMapKey: Hashable {
        var template: String
        var group: Int
    }
    private var sourceMaps: [SourceMapKey: (map: RenderSourceMap, text: [UInt8])?] = [:]

    /// The source map of a template's render with one variable set: the template is rendered again
    /// with tracking on first use (only diagnostics need it; renders are fast). Nil when that
    /// render does not give `text` (a file changed during the build).
    private func sourceMap(_ template: AssetTemplate, group: Int, text: String) -> (RenderSourceMap, [UInt8])? {
        let key = SourceMapKey(template: template.path, group: group)
        lock.lock()
        if let known = sourceMaps[key] {
            lock.unlock()
            return known.flatMap { $0.text.elementsEqual(text.utf8) ? ($0.map, $0.text) : nil }
        }
        lock.unlock()
        var found: (map: RenderSourceMap, text: [UInt8])?
        if let result = try? environment.render(template.path, variables: groups[group].values, tracksSources: true),
            let map = result.sourceMap
        {
            found = (map, Array(result.output.utf8))
        }
        lock.lock()
        sourceMaps[key] = .some(found)
        lock.unlock()
        return found.flatMap { $0.text.elementsEqual(text.utf8) ? ($0.map, $0.text) : nil }
    }

    /// A diagnostic about a template's rendered text (its location is a line of that text), in
    /// template terms: it points at the template or partial line that produced that line, and the
    /// rendered line becomes a note. Unchanged when it is about another file or has no line.
    func inTemplateTerms(_ diagnostic: Diagnostic, template: AssetTemplate, group: Int, rendered: ContentHash)
        -> Diagnostic
    {
        let file = assetsPrefix + template.path
        guard diagnostic.location?.file == file, let text = text(rendered, template: template, group: group) else {
            return diagnostic
        }
        return locateInTemplate(diagnostic, text: text, template: template, group: group)
    }

    private func locateInTemplate(_ diagnostic: Diagnostic, text: String, template: AssetTemplate, group: Int)
        -> Diagnostic
    {
        guard let rendered = diagnostic.location, let (map, bytes) = sourceMap(template, group: group, text: text),
            let source = map.location(ofLine: rendered.line, column: rendered.column, in: bytes)
        else { return diagnostic }
        let hadRenderedNote = diagnostic.notes.contains { $0.message.hasPrefix("in the rendered output of ") }
        var located = diagnostic
        located.location = source
        located.message = retargetContext(located.message, map: map, bytes: bytes, primary: source)
        located.notes.removeAll { $0.message.hasPrefix("in the rendered output of ") }
        if hadRenderedNote || source.file != rendered.file || source.line != rendered.line {
            located.notes.append(
                .note(
                    at: nil,
                    "at line \(rendered.line), column \(rendered.column) of the rendered output of \(rendered.file)"
                        + " (see it with: hybrid render \(rendered.file) --env \(options.environment))"
                        + groups[group].label))
        }
        return located
    }

    /// A YAML error's context (`… (while parsing a flow mapping at line 2, column 9)`) in template
    /// terms: `at line L, column C` in the same file, else `at FILE:L:C`.
    private func retargetContext(_ message: String, map: RenderSourceMap, bytes: [UInt8], primary: SourceLocation)
        -> String
    {
        guard message.hasSuffix(")"), let at = message.range(of: " at line ", options: .backwards) else {
            return message
        }
        let numbers = message[at.upperBound..<message.index(before: message.endIndex)].split(separator: ", column ")
        guard numbers.count == 2, let line = Int(numbers[0]), let column = Int(numbers[1]),
            let source = map.location(ofLine: line, column: column, in: bytes)
        else { return message }
        let place =
            source.file == primary.file
            ? "at line \(source.line), column \(source.column)" : "at \(source.description)"
        return String(message[..<at.lowerBound]) + " " + place + ")"
    }

    // MARK: bundles

    func buildBundles() async -> [BundleOutcome] {
        StagedWrites.clearScratch(bundles: compiler.bundlesDirectory)
        let total = targets.count
        return await concurrentMap(Array(targets.indices), jobs: options.jobs) { [self] _, index in
            let outcome = BundleBuilder(session: self, target: targets[index], group: targetGroups[index]).build()
            lock.lock()
            finishedBundles += 1
            let done = finishedBundles
            lock.unlock()
            compiler.progress?(CompileProgress(phase: "bundles", done: done, total: total))
            return outcome
        }
    }

    /// With `--all-mappings`: removes the bundles (only files hybrid wrote) of tenants whose
    /// mapping file is gone.
    func removeBundlesOfDeletedMappings(keeping tenants: Set<String>) {
        let bundles = compiler.bundlesDirectory
        let statuses = bundles + "/" + BundleStatus.directoryName + "/" + options.environment
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: statuses)) ?? []
        for file in entries.sorted() where file.hasSuffix(".json") {
            let name = String(file.dropLast(5))
            guard !tenants.contains(name) else { continue }
            let statusPath = statuses + "/" + file
            guard let status = BundleStatus.load(at: statusPath), status.tenant == name else { continue }
            let directory = bundles + "/" + options.environment + "/" + name
            let scope = BundleScope(
                environment: options.environment, tenant: name, namespace: compiler.config.uuidNamespace)
            for output in status.outputs where BundleBuilder.isOwnablePath(output) {
                OutputFile.remove(directory + "/" + output, bundleRoot: directory)
                count { $0.removed += 1 }
            }
            rmdir(directory)
            unlink(statusPath)
            BundleRecord.remove(store: store, scope: scope)
            explain("remove bundle \(options.environment)/\(name): its mapping file was deleted")
        }
    }

    func finish() {
        do {
            try fileIndex.save()
        } catch {
            report(.warning(at: nil, "cannot write to the cache: \(error)"))
        }
    }
}
