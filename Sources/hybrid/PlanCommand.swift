import ArgumentParser
import HybridCompiler
import HybridDiagnostics
import HybridRuntime
import SupersetModel

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what apply would do: per asset create, update, unchanged or orphaned.",
        discussion: """
            From the bundle, the applied state and (unless --no-refresh) the server. Each update \
            lists what it changes on the server, attribute by attribute in the normal form \
            (`~ params.row_limit: 1000 → 999`, `+ metrics[2]: …`, `- description: …`; long values as \
            a unified diff); --compact shows only their number. Ends with a summary line. With \
            --detailed-exitcode: 0 nothing to do, 2 changes, 1 error.
            """
    )

    @OptionGroup var build: BuildOptions
    @OptionGroup var runtime: RuntimeOptions

    @Flag(help: "Do not read the server; plan from the applied state only.")
    var noRefresh = false

    @Flag(help: "Exit 2 when there are changes (0 when none).")
    var detailedExitcode = false

    @Flag(help: "Show the number of attributes an update changes instead of each.")
    var compact = false

    @Option(help: "Save the plan to FILE (inside the repository), for `hybrid apply FILE`.")
    var out: String?

    @OptionGroup var output: OutputOptions

    func run() async throws {
        let context = try CommandContext()
        let target = try await context.runtimeTarget(build, runtime)
        let (bundles, connection) = (target.bundles, target.connection)
        if out != nil && noRefresh {
            context.printer.print(
                Diagnostic.error(at: nil, "--out saves the server state the plan saw: drop --no-refresh"))
            throw ExitCode(1)
        }
        var everything: [Applier.AssetPlan] = []
        var saved: [SavedPlan.Bundle] = []
        var text = ""
        var preflight: [Diagnostic] = []
        var embedChanges = 0
        let listing = try await context.orExitAsync { () async throws(Diagnostic) in
            try await Deployment.sharedListing(bundles, connection: connection, refresh: !noRefresh)
        }
        for bundle in bundles {
            let plan: [Applier.AssetPlan]
            do {
                let applier = Applier(store: target.deployment.store, connection: connection, listing: listing)
                let options = Applier.Options(noRefresh: noRefresh, tableNameScope: target.deployment.tableNameScope)
                let (planned, server) = try await applier.plan(bundle, options: options)
                plan = planned
                saved.append(SavedPlan.bundle(bundle, plan: planned, server: server))
                if let server {
                    let (checked, knowledge) = applier.preflight(
                        bundle, plan: planned, server: server, options: options)
                    preflight += checked.warnings(bundle: bundle)
                    if let refusal = checked.refusal(
                        bundle: bundle, tableNames: knowledge, consequence: "hybrid apply would refuse to import")
                    {
                        preflight.append(refusal)
                    }
                }
            } catch {
                context.printer.print(error)
                throw ExitCode(1)
            }
            everything += plan
            text += "plan \(bundle.name) → \(connection.target)\n"
            if !noRefresh {
                let states = try await context.orExitAsync { () async throws(Diagnostic) in
                    try await EmbedSteps.states(
                        bundle, workspace: context.workspace, connection: connection, listing: listing)
                }
                for state in states ?? [] where !state.inSync {
                    embedChanges += 1
                    text += "  ~ embed     \(state.description)\n"
                }
            }
            for item in plan where item.change != .unchanged {
                let sign = ["create": "+", "update": "~", "orphaned": "-"][item.change.rawValue] ?? " "
                text +=
                    "  \(sign) \(item.change.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(item.path)"
                if let reason = item.reason { text += "  (\(reason))" }
                if compact && !item.attributes.isEmpty {
                    text += "  [\(item.attributes.count) attribute\(item.attributes.count == 1 ? "" : "s")]"
                }
                text += "\n"
                if !compact {
                    for attribute in item.attributes {
                        text += "      \(attribute.line)\n"
                        if let diff = attribute.diff {
                            text += diff.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
                                .map { "        " + $0 + "\n" }.joined()
                        }
                    }
                }
            }
        }
        if let out {
            try context.orExit { () throws(Diagnostic) in
                try SavedPlan(environment: target.environment, target: connection.target, bundles: saved).write(
                    to: try context.workspace.insidePath(out, what: "--out"))
            }
        }
        let counts = Dictionary(grouping: everything, by: \.change).mapValues(\.count)
        let changes = (counts[.create] ?? 0) + (counts[.update] ?? 0) + (counts[.orphaned] ?? 0) + embedChanges
        if output.format == .json {
            try output.printJSON(everything)
        } else {
            text += "Plan: \(counts[.create] ?? 0) to create, \(counts[.update] ?? 0) to update, "
            text += "\(counts[.orphaned] ?? 0) orphaned, \(counts[.unchanged] ?? 0) unchanged"
            text += embedChanges > 0 ? ", \(embedChanges) to embed.\n" : ".\n"
            StandardStreams.writeOutput(text)
        }
        for diagnostic in preflight { context.printer.print(diagnostic) }
        if preflight.contains(where: { $0.severity == .error }) { throw ExitCode(1) }
        if detailedExitcode && changes > 0 { throw ExitCode(2) }
    }
}
