import Foundation
import HybridCache
import HybridDiagnostics
import HybridRemoteCache
import HybridYAML
import SupersetModel

/// One compile from inputs to bundles, under the cache lock: reads the environment's variables,
/// the selected mappings and the asset catalog; renders every template under every variable set
/// (``RenderStage``); builds every bundle concurrently (``BundleBuilder``); with `--all-mappings`,
/// removes the bundles of deleted mappings.
struct CompileRun {
    let workspace: Workspace
    let options: CompileOptions
    let progress: (@Sendable (CompileProgress) -> Void)?
    /// What the last compile in this process kept (watch mode); nil: everything is read from disk.
    var memory: CompileMemory? = nil

    /// What a finished run leaves for describing its graph.
    struct Built {
        let renders: RenderStage
        let targets: [BuildTarget]
        let store: CacheStore
        let namespace: UUID
    }

    /// Runs the compile, adding its findings, bundles and counts to `report`; nil when the inputs
    /// could not be read (the error is in the report).
    func run(into report: inout CompileReport, clock: inout PhaseClock) async -> Built? {
        let store = CacheStore(directory: workspace.cachePath)
        store.removeAbandonedTemporaries()
        defer {
            for warning in store.warnings { report.diagnostics.append(.warning(at: nil, warning)) }
        }
        let inputs: Inputs
        do {
            inputs = try readInputs(&report.diagnostics, store: store)
        } catch {
            report.diagnostics.append(error)
            return nil
        }
        clock.end("inputs")
        let log = BuildLog(explains: options.explain)
        let groups = VariableGroups(base: inputs.variables, targets: inputs.targets)
        let renders = RenderStage(
            workspace: workspace, environment: options.environment, catalog: inputs.catalog, groups: groups,
            store: store, log: log, memory: memory)
        await renders.renderAll(jobs: options.jobs) { done, total in
            progress?(CompileProgress(phase: "render", done: done, total: total))
        }
        clock.end("render")
        let remoteBefore = options.remote?.statistics
        let outcomes = await buildBundles(inputs.targets, renders: renders, store: store, log: log)
        clock.end("bundles")
        if let remote = options.remote, remote.uploads {
            let built = outcomes.compactMap { $0.fetchedWhole ? nil : $0.uploadable }
            report.uploaded = await RemoteBundles.upload(
                built, store: store, bundlesPath: workspace.bundlesPath, remote: remote)
            clock.end("upload")
        }
        if let remote = options.remote { report.remote = remote.statistics.since(remoteBefore ?? .init()) }
        if options.mappings == .all {
            let removal = DeletedMappingBundles.remove(
                environment: options.environment, keeping: keptTenants(inputs.targets),
                bundlesPath: workspace.bundlesPath, namespace: workspace.config.uuidNamespace, store: store)
            log.explain(removal.explanations)
            log.count { $0.removed += removal.removedFiles }
        }
        renders.finish()
        if let memory {
            memory.retainBundles(
                Set(
                    inputs.targets.map { target in
                        BundleScope(
                            environment: options.environment, tenant: target.mapping?.name,
                            namespace: workspace.config.uuidNamespace
                        ).bundleRelativePath
                    }))
            memory.retainRenders(templates: Set(inputs.catalog.templates.map(\.path)))
            memory.mappingFiles.retain(Set(inputs.targets.compactMap { $0.mapping.map { workspace.path($0.path) } }))
        }
        report.diagnostics += log.diagnostics
        report.explanations = log.explanations
        for outcome in outcomes {
            report.bundles.append(outcome.summary)
            report.diagnostics += outcome.diagnostics
            report.explanations += outcome.explanations
        }
        if let remote = options.remote {
            for warning in remote.takeWarnings() { report.diagnostics.append(.warning(at: nil, warning)) }
        }
        let counters = log.counters
        report.nodes = counters.nodes
        report.rebuilt = counters.rebuilt
        report.cached = counters.cached
        report.fetched = counters.fetched
        report.written = counters.written
        report.removed = counters.removed
        clock.end("finish")
        return Built(renders: renders, targets: inputs.targets, store: store, namespace: workspace.config.uuidNamespace)
    }

    /// The tenants whose bundles stay with `--all-mappings`: the built ones, and with `--shard` every
    /// tenant that still has a mapping file (the other shards' bundles are theirs to build).
    private func keptTenants(_ targets: [BuildTarget]) -> Set<String> {
        var kept = Set(targets.compactMap(\.mapping?.name))
        if options.shard != nil {
            for name in BuildTarget.mappingFileNames(in: workspace) { kept.insert(TenantMapping.tenantName(of: name)) }
        }
        return kept
    }

