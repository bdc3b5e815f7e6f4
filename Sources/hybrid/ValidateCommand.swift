import ArgumentParser
import Foundation
import HybridCompiler
import HybridDiagnostics
import HybridValidation
import SupersetModel

struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Compile if needed, then check every bundle against Superset's import schema and the policy.",
        discussion: """
            Checks, per bundle: Superset 6.x import schema of each file (required keys, types, \
            unknown keys); references (a dataset's database, a chart's dataset, chart metrics and \
            columns in its dataset, dashboard charts, native filter targets); duplicates (uuid, slug, \
            slice_name, table per database); policy: from hybrid.yaml. Each finding names the \
            template, its line (best effort) and the YAML key path, and the compiled file.

            Results are cached per file and per bundle: with nothing changed, nothing is checked \
            again. Exit status 1 when there is an error (compile or validation).
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text
        case json
        case github
    }

    @OptionGroup var build: BuildOptions

    @Option(help: "Output: text, json, or github (::error annotations for GitHub Actions).")
    var format: Format = .text

    func run() async throws {
        let context = try CommandContext()
        let printer = context.printer
        let environment = try context.environment(build.env)
        let display = ProgressDisplay()
        let remote = try context.remoteCache()
        var options = build.compileOptions(environment: environment)
        options.remote = remote
        var report = await context.compiler(progress: display).compile(options)
        display.finish()
        let result = await BundleValidation(workspace: context.workspace, remote: remote).validate(report)
        report.diagnostics += result.remoteWarnings.map { .warning(at: nil, $0) }
        let groups = FindingGroup.group(result.findings)
        let embedFindings = report.errorCount == 0 ? EmbedSteps.validate(report, workspace: context.workspace) : []
        let embedErrors = embedFindings.filter { $0.severity == .error }.count
        switch format {
        case .json:
            struct Record: Encodable {
                var environment: String
                var compile: [DiagnosticRecord]
                var findings: [BundleValidation.Located]
                var embed: [DiagnosticRecord]
                var documentsChecked, documentsCached, bundlesChecked, bundlesCached: Int
                /// Bundles whose validation came from the remote cache, and uploaded to it.
                var bundlesFetched, bundlesUploaded: Int
            }
            try OutputOptions.printJSON(
                Record(
                    environment: environment, compile: report.diagnostics.map(DiagnosticRecord.init),
                    findings: result.findings, embed: embedFindings.map(DiagnosticRecord.init),
                    documentsChecked: result.documentsChecked,
                    documentsCached: result.documentsCached, bundlesChecked: result.bundlesChecked,
                    bundlesCached: result.bundlesCached, bundlesFetched: result.bundlesFetched,
                    bundlesUploaded: result.bundlesUploaded))
        case .github:
            for diagnostic in report.diagnostics where diagnostic.severity != .note {
                StandardStreams.writeOutput(GitHubAnnotation.line(for: diagnostic) + "\n")
            }
            for group in groups { StandardStreams.writeOutput(group.githubAnnotation + "\n") }
            for finding in embedFindings { StandardStreams.writeOutput(GitHubAnnotation.line(for: finding) + "\n") }
        case .text:
            for diagnostic in report.diagnostics { printer.print(diagnostic) }
            for group in groups { printer.print(group.diagnostic) }
            for finding in embedFindings { printer.print(finding) }
        }
        if format != .json {
            let errors = report.errorCount + result.errorCount + embedErrors
            let warnings =
                report.warningCount + result.findings.count - result.errorCount + embedFindings.count - embedErrors
            var summary =
                "validate \(environment): \(report.bundles.count) bundle\(report.bundles.count == 1 ? "" : "s"), "
            let documents = result.documentsChecked + result.documentsCached
            summary += "\(documents) files (\(result.documentsChecked) checked, \(result.documentsCached) cached)"
            if result.documentsChecked == 0 && result.bundlesChecked == 0 && documents > 0 {
                summary += ": nothing changed since the last validation"
            }
            if result.bundlesFetched > 0 {
                summary += ", \(result.bundlesFetched) bundles' results from the remote cache"
            }
            if result.bundlesUploaded > 0 { summary += ", \(result.bundlesUploaded) uploaded" }
            summary += ", \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")"
            StandardStreams.writeError(summary + "\n")
        }
        if report.errorCount > 0 || result.errorCount > 0 || embedErrors > 0 { throw ExitCode(1) }
    }
}

extension FindingGroup {
    var githubAnnotation: String {
        let level = first.finding.severity == .error ? "error" : "warning"
        var text = message
        text += bundles.count == 1 ? " (bundle \(bundles[0]))" : " (in \(bundles.count) bundles, e.g. \(bundles[0]))"
        return "::\(level) file=\(location.file),line=\(location.line),col=\(location.column),title=hybrid validate::"
            + GitHubAnnotation.escape(text)
    }
}

/// GitHub Actions workflow commands (`::error file=…,line=…::message`).
enum GitHubAnnotation {
    static func line(for diagnostic: Diagnostic) -> String {
        let level = diagnostic.severity == .error ? "error" : "warning"
        var properties = ""
        if let location = diagnostic.location {
            properties = " file=\(location.file),line=\(location.line),col=\(location.column)"
        }
        return "::\(level)\(properties)::" + escape(diagnostic.message)
    }

    /// Escapes `%`, CR and LF as GitHub requires.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }
}
