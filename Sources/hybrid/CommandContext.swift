import ArgumentParser
import Foundation
import HybridCompiler
import HybridDiagnostics
import HybridRemoteCache
import HybridRuntime

/// What every repository command starts from (swift-format's `Frontend`): the workspace
/// (`hybrid.yaml` of the current directory and the paths it configures), the environment, the
/// diagnostics printer, and the compiler and deployment built on them. Anything that fails here is
/// printed as a diagnostic and ends the command with exit status 1.
struct CommandContext {
    let workspace: Workspace
    let printer = DiagnosticPrinter()

    /// Reads `hybrid.yaml` of the current directory.
    init() throws {
        do {
            workspace = try Workspace.load(root: ".")
        } catch {
            DiagnosticPrinter().print(error)
            throw ExitCode(1)
        }
    }

    /// Runs `body`; a diagnostic it throws is printed and ends the command (exit 1).
    func orExit<T>(_ body: () throws(Diagnostic) -> T) throws -> T {
        do {
            return try body()
        } catch {
            printer.print(error)
            throw ExitCode(1)
        }
    }

    /// `orExit` for async work.
    func orExitAsync<T>(_ body: () async throws(Diagnostic) -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            printer.print(error)
            throw ExitCode(1)
        }
    }

    /// The environment to work on: `--env`, else `default_env` from `hybrid.yaml`.
    func environment(_ option: String?) throws -> String {
        try orExit { () throws(Diagnostic) in
            if let option { return option }
            if let fallback = workspace.config.defaultEnvironment { return fallback }
            throw .error(at: nil, "no environment given: pass --env or set default_env in hybrid.yaml")
        }
    }

    /// Says on standard error that a run waits on another's lock.
    static let notice: @Sendable (String) -> Void = { StandardStreams.writeError($0 + "\n") }

    /// A compiler for the workspace, showing progress on `display` when given.
    func compiler(progress display: ProgressDisplay? = nil) -> Compiler {
        var progress: (@Sendable (CompileProgress) -> Void)?
        if let display { progress = { display.update($0) } }
        return Compiler(workspace: workspace, notice: Self.notice, progress: progress)
    }

    /// The shared remote cache of `HYBRID_REMOTE_CACHE` (or `cache.remote` in `hybrid.yaml`); nil when
    /// none is set. A malformed setting ends the command; a server that fails later never does.
    func remoteCache() throws -> RemoteCache? {
        do {
            guard
                let settings = try RemoteCacheSettings.resolve(
                    environment: ProcessInfo.processInfo.environment, configured: workspace.config.remoteCache)
            else { return nil }
            return RemoteCache(settings: settings)
        } catch {
            printer.print(.error(at: nil, error.description))
            throw ExitCode(1)
        }
    }

    /// What the runtime commands deploy with.
    func deployment() -> Deployment {
        Deployment(workspace: workspace, notice: Self.notice)
    }

    /// What a runtime command works on: the environment, its compiled bundles, and the connection
    /// to its Superset.
    struct RuntimeTarget {
        let environment: String
        let deployment: Deployment
        let bundles: [BundleSnapshot]
        let connection: RuntimeConnection
    }

    /// Compiles and reads the selected bundles of the environment, then connects to its Superset.
    func runtimeTarget(_ build: BuildOptions, _ runtime: RuntimeOptions) async throws -> RuntimeTarget {
        let environment = try self.environment(build.env)
        let deployment = deployment()
        let bundles = try await bundles(build, environment: environment, deployment: deployment)
        let connection = try connect(runtime, environment: environment, deployment: deployment)
        return RuntimeTarget(environment: environment, deployment: deployment, bundles: bundles, connection: connection)
    }

    /// Compiles the selected bundles of `environment` and reads them; prints the compile's
    /// findings; a compile error ends the command before anything is sent.
    func bundles(_ build: BuildOptions, environment: String, deployment: Deployment) async throws -> [BundleSnapshot] {
        let (report, bundles) = await deployment.bundles(
            build.compileOptions(environment: environment))
        for diagnostic in report.diagnostics { printer.print(diagnostic) }
        if report.errorCount > 0 {
            StandardStreams.writeError("compile \(environment) failed: nothing was sent\n")
            throw ExitCode(1)
        }
        return bundles
    }

    /// The environment's Superset (or `--url`), with credentials from the environment variables.
    func connect(_ runtime: RuntimeOptions, environment: String, deployment: Deployment) throws -> RuntimeConnection {
        try orExit { () throws(Diagnostic) in try deployment.connect(environment: environment, url: runtime.url) }
    }
}
