import ArgumentParser
import Foundation
import HybridCompiler
import HybridDiagnostics
import HybridRuntime
import SupersetModel

/// `--url`: the Superset (or Preset workspace) to talk to instead of hybrid.yaml's.
struct RuntimeOptions: ParsableArguments {
    @Option(help: "The Superset URL (default: superset.url / superset.urls.<env>, or preset.workspaces.<env>).")
    var url: String?
}

/// Loading hybrid.yaml and the environment, shared by the runtime commands.
struct RuntimeContext {
    let deployment: Deployment
    let environment: String
    let printer = DiagnosticPrinter()

    init(build: BuildOptions, environment override: String? = nil) throws {
        let printer = DiagnosticPrinter()
        let config: ProjectConfig
        do {
            config = try ProjectConfig.load(root: ".")
            if let override {
                environment = override
            } else {
                environment = try build.environment(config)
            }
        } catch {
            printer.print(error)
            throw ExitCode(1)
        }
        deployment = Deployment(root: ".", config: config, notice: { StandardStreams.writeError($0 + "\n") })
    }

    /// Compiles the selected bundles; prints compile findings; exits 1 on a compile error.
    func bundles(_ build: BuildOptions) async throws -> [BundleSnapshot] {
        let (report, bundles) = await deployment.bundles(
            CompileOptions(environment: environment, mappings: build.mappingSelection, jobs: build.jobs))
        for diagnostic in report.diagnostics { printer.print(diagnostic) }
        if report.errorCount > 0 {
            StandardStreams.writeError("compile \(environment) failed: nothing was sent\n")
            throw ExitCode(1)
        }
        return bundles
    }

    func connect(_ runtime: RuntimeOptions) throws -> RuntimeConnection {
        do {
            return try deployment.connect(environment: environment, url: runtime.url)
        } catch {
            printer.print(error)
            throw ExitCode(1)
        }
    }
}
