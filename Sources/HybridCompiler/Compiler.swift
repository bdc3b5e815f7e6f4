import Foundation
import HybridCache
import HybridDiagnostics
import HybridRemoteCache

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
    /// Replace files at output paths that hybrid did not write (by default such a file stops the bundle).
    public var force: Bool
    /// Build only this shard's tenants (`--shard I/N`); nil: all selected.
    public var shard: Shard?
    /// The shared remote cache (`HYBRID_REMOTE_CACHE`): bundles this runner lacks are fetched from
    /// it, and with writes allowed the bundles it lacks are uploaded. One instance per process, so
    /// a server that failed once is not asked again (watch mode).
    public var remote: RemoteCache?

    public init(
        environment: String, mappings: Mappings = .none, jobs: Int? = nil, explain: Bool = false, force: Bool = false,
        shard: Shard? = nil, remote: RemoteCache? = nil
    ) {
        self.shard = shard
        self.remote = remote
        self.environment = environment
        self.mappings = mappings
        self.jobs = max(1, jobs ?? ProcessInfo.processInfo.activeProcessorCount)
        self.explain = explain
        self.force = force
    }
}

/// Progress of a running compile, for a terminal display.
public struct CompileProgress: Sendable {
    public var phase: String
    public var done: Int
    public var total: Int
}

/// The incremental compiler: renders stale templates, retargets and links stale outputs, writes
/// only changed files. Every decision is made from content hashes recorded in the cache; runs on
/// one repository serialize on the cache lock.
public final class Compiler: Sendable {
    public let workspace: Workspace
    let progress: (@Sendable (CompileProgress) -> Void)?
    let notice: @Sendable (String) -> Void

    /// `notice` receives messages to show at once (waiting on the lock); `progress` progress events.
    public init(
        workspace: Workspace, notice: @escaping @Sendable (String) -> Void = { _ in },
        progress: (@Sendable (CompileProgress) -> Void)? = nil
    ) {
        self.workspace = workspace
        self.notice = notice
        self.progress = progress
    }

    /// Compiles, holding the cache lock for the whole run. With `memory` (watch mode), what this
    /// compile reads and builds is kept for the next one, which then reads and rebuilds only what changed.
    public func compile(_ options: CompileOptions, memory: CompileMemory? = nil) async -> CompileReport {
        await compile(options, graph: false, memory: memory).report
    }

    /// Compiles, then describes the build graph (files, variables, renders, outputs and their edges).
    public func compileGraph(_ options: CompileOptions) async -> (report: CompileReport, graph: BuildGraph) {
        let result = await compile(options, graph: true)
        return (result.report, result.graph ?? BuildGraph())
    }

    private func compile(_ options: CompileOptions, graph: Bool, memory: CompileMemory? = nil) async -> (
        report: CompileReport, graph: BuildGraph?
    ) {
        let started = ContinuousClock.now
        var clock = PhaseClock()
        var report = CompileReport(environment: options.environment)
        let lock: BuildLock
        let lockDirectory = workspace.cachePath + "/" + CacheStore.layoutVersion
        do {
            lock = try BuildLock(directory: lockDirectory, waiting: notice)
        } catch {
            report.diagnostics.append(.error(at: nil, "cannot lock the cache: \(error)"))
            return (report, nil)
        }
        CacheGeneration.advance(lockDirectory: lockDirectory, memory: memory)
        clock.end("lock")
        let run = CompileRun(workspace: workspace, options: options, progress: progress, memory: memory)
        let built = await run.run(into: &report, clock: &clock)
        let described = graph ? built.map(BuildGraph.init) : nil
        if graph { clock.end("graph") }
        report.phases = clock.phases
        withExtendedLifetime(lock) {}
        report.seconds = (ContinuousClock.now - started).seconds
        return (report, described)
    }
}
