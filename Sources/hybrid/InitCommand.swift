import ArgumentParser
import HybridCompiler
import HybridDiagnostics
import SupersetModel

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Scaffold a control-plane repository.",
        discussion: """
            Writes hybrid.yaml, assets/{databases,datasets,charts,dashboards}/ with four example \
            templates, env/{dev,staging,prod}.yaml, mappings/client_a.yaml and a .gitignore. \
            Existing files are kept unless --force is given; the command lists what it did.
            """
    )

    @Argument(help: "The repository directory (created if missing).")
    var directory: String = "."

    @Flag(help: "Overwrite existing files that differ from the scaffold.")
    var force = false

    @OptionGroup var output: OutputOptions

    func run() async throws {
        let outcomes: [RepositoryScaffold.Outcome]
        do {
            outcomes = try RepositoryScaffold(force: force).create(in: directory)
        } catch {
            DiagnosticPrinter().print(.error(at: nil, error.description))
            throw ExitCode(1)
        }
        if output.format == .json {
            struct Record: Encodable {
                var path: String
                var action: String
            }
            try output.printJSON(outcomes.map { Record(path: $0.path, action: $0.action.rawValue) })
            return
        }
        let style = TerminalStyle.standardOutput
        for outcome in outcomes {
            let label: String
            switch outcome.action {
            case .created: label = style.green("created    ")
            case .overwritten: label = style.yellow("overwrote  ")
            case .unchanged: label = style.dim("unchanged  ")
            case .kept: label = style.yellow("kept       ")
            }
            let note = outcome.action == .kept ? " (exists and differs; --force overwrites it)" : ""
            StandardStreams.writeOutput(label + outcome.path + note + "\n")
        }
        let kept = outcomes.filter { $0.action == .kept }.count
        if kept > 0 {
            StandardStreams.writeError("\(kept) existing file\(kept == 1 ? "" : "s") kept unchanged.\n")
        }
    }
}
