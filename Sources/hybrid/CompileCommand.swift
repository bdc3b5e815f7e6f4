import ArgumentParser
import HybridCompiler
import HybridDiagnostics
import HybridRemoteCache
import SupersetModel

struct CompileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Compile templates into Superset import bundles, incrementally.",
        discussion: """
            Renders assets/<type>/**/*.yaml.j2 with env/<ENV>.yaml (and a tenant's vars), retargets \
            with each selected mapping, links names to uuids, and writes bundles/<ENV>/ (or \
            bundles/<ENV>/<tenant>/ per mapping) in the normal form. Only what changed is rebuilt, \
            decided by content hashes in .hybrid-cache/; unchanged files are not rewritten.

            A bundle with an error is marked failed (bundles/.hybrid-status/ENV[/TENANT].json) and its files \
            are left as they were; apply refuses it. Exit status 1 on any error.
            """
    )

    @OptionGroup var build: BuildOptions

    @Flag(help: "Print why each rebuilt node ran (template, include, variable, mapping changed, …).")
    var explain = false

    @Flag(help: "Replace files at output paths in bundles/ that hybrid did not write (by default they stop the build).")
    var force = false

    @Flag(help: "Print where the time went, by phase (lock, inputs, render, bundles, upload, finish).")
    var timings = false

    @OptionGroup var output: OutputOptions

    func run() async throws {
        let context = try CommandContext()
        let environment = try context.environment(build.env)
        let display = ProgressDisplay()
        var options = build.compileOptions(environment: environment, explain: explain, force: force)
        options.remote = try context.remoteCache()
        let report = await context.compiler(progress: display).compile(options)
        display.finish()
        try CompileCommand.print(report, format: output, printer: context.printer, timings: timings)
        if report.errorCount > 0 { throw ExitCode(1) }
    }

    static func print(
        _ report: CompileReport, format: OutputOptions, printer: DiagnosticPrinter, timings: Bool = false
    ) throws {
        if format.format == .json {
            struct Record: Encodable {
                var environment: String
                var nodes, rebuilt, cached, fetched, written, removed: Int
                var seconds: Double
                var bundles: [CompileReport.Bundle]
                var diagnostics: [DiagnosticRecord]
                var explanations: [String]
                /// Requests, hits, bytes… of the remote cache; absent without one.
                var remote: RemoteCacheStatistics?
                var uploaded: Int
                /// Wall time by phase, in order.
                var phases: [CompileReport.Phase]
            }
            try format.printJSON(
                Record(
                    environment: report.environment, nodes: report.nodes, rebuilt: report.rebuilt,
                    cached: report.cached, fetched: report.fetched, written: report.written, removed: report.removed,
                    seconds: report.seconds, bundles: report.bundles,
                    diagnostics: report.diagnostics.map(DiagnosticRecord.init), explanations: report.explanations,
                    remote: report.remote, uploaded: report.uploaded, phases: report.phases))
            return
        }
        for diagnostic in report.diagnostics { printer.print(diagnostic) }
        for line in report.explanations { StandardStreams.writeError(line + "\n") }
        StandardStreams.writeError(report.summary + "\n")
        if timings { StandardStreams.writeError(report.phaseSummary + "\n") }
    }
}
