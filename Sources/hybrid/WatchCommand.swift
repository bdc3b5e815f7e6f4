import ArgumentParser
import Foundation
import HybridCompiler
import HybridDiagnostics
import HybridRuntime
import HybridValidation
import HybridWatch

struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Compile once, then rebuild the affected bundle files each time an input is saved.",
        discussion: """
            Watches assets/, env/, mappings/ and hybrid.yaml (inotify on Linux; polling with --poll, or \
            as the fallback when the inotify watch limit is reached). A burst of events (a save that \
            writes and renames, a git checkout) is one rebuild. The build graph stays in memory: a \
            rebuild reads only the inputs whose stamps moved and touches only the bundles they reach, \
            and the cache on disk stays current, so `hybrid compile` afterwards has nothing to do.

            A broken file prints its error and leaves its bundles' last good files; the next good save \
            rebuilds them. Editors' temporary and backup files (*~, .*.swp, 4913, *.tmp, …) are ignored. \
            bundles/ is not watched: a file changed there by hand is put back by the next plain compile.

            --validate re-validates what was rebuilt; --apply applies the bundles to the environment's \
            Superset at start and then each rebuilt one (with an audit record each, as hybrid apply), and \
            is refused for environments listed in hybrid.yaml watch.no_apply (default [prod]). Ctrl-C or \
            SIGTERM ends it after the running rebuild (exit 0); a second one exits at once.
            """
    )

    @OptionGroup var build: BuildOptions

    @Flag(help: "Re-validate the rebuilt bundles after each rebuild.")
    var validate = false

    @Flag(help: "Apply the rebuilt bundles to the environment's Superset (not for watch.no_apply environments).")
    var apply = false

    @Flag(help: "Poll the files instead of using inotify (network or VM-shared file systems).")
    var poll = false

    @OptionGroup var runtime: RuntimeOptions

    @Option(help: "Output: text for people, json for editors (one JSON object per line).")
    var format: OutputOptions.Format = .text

    func run() async throws {
        var context = try CommandContext()
        let environment = try context.environment(build.env)
        if apply, context.workspace.config.watchNoApply.contains(environment) {
            context.printer.print(
                Diagnostic.error(
                    at: nil,
                    "watch --apply is refused for \(environment): hybrid.yaml watch.no_apply lists it "
                        + "(\(context.workspace.config.watchNoApply.joined(separator: ", "))); use hybrid apply"))
            throw ExitCode(1)
        }
        let root = FileManager.default.currentDirectoryPath
        let output = WatchOutput(format: format, printer: context.printer)
        let session = WatchSession(output: output)
        var scope = WatchScope(context.workspace, root: root)
        var watcher = session.start(scope: scope, polling: poll)
        session.handleSignals()

        var options = build.compileOptions(environment: environment)
        // One remote cache for the session: a server that failed once is not asked again.
        options.remote = try context.remoteCache()
        let memory = CompileMemory()
        let display = ProgressDisplay()
        var report = await context.compiler(progress: display).compile(options, memory: memory)
        display.finish()
        output.compiled(report)
        var deployment: Deployment?
        if apply, report.errorCount == 0 {
            // The environment starts from what is in Git; later rebuilds apply what they changed.
            deployment = context.deployment()
            let applied = await applyBundles(
                report.bundles.filter { $0.state == .complete }, environment: environment, deployment: deployment!,
                context: context)
            output.applied(applied)
        }
        let counts = watcher.counts
        output.watching(files: counts.files, folders: counts.folders, method: watcher.method)

        while let batch = await session.next(from: watcher) {
            let began = ContinuousClock.now
            if batch.touches("hybrid.yaml") {
                do {
                    context = try CommandContext()
                    memory.reset()
                    let moved = WatchScope(context.workspace, root: root)
                    if moved.folders != scope.folders {
                        watcher.stop()
                        watcher = session.start(scope: moved, polling: poll)
                        scope = moved
                    }
                } catch {
                    continue  // the error is printed; the last good configuration stays
                }
            }
            if let fallback = session.fallbackIfNeeded(watcher, scope: scope) { watcher = fallback }
            report = await context.compiler().compile(options, memory: memory)
            var line = WatchOutput.Rebuild(batch: batch, report: report)
            if validate, report.bundles.contains(where: \.changed) {
                let result = await BundleValidation(workspace: context.workspace, remote: options.remote).validate(
                    report)
                line.validation = output.validation(result)
            }
            if apply, report.errorCount == 0, report.bundles.contains(where: \.changed) {
                if deployment == nil { deployment = context.deployment() }
                line.applied = await applyBundles(
                    report.bundles.filter(\.changed), environment: environment, deployment: deployment!,
                    context: context)
                line.applyFailed = line.applied == nil
            }
            line.milliseconds = (ContinuousClock.now - began).seconds * 1000
            output.rebuilt(line, diagnostics: report.diagnostics)
        }
        output.stopped()
    }

    /// Applies these compiled bundles; the number applied, or nil when the apply failed.
    private func applyBundles(
        _ bundles: [CompileReport.Bundle], environment: String, deployment: Deployment, context: CommandContext
    ) async -> Int? {
        var snapshots: [BundleSnapshot] = []
        for bundle in bundles {
            do throws(Diagnostic) {
                snapshots.append(try BundleSnapshot.read(bundles: context.workspace.bundlesPath, name: bundle.name))
            } catch {
                context.printer.print(error)
                return nil
            }
        }
        let clashes = Deployment.crossBundleClashes(snapshots)
        if !clashes.isEmpty {
            for clash in clashes { context.printer.print(clash) }
            return nil
        }
        let connection: RuntimeConnection
        do throws(Diagnostic) {
            connection = try deployment.connect(environment: environment, url: runtime.url)
        } catch {
            context.printer.print(error)
            return nil
        }
        let target = CommandContext.RuntimeTarget(
            environment: environment, deployment: deployment, bundles: snapshots, connection: connection)
        do throws(Diagnostic) {
            let (_, failed) = try await ApplySteps.apply(
                snapshots, target: target, context: context,
                options: Applier.Options(tableNameScope: deployment.tableNameScope), printsText: format == .text)
            return failed ? nil : snapshots.count
        } catch {
            context.printer.print(error)
            return nil
        }
    }
}

extension CompileReport.Bundle {
    /// Whether the compile wrote or removed any of its files.
    var changed: Bool { state == .complete && (written > 0 || removed > 0) }
}

extension WatchScope {
    /// What `hybrid watch` watches in a workspace: the assets folder, env/, mappings/ and hybrid.yaml.
    init(_ workspace: Workspace, root: String) {
        self.init(
            root: root, folders: [workspace.config.assetsDirectory, "env", "mappings"], files: ["hybrid.yaml"])
    }
}
