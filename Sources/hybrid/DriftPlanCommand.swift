import ArgumentParser
import HybridCompiler
import HybridDiagnostics
import HybridRuntime
import SupersetModel

struct DriftPlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift-plan",
        abstract: "Compare the compiled bundle with what Superset holds now.",
        discussion: """
            Compiles (incrementally), exports the managed assets, and compares both in the normal form.
            Prints NO_DRIFT and exits 0, or DRIFT_FOUND with a unified diff per drifted asset (and the
            assets missing on the server) and exits 2. Exit 1 on error.
            """
    )

    @OptionGroup var build: BuildOptions
    @OptionGroup var runtime: RuntimeOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let context = try CommandContext()
        let target = try await context.runtimeTarget(build, runtime)
        let (bundles, connection) = (target.bundles, target.connection)
        var all: [(String, [DriftPlanner.Drift])] = []
        for bundle in bundles {
            do {
                all.append((bundle.name, try await DriftPlanner(connection: connection).drift(bundle)))
            } catch {
                context.printer.print(error)
                throw ExitCode(1)
            }
        }
        let drifted = all.contains { !$0.1.isEmpty }
        if output.format == .json {
            struct Record: Encodable {
                var status: String
                var bundles: [Bundle]
                struct Bundle: Encodable {
                    var bundle: String
                    var drift: [DriftPlanner.Drift]
                }
            }
            try output.printJSON(
                Record(
                    status: drifted ? "DRIFT_FOUND" : "NO_DRIFT",
                    bundles: all.map { Record.Bundle(bundle: $0.0, drift: $0.1) }))
        } else if !drifted {
            StandardStreams.writeOutput("NO_DRIFT\n")
        } else {
            var text = "DRIFT_FOUND\n"
            for (bundle, drifts) in all where !drifts.isEmpty {
                for drift in drifts {
                    if drift.state == .missing {
                        text += "\(bundle): \(drift.path): missing on the server\n"
                    } else {
                        text += "\(bundle): \(drift.path): \(drift.fields.joined(separator: ", ")) differ\n"
                        text += drift.diff
                    }
                }
            }
            StandardStreams.writeOutput(text)
        }
        if drifted { throw ExitCode(2) }
    }
}
