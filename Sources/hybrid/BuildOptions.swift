import ArgumentParser
import HybridCompiler
import HybridDiagnostics
import SupersetModel

/// `--env`, `--mapping`, `--all-mappings`, `--jobs`, `--shard`: what to build, shared by compile,
/// validate, plan, apply, graph and watch.
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

    @Option(
        help: ArgumentHelp(
            "Build only shard I of N (1-based): the tenants are dealt out by a stable hash of their name; "
                + "the bundle without a mapping is shard 1's.", valueName: "I/N"))
    var shard: String?

    func validate() throws {
        if allMappings && !mappings.isEmpty {
            throw ValidationError("--all-mappings and --mapping cannot be combined")
        }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if let shard, Shard(shard) == nil {
            throw ValidationError("--shard expects I/N with 1 ≤ I ≤ N (like 2/4), got '\(shard)'")
        }
    }

    /// What to compile in `environment`.
    func compileOptions(environment: String, explain: Bool = false, force: Bool = false) -> CompileOptions {
        CompileOptions(
            environment: environment, mappings: mappingSelection, jobs: jobs, explain: explain, force: force,
            shard: shard.flatMap(Shard.init))
    }

    var mappingSelection: CompileOptions.Mappings {
        if allMappings { return .all }
        return mappings.isEmpty ? .none : .selected(mappings)
    }
}
