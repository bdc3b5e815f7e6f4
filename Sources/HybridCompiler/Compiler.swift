import Foundation
import HybridCache
import HybridDiagnostics
import HybridTemplates
import HybridYAML
import SupersetModel

/// What `hybrid compile` is asked to build.
public struct CompileOptions: Sendable {
    /// Which tenant bundles to build besides (or instead of) the plain one.
    public enum Mappings: Sendable, Equatable {
        /// Only `bundles/<env>/`.
        case none
        /// These mapping files or globs (`mappings/client_*.yaml`), or tenant names.
        case selected([String])
        /// Every `mappings/*.yaml`; bundles of deleted mappings are removed.
        case all
    }

    public var environment: String
    public var mappings: Mappings
    public var jobs: Int
    public var explain: Bool

    public init(environment: String, mappings: Mappings = .none, jobs: Int? = nil, explain: Bool = false) {
        self.environment = environment
        self.mappings = mappings
        self.jobs = max(1, jobs ?? ProcessInfo.processInfo.activeProcessorCount)
        self.explain = explain
    }
}

/// Progress of a running compile, for a terminal display.
public struct CompileProgress: Sendable {
    public var phase: String
    public var done: Int
    public var total: Int
}

/// The incremental compiler: renders stale templates, retargets and links stale outputs, writes
/// only changed files. Every decision is made from content hashes recorded in the cache.
public final class Compiler: Sendable {
    public let root: String
    public let config: ProjectConfig
    let progress: (@Sendable (CompileProgress) -> Void)?
    let notice: @Sendable (String) -> Void

    /// `notice` receives messages to show at once (waiting on the lock); `progress` progress events.
    public init(
        root: String, config: ProjectConfig, notice: @escaping @Sendable (String) -> Void = { _ in },
        progress: (@Sendable (CompileProgress) -> Void)? = nil
    ) {
        self.root = root
        self.config = config
        self.notice = notice
        self.progress = progress
    }

    package func path(_ relative: String) -> String {
        relative.hasPrefix("/") ? relative : (root == "." ? relative : root + "/" + relative)
    }

    public var cacheDirectory: String { path(config.cacheDirectory) }
    public var bundlesDirectory: String { path(config.bundlesDirectory) }

    /// The environments that have an `env/<name>.yaml`.
    public func environments() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path("env"))) ?? []
        return names.filter { $0.hasSuffix(".yaml") && !$0.hasPrefix(".") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// Compiles, holding the cache lock for the whole run.
    public func compile(_ options: CompileOptions) async -> CompileReport {
        await compile(options, graph: false).report
    }

    /// Compiles, then describes the build graph (files, variables, renders, outputs and their edges).
    public func compileGraph(_ options: CompileOptions) async -> (report: CompileReport, graph: BuildGraph) {
        let result = await compile(options, graph: true)
        return (result.report, result.graph ?? BuildGraph())
    }

    private func compile(_ options: CompileOptions, graph: Bool) async -> (report: CompileReport, graph: BuildGraph?) {
        let started = ContinuousClock.now
        var report = CompileReport(environment: options.environment)
        let lock: BuildLock
        do {
            lock = try BuildLock(directory: cacheDirectory + "/" + CacheStore.layoutVersion, waiting: notice)
        } catch {
            report.diagnostics.append(.error(at: nil, "cannot lock the cache: \(error)"))
            return (report, nil)
        }
        var built: BuildGraph?
        await run(options, into: &report) { session in
            if graph { built = BuildGraph(session: session) }
        }
        withExtendedLifetime(lock) {}
        report.seconds =
            Double((ContinuousClock.now - started).components.attoseconds) / 1e18
            + Double((ContinuousClock.now - started).components.seconds)
        return (report, built)
    }

    private func run(
        _ options: CompileOptions, into report: inout CompileReport, inspect: (BuildSession) -> Void
    ) async {
        let store = CacheStore(directory: cacheDirectory)
        store.removeAbandonedTemporaries()
        defer {
            for warning in store.warnings { report.diagnostics.append(.warning(at: nil, warning)) }
        }
        // Inputs: variables, mappings, templates.
        let envFile = "env/\(options.environment).yaml"
        guard StrictYAMLReader.isSafeName(options.environment), FileManager.default.fileExists(atPath: path(envFile))
        else {
            let known = environments()
            report.diagnostics.append(
                .error(
                    at: nil,
                    "no environment '\(options.environment)': \(envFile) does not exist"
                        + (known.isEmpty ? "" : " (environments: \(known.joined(separator: ", ")))")))
            return
        }
        var variables = TemplateVariables()
        do {
            try variables.merge(file: path(envFile), displayPath: envFile)
        } catch {
            report.diagnostics.append(error)
            return
        }
        let targets: [BuildTarget]
        do {
            targets = try selectTargets(options.mappings, diagnostics: &report.diagnostics)
        } catch {
            report.diagnostics.append(error)
            return
        }
        let assetsPath = path(config.assetsDirectory)
        let catalog: AssetCatalog
        do {
            catalog = try AssetCatalog.scan(assetsPath: assetsPath, displayPrefix: config.assetsDirectory + "/")
        } catch {
            report.diagnostics.append(error)
            return
        }
        report.diagnostics += catalog.warnings
        let session = BuildSession(
            compiler: self, options: options, store: store, catalog: catalog, baseVariables: variables.values,
            targets: targets)
        await session.renderAll()
        let outcomes = await session.buildBundles()
        if options.mappings == .all {
            session.removeBundlesOfDeletedMappings(keeping: Set(targets.compactMap(\.mapping?.name)))
        }
        session.finish()
        inspect(session)
        report.diagnostics += session.diagnostics
        report.explanations = session.explanations
        for outcome in outcomes {
            report.bundles.append(outcome.summary)
            report.diagnostics += outcome.diagnostics
            report.explanations += outcome.explanations
        }
        report.nodes = session.counters.nodes
        report.rebuilt = session.counters.rebuilt
        report.cached = session.counters.cached
        report.written = session.counters.written
        report.removed = session.counters.removed
    }

    /// The bundles to build: the plain one, or one per selected mapping.
    func selectTargets(_ selection: CompileOptions.Mappings, diagnostics: inout [Diagnostic]) throws(Diagnostic)
        -> [BuildTarget]
    {
        let files: [String]
        switch selection {
        case .none:
            return [BuildTarget(mapping: nil)]
        case .all:
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path("mappings"))) ?? []
            files = names.filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && !$0.hasPrefix(".") }.sorted()
                .map { "mappings/" + $0 }
            if files.isEmpty { throw .error(at: nil, "--all-mappings: no mapping files in mappings/") }
        case .selected(let patterns):
            files = try MappingSelection.resolve(patterns, root: root)
        }
        var targets: [BuildTarget] = []
        var seen: [String: String] = [:]
        var failed: Diagnostic?
        for file in files {
            do throws(Diagnostic) {
                let mapping = try TenantMapping.load(path: path(file), displayPath: file)
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
        // A malformed mapping fails the compile (its error is reported); the other tenants still build.
        if let failed {
            if targets.isEmpty { throw failed }
            diagnostics.append(failed)
        }
        return targets
    }
}

/// One bundle to build: the plain bundle (no mapping) or a tenant's.
struct BuildTarget: Sendable {
    var mapping: TenantMapping?
}
