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
            Compiles (incrementally), exports the managed assets, and classifies each against the \
            target from what hybrid last applied there:
              create        never applied, not on the server (pending, not drift)
              adopt         not applied from here, the server holds the bundle's content
              update        applied, the server as applied, the bundle changed (pending)
              drifted       applied, then changed on the server outside Git (drift)
              deleted       applied, then deleted on the server outside Git (drift)
              adopt-differs not applied from here, the server holds other content (drift)
            Prints NO_DRIFT (then the pending creates and updates) and exits 0, or DRIFT_FOUND with \
            a unified diff per drifted asset and exits 2. Exit 1 on error.
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
        var embeds: [(String, [EmbeddedDashboards.State])] = []
        let listing = try await context.orExitAsync { () async throws(Diagnostic) in
            try await Deployment.sharedListing(bundles, connection: connection)
        }
        for bundle in bundles {
            do {
                let planner = DriftPlanner(connection: connection, store: target.deployment.store, listing: listing)
                all.append((bundle.name, try await planner.drift(bundle)))
            } catch {
                context.printer.print(error)
                throw ExitCode(1)
            }
            let states = try await context.orExitAsync { () async throws(Diagnostic) in
                try await EmbedSteps.states(
                    bundle, workspace: context.workspace, connection: connection, listing: listing)
            }
            if let states { embeds.append((bundle.name, states)) }
        }
        // Allowed domains changed on the server (in the UI) are drift; a dashboard not embedded yet is pending.
        let embedDrift = embeds.flatMap { bundle, states in
            states.filter { $0.current != nil && !$0.inSync }.map { (bundle, $0) }
        }
        let drifted = all.contains { $0.1.contains { $0.state.isDrift } } || !embedDrift.isEmpty
        if output.format == .json {
            struct Record: Encodable {
                var status: String
                var bundles: [Bundle]
                var embeds: [Embed]
                struct Bundle: Encodable {
                    var bundle: String
                    var drift: [DriftPlanner.Drift]
                }
                struct Embed: Encodable {
                    var bundle: String
                    var dashboard: String
                    var state: String
                    var serverDomains: [String]?
                    var policyDomains: [String]
                    enum CodingKeys: String, CodingKey {
                        case bundle, dashboard, state
                        case serverDomains = "server_domains"
                        case policyDomains = "policy_domains"
                    }
                }
            }
            let embedRecords = embeds.flatMap { bundle, states in
                states.map { state in
                    Record.Embed(
                        bundle: bundle, dashboard: state.dashboard.path,
                        state: state.current == nil ? "not_embedded" : state.inSync ? "in_sync" : "domains_differ",
                        serverDomains: state.current?.allowedDomains, policyDomains: state.wanted)
                }
            }
            try output.printJSON(
                Record(
                    status: drifted ? "DRIFT_FOUND" : "NO_DRIFT",
                    bundles: all.map { Record.Bundle(bundle: $0.0, drift: $0.1) }, embeds: embedRecords))
        } else {
            var text = drifted ? "DRIFT_FOUND\n" : "NO_DRIFT\n"
            for (bundle, drifts) in all {
                for drift in drifts where drift.state.isDrift {
                    switch drift.state {
                    case .deleted:
                        text += "\(bundle): \(drift.path): deleted on the server outside Git\n"
                    case .adoptDiffers:
                        text += "\(bundle): \(drift.path): on the server with other content, never applied from here: "
                        text += "\(drift.fields.joined(separator: ", ")) differ\n" + drift.diff
                    default:
                        text += "\(bundle): \(drift.path): \(drift.fields.joined(separator: ", ")) differ\n"
                        text += drift.diff
                    }
                }
                for drift in drifts where !drift.state.isDrift {
                    text += "pending: \(bundle): \(drift.state.rawValue) \(drift.path)\n"
                }
            }
            for (bundle, state) in embedDrift { text += "\(bundle): embed \(state.description)\n" }
            for (bundle, states) in embeds {
                for state in states where state.current == nil {
                    text += "pending: \(bundle): embed \(state.description)\n"
                }
            }
            StandardStreams.writeOutput(text)
        }
        if drifted { throw ExitCode(2) }
    }
}
