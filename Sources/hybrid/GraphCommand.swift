import ArgumentParser
import HybridCompiler
import HybridDiagnostics
import SupersetModel

struct GraphCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Print the build graph of an environment (compiling first if needed).",
        discussion: """
            Nodes: input files (templates, partials, env and mapping files), variables, renders (one \
            per template and variable set) and outputs (one per template and bundle). Edges: a render \
            loads files and reads variables; env and mapping files define variables; a render \
            produces outputs; a mapping retargets outputs; an output references the outputs it links to.

            --format dot prints Graphviz (hybrid graph --env prod | dot -Tsvg > graph.svg); \
            --format json prints {"nodes": [{id, kind, label}], "edges": [{from, to, kind}]}.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case dot
        case json
    }

    @OptionGroup var build: BuildOptions

    @Option(help: "dot (Graphviz) or json.")
    var format: Format = .dot

    func run() async throws {
        let context = try CommandContext()
        let environment = try context.environment(build.env)
        let (report, graph) = await context.compiler().compileGraph(
            build.compileOptions(environment: environment))
        for diagnostic in report.diagnostics where diagnostic.severity == .error { context.printer.print(diagnostic) }
        switch format {
        case .dot: StandardStreams.writeOutput(graph.dot)
        case .json: try OutputOptions.printJSON(graph)
        }
        if report.errorCount > 0 { throw ExitCode(1) }
    }
}