    /// The environment's variables, the bundles to build and the asset templates.
    private struct Inputs {
        var variables: [String: YAMLNode]
        var targets: [BuildTarget]
        var catalog: AssetCatalog
    }

    private func readInputs(_ diagnostics: inout [Diagnostic], store: CacheStore) throws(Diagnostic) -> Inputs {
        let envFile = try workspace.environmentFile(for: options.environment)
        var variables = TemplateVariables()
        if let memory {
            variables.merge(
                try memory.variableFiles.value(path: workspace.path(envFile)) { bytes throws(Diagnostic) in
                    try TemplateVariables.parse(bytes, file: envFile)
                })
        } else {
            try variables.merge(file: workspace.path(envFile), displayPath: envFile)
        }
        let targets = try BuildTarget.select(
            options.mappings, in: workspace, diagnostics: &diagnostics, memory: memory, shard: options.shard,
            cache: store)
        let catalog = try AssetCatalog.scan(
            assetsPath: workspace.assetsPath, displayPrefix: workspace.config.assetsDirectory + "/")
        diagnostics += catalog.warnings
        return Inputs(variables: variables.values, targets: targets, catalog: catalog)
    }

    /// Builds every target's bundle, at most `jobs` at once, in target order.
    private func buildBundles(_ targets: [BuildTarget], renders: RenderStage, store: CacheStore, log: BuildLog) async
        -> [BundleOutcome]
    {
        StagedWrites.clearScratch(bundles: workspace.bundlesPath)
        let finished = Counter()
        let total = targets.count
        let bundlesPath = workspace.bundlesPath
        let namespace = workspace.config.uuidNamespace
        let assetsPrefix = workspace.config.assetsDirectory + "/"
        let keyEncoding = OutputKeyEncoding(templates: renders.catalog.templates)
        let outputPaths = renders.catalog.templates.map { Array($0.outputPath.utf8) }
        let builders = targets.indices.map { index in
            let target = targets[index]
            let group = renders.groups.groupOfTarget[index]
            let scope = BundleScope(
                environment: options.environment, tenant: target.mapping?.name, namespace: namespace)
            return BundleBuilder(
                location: BundleLocation(scope: scope, bundlesPath: bundlesPath), mapping: target.mapping,
                templates: renders.catalog.templates, rendered: renders.slots[group].map(\.hash), documents: renders,
                keyEncoding: keyEncoding, outputPaths: outputPaths, group: group, store: store, log: log,
                assetsPrefix: assetsPrefix,
                force: options.force, memory: memory)
        }
        let prefetch = prefetchLackingBundles(builders, store: store)
        let remote = options.remote != nil
        let outcomes = await concurrentMap(builders, jobs: options.jobs) { [progress] _, builder in
            guard remote, let inputs = builder.inputsDigest else {
                let outcome = builder.build()
                progress?(CompileProgress(phase: "bundles", done: finished.increment(), total: total))
                return outcome
            }
            var builder = builder
            if let prefetch, prefetch.covers(inputs) { builder.fetched = await prefetch.take(inputs) }
            var outcome = builder.build()
            if outcome.summary.state == .complete {
                outcome.uploadable = RemoteBundles.Wanted(scope: builder.location.scope, inputs: inputs)
                outcome.fetchedWhole = builder.fetched?.exact == true
            }
            progress?(CompileProgress(phase: "bundles", done: finished.increment(), total: total))
            return outcome
        }
        await prefetch?.finish()
        return outcomes
    }

    /// Starts fetching the bundles this runner lacks (no local record, or no bundle on disk) from
    /// the remote cache, ahead of their builders; nil without a remote cache or when none is lacking.
    private func prefetchLackingBundles(_ builders: [BundleBuilder], store: CacheStore) -> RemotePrefetch? {
        guard let remote = options.remote, remote.isOn else { return nil }
        var wanted: [RemoteBundles.Wanted] = []
        for builder in builders {
            guard let inputs = builder.inputsDigest else { continue }
            if memory?.bundle(builder.location.name) != nil { continue }
            let scope = builder.location.scope
            let lacking =
                access(BundleRecord.path(store: store, scope: scope), F_OK) != 0
                || access(builder.location.statusPath, F_OK) != 0
            if lacking { wanted.append(RemoteBundles.Wanted(scope: scope, inputs: inputs)) }
        }
        guard !wanted.isEmpty else { return nil }
        let total = wanted.count
        return RemotePrefetch(wanted, remote: remote) { [progress] done in
            progress?(CompileProgress(phase: "fetch", done: done, total: total))
        }
    }
}

/// A thread-safe counter (bundles finished or fetched, for progress).
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func increment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}

extension RenderStage.Slot {
    /// The rendered text's hash; nil when the render failed.
    var hash: ContentHash? {
        if case .rendered(let hash) = self { return hash }
        return nil
    }
}
