import ArgumentParser
import Foundation
import HybridAudit
import HybridCompiler
import HybridDiagnostics
import HybridRuntime
import SupersetModel

struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Import into Superset exactly the assets that differ (and what they need).",
        discussion: """
            Compiles if needed, then compares each asset of the bundle with the last successful apply \
            to this target and (unless --no-refresh) with the server's current export, so a change made \
            in the UI is restored. Only assets that differ are imported, with their dependencies, in \
            chunks; with nothing to do no import call is made. Database passwords come from \
            HYBRID_DB_PASSWORD_<DATABASE_NAME>. Credentials: HYBRID_SUPERSET_USERNAME and \
            HYBRID_SUPERSET_PASSWORD, or HYBRID_SUPERSET_TOKEN; PRESET_API_TOKEN and PRESET_API_SECRET \
            in preset mode. Every run stores an audit record (hybrid audit list; the audit store is .hybrid/audit.db, or PostgreSQL when HYBRID_AUDIT_URL is set).

            Preflight: before any import, an asset that would take a name Superset keeps unique (a \
            database_name, a dataset's table in its database and schema, a dashboard slug) from an \
            asset of another uuid on the server is refused with both assets named (not with \
            --no-refresh, which does not read the server). An import the server still answers with a \
            5xx is retried asset by asset (at most 25) to name the one it refuses.

            With PLAN (written by `hybrid plan --out PLAN`), applies exactly that plan: it is refused \
            when a bundle or a planned asset on the server changed since the plan was made.
            """
    )

    @Argument(help: "A plan saved by `hybrid plan --out` to apply exactly (optional).")
    var plan: String?

    @OptionGroup var build: BuildOptions
    @OptionGroup var runtime: RuntimeOptions

    @Flag(help: "Import every asset of the bundle.")
    var force = false

    @Flag(help: "Trust the applied state; do not read the server's current assets first.")
    var noRefresh = false

    @Flag(help: "Delete assets hybrid applied earlier that are no longer in the bundle (never others).")
    var prune = false

    @Option(help: "Most changed assets per import call.")
    var chunkSize = 250

    @OptionGroup var output: OutputOptions

    func run() async throws {
        let context = try CommandContext()
        let target = try await context.runtimeTarget(build, runtime)
        let bundles = target.bundles
        let clashes = Deployment.crossBundleClashes(bundles)
        if !clashes.isEmpty {
            for clash in clashes { context.printer.print(clash) }
            throw ExitCode(1)
        }
        if let plan { try await checkSaved(plan, bundles: bundles, target: target, context: context) }
        let (records, failed) = try await context.orExitAsync { () async throws(Diagnostic) in
            try await ApplySteps.apply(
                bundles, target: target, context: context,
                options: Applier.Options(
                    force: force, noRefresh: noRefresh, prune: prune, chunkSize: chunkSize,
                    tableNameScope: target.deployment.tableNameScope),
                printsText: output.format == .text)
        }
        if output.format == .json { try output.printJSON(records) }
        if failed { throw ExitCode(1) }
    }
}

extension ApplyCommand {
    /// Refuses (exit 1) a saved plan whose bundles or planned server assets moved since it was made.
    func checkSaved(
        _ path: String, bundles: [BundleSnapshot], target: CommandContext.RuntimeTarget, context: CommandContext
    ) async throws {
        if force || noRefresh {
            context.printer.print(
                Diagnostic.error(at: nil, "a saved plan is applied as planned: drop --force and --no-refresh"))
            throw ExitCode(1)
        }
        let saved = try context.orExit { () throws(Diagnostic) in try SavedPlan.read(from: path) }
        if saved.environment != target.environment {
            context.printer.print(
                Diagnostic.error(
                    at: nil, "the plan \(path) is for environment \(saved.environment), not \(target.environment)"))
            throw ExitCode(1)
        }
        let server: ServerView
        do {
            server = try await ServerView.list(target.connection.client)
        } catch {
            context.printer.print(error.diagnostic)
            throw ExitCode(1)
        }
        let problems = saved.problems(bundles: bundles, server: server, target: target.connection.target)
        guard problems.isEmpty else {
            context.printer.print(
                Diagnostic(
                    .error, at: nil, "the plan \(path) is stale; nothing was applied (run hybrid plan --out again)",
                    notes: problems.map { .note(at: nil, $0) }))
            throw ExitCode(1)
        }
    }
}

/// One bundle's apply, for people and scripts.
struct ApplyReport: Encodable {
    struct Row: Encodable {
        var type: String
        var create, update, unchanged, deleted: Int
    }

    var bundle: String
    var target: String
    var rows: [Row]
    var imported: Int
    var importCalls: Int
    var seconds: Double
    var changes: [Applier.AssetPlan]

    init(_ outcome: Applier.Outcome, seconds: Double) {
        bundle = outcome.bundle
        target = outcome.target
        rows = AssetKind.allCases.map { kind in
            let items = outcome.plan.filter { $0.kind == kind }
            return Row(
                type: kind.directory, create: items.count { $0.change == .create },
                update: items.count { $0.change == .update }, unchanged: items.count { $0.change == .unchanged },
                deleted: outcome.deleted[kind.directory] ?? 0)
        }
        imported = outcome.imported.values.reduce(0, +)
        importCalls = outcome.importCalls
        self.seconds = seconds
        changes = outcome.plan.filter { $0.change != .unchanged }
    }

    var text: String {
        var out = "apply \(bundle) → \(target)\n"
        out +=
            "  " + "type".padding(toLength: 12, withPad: " ", startingAt: 0) + "  create  update  unchanged  deleted\n"
        for row in rows {
            out += "  " + row.type.padding(toLength: 12, withPad: " ", startingAt: 0)
            out += [row.create, row.update].map { String($0).leftPad(8) }.joined()
            out += String(row.unchanged).leftPad(11) + String(row.deleted).leftPad(9) + "\n"
        }
        if importCalls == 0 && rows.allSatisfy({ $0.deleted == 0 }) {
            out += "nothing to apply: every asset is up to date (no import call)"
        } else {
            let changed = rows.reduce(0) { $0 + $1.create + $1.update }
            out += "imported \(changed) changed asset\(changed == 1 ? "" : "s")"
            if imported > changed { out += " (\(imported) with what they need)" }
            out += " in \(importCalls) call\(importCalls == 1 ? "" : "s")"
        }
        return out + String(format: " in %.2f s\n", seconds)
    }
}

extension String {
    func leftPad(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
