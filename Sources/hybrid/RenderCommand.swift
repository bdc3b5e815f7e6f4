import ArgumentParser
import HybridCompiler
import HybridDiagnostics
import HybridTemplates
import SupersetModel

struct RenderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render one template with an environment's variables and print it exactly.",
        discussion: """
            Renders like Python Jinja2 3.1 with StrictUndefined (byte for byte). Variables come from \
            env/<ENV>.yaml, then --vars-file, then each --var (its value read as a YAML scalar with \
            PyYAML's rules: --var LIMIT=0755 is the integer 493). TEMPLATE is a path relative to the \
            repository root (assets/charts/x.yaml.j2) or to the assets directory (charts/x.yaml.j2). \
            The output is printed without an added newline.

            With --format json, prints {"output", "templates", "variables"}: the text, every template \
            the render loaded, and every top-level variable it read.
            """
    )

    @Argument(help: "The template to render.")
    var template: String

    @Option(help: "The environment whose env/<ENV>.yaml provides the variables.")
    var env: String

    @Option(name: .customLong("var"), help: "Set a variable (KEY=VALUE); repeatable, applied last.")
    var assignments: [String] = []

    @Option(help: "A YAML mapping of more variables, applied after env/<ENV>.yaml.")
    var varsFile: String?

    @OptionGroup var output: OutputOptions

    func run() async throws {
        let context = try CommandContext()
        let workspace = context.workspace
        let result = try context.orExit { () throws(Diagnostic) in
            var variables = TemplateVariables()
            let envFile = try workspace.environmentFile(for: env)
            try variables.merge(file: workspace.path(envFile), displayPath: envFile)
            if let varsFile { try variables.merge(file: varsFile) }
            for assignment in assignments { try variables.set(assignment: assignment) }
            let engine = TemplateEnvironment(
                assetsDirectory: workspace.assetsPath, displayPrefix: workspace.config.assetsDirectory + "/",
                options: TemplateOptions(
                    memoryBudget: workspace.config.renderMemoryBudget ?? TemplateOptions.defaultMemoryBudget))
            do throws(TemplateError) {
                return try engine.render(workspace.templateName(for: template), variables: variables.values)
            } catch {
                throw error.diagnostic
            }
        }
        if output.format == .json {
            struct Record: Encodable {
                var output: String
                var templates: [String]
                var variables: [String]
            }
            try output.printJSON(
                Record(output: result.output, templates: result.templates, variables: result.variables))
        } else {
            StandardStreams.writeOutput(result.output)
        }
    }
}
