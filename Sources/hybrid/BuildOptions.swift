import ArgumentParser
import HybridCompiler
import HybridDiagnostics
import SupersetModel

/// `--env`, `--mapping`, `--all-mappings`, `--jobs`: what to build, shared by compile, validate and graph.
struct BuildOptions: ParsableArguments {
    @Option(help: "The environment (env/<ENV>.yaml). Default: default_env from hybrid.yaml.")
    var env: String?

    @Option(
        name: .customLong("mapping"),
        help: "Build the bundle of a tenant mapping: a file, a glob (mappings/client_*.yaml) or a name; repeatable.")
    var mappings: [String] = []

    @Flag(help: "Build every mappings/*.yaml (and remove the bundles of deleted mappings).")
    var allMappings = false

    @Option(
        parsing: .unconditional,
        help: "Most tasks run at once (default: the number of cores). Output does not depend on it.")
    var jobs: Int?

    func validate() throws {
        if allMappings && !mappings.isEmpty {
            throw ValidationError("--all-mappings and --mapping cannot be combined")
        }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    }

    /// What to compile in `environment`.
    func compileOptions(environment: String, explain: Bool = false, force: Bool = false) -> CompileOptions {
        CompileOptions(
            environment: environment, mappings: mappingSelection, jobs: jobs, explain: explain, force: force)
    }

    var mappingSelection: CompileOptions.Mappings {
        if allMappings { return .all }
        return mappings.isEmpty ? .none : .selected(mappings)
    }
}
