import ArgumentParser
import HybridCompiler
import HybridDiagnostics
import HybridRuntime
import SupersetModel

struct PromoteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote",
        abstract: "Compile, validate, (check drift,) and apply each environment of a chain in order.",
        discussion: """
            The chain is --chain, else promotion.chain in hybrid.yaml, else dev,staging,prod. Stops at \
            the first environment that fails (exit 1) or, with --drift, that has drifted (exit 2). \
            Every step is audited with the same git sha.
            """
    )

    @Option(help: "Environments in order, comma-separated (e.g. dev,prod).")
    var chain: String?

    @Flag(help: "Run drift-plan before each apply; stop the chain on drift.")
    var drift = false

    @Option(name: .customLong("mapping"), help: "Promote these tenant bundles (file, glob or name); repeatable.")
    var mappings: [String] = []

    @Flag(help: "Promote every mappings/*.yaml tenant bundle.")
    var allMappings = false

    @Option(parsing: .unconditional, help: "Most tasks run at once (default: the number of cores).")
    var jobs: Int?

    func validate() throws {
        if allMappings && !mappings.isEmpty { throw ValidationError("--all-mappings and --mapping cannot be combined") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    }

    func run() async throws {
        let context = try CommandContext()
        let printer = context.printer
        let environments =
            chain.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
            ?? context.workspace.config.promotionChain
        guard environments.count >= 1, environments.allSatisfy({ !$0.isEmpty }) else {
            printer.print(.error(at: nil, "--chain needs environment names, e.g. --chain dev,prod"))
            throw ExitCode(1)
        }
        let selection: CompileOptions.Mappings = allMappings ? .all : mappings.isEmpty ? .none : .selected(mappings)
        let promoter = Promoter(deployment: context.deployment(), checkDrift: drift, mappings: selection, jobs: jobs)
        let steps = await promoter.run(chain: environments) { step, findings in
            for finding in findings { printer.print(finding) }
            StandardStreams.writeOutput(
                "promote \(step.environment): \(step.result.rawValue)"
                    + (step.message.map { " (\($0))" } ?? "") + "\n")
        }
        if steps.last?.result == .drift { throw ExitCode(2) }
        if let last = steps.last, !last.result.succeeded { throw ExitCode(1) }
        if steps.count < environments.count { throw ExitCode(1) }
        if steps.contains(where: \.auditFailed) { throw ExitCode(1) }
    }
}
