import ArgumentParser

@main
struct HybridCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hybrid",
        abstract: "A GitOps control plane for Apache Superset and Preset.",
        discussion: """
            Dashboards as code: Jinja2 YAML templates in assets/, variables per environment in env/, \
            per-tenant schema mappings in mappings/, configuration in hybrid.yaml.
            """,
        version: HybridVersion.current,
        subcommands: [
            InitCommand.self, NormalizeCommand.self, RenderCommand.self, CompileCommand.self, ValidateCommand.self,
            PlanCommand.self, ApplyCommand.self, ExportCommand.self, DriftPlanCommand.self, PromoteCommand.self,
            EmbedCommand.self, TranslateCommand.self, GraphCommand.self, CacheCommand.self, AuditCommand.self,
            ServeCommand.self, WatchCommand.self,
        ]
    )

    static func main() async {
        MallocTuning.apply()
        if let compile = CompileFastPath.command(Array(CommandLine.arguments.dropFirst())) {
            do {
                try await compile.run()
            } catch {
                exit(withError: error)
            }
            return
        }
        await main(nil)
    }
}

enum HybridVersion {
    static let current = "0.1.0"
}
