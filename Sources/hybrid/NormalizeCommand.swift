import ArgumentParser
import Foundation
import HybridCompiler
import HybridDiagnostics
import SupersetModel

struct NormalizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "normalize",
        abstract: "Rewrite YAML files into hybrid's canonical form.",
        discussion: """
            The canonical form is block style with 2-space indentation, keys sorted by code point, \
            strings quoted only where PyYAML would otherwise read them as something else, and \
            multi-line strings as literal blocks. PyYAML's safe_load reads back exactly the same \
            data, and normalizing twice changes nothing.

            Without PATH, normalizes env/ and mappings/ of the current directory. Directories are \
            searched for *.yaml and *.yml files (hidden entries skipped). A file that does not parse \
            is reported as file:line:col and left untouched. Comments cannot be kept in the \
            canonical form: a file with comments is not rewritten unless --drop-comments is given.

            Exit status: 0 on success; 1 if a file does not parse, or with --check if a file is not \
            canonical.
            """
    )

    @Argument(help: "Files or directories (default: env mappings).")
    var paths: [String] = []

    @Flag(help: "Change nothing; list files that are not canonical and exit 1 if there are any.")
    var check = false

    @Flag(help: "Print the canonical form of one file to standard output instead of rewriting it.")
    var stdout = false

    @Flag(help: "Allow rewriting files that contain comments (the comments are lost).")
    var dropComments = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if check && stdout { throw ValidationError("--check and --stdout cannot be combined.") }
        if stdout && output.format == .json {
            throw ValidationError("--stdout prints YAML; it cannot be combined with --format json.")
        }
    }

    func run() async throws {
        let printer = DiagnosticPrinter()
        let (files, pathProblems) = YAMLFileCollector.collect(paths.isEmpty ? defaultPaths() : paths)
        if stdout && files.count + pathProblems.count != 1 {
            throw ValidationError("--stdout needs exactly one file (got \(files.count)).")
        }
        let mode: Normalizer.Mode = stdout ? .print : (check ? .check : .write)
        // Writes stay inside the repository: the current directory, as for every command.
        let root = FileManager.default.currentDirectoryPath
        let normalizer = Normalizer(mode: mode, dropComments: dropComments, root: root)
        var results: [Normalizer.FileResult] = []
        for file in files {
            let result = normalizer.run(path: file)
            results.append(result)
            if output.format == .text {
                report(result, printer: printer)
            }
        }

        let failed = results.filter { $0.status == .failed }.count + pathProblems.count
        let notCanonical = results.filter { $0.status == .notCanonical }.count
        let normalized = results.filter { $0.status == .normalized }.count
        let canonical = results.filter { $0.status == .canonical }.count

        if output.format == .json {
            try output.printJSON(
                NormalizeReport(
                    files: results.map(NormalizeReport.File.init),
                    errors: pathProblems.map(DiagnosticRecord.init),
                    summary: .init(
                        canonical: canonical, normalized: normalized, notCanonical: notCanonical, failed: failed)))
        } else {
            for problem in pathProblems { printer.print(problem) }
            if !stdout {
                var parts: [String] = []
                if check {
                    parts.append("\(notCanonical) not canonical")
                } else {
                    parts.append("\(normalized) normalized")
                }
                parts.append("\(canonical) already canonical")
                if failed > 0 { parts.append("\(failed) with errors") }
                StandardStreams.writeError(
                    "\(files.count) file\(files.count == 1 ? "" : "s"): " + parts.joined(separator: ", ") + "\n")
            }
        }
        if failed > 0 || (check && notCanonical > 0) { throw ExitCode(1) }
    }

    private func report(_ result: Normalizer.FileResult, printer: DiagnosticPrinter) {
        for diagnostic in result.diagnostics { printer.print(diagnostic) }
        switch result.status {
        case .normalized:
            StandardStreams.writeOutput("normalized \(result.path)\n")
        case .notCanonical where check:
            StandardStreams.writeOutput("\(result.path): not canonical\n")
        default:
            break
        }
        if let canonical = result.canonical { StandardStreams.writeOutput(canonical) }
    }

    private func defaultPaths() -> [String] {
        ["env", "mappings"]
    }
}

/// `--format json` output of `hybrid normalize`.
struct NormalizeReport: Encodable {
    struct File: Encodable {
        var path: String
        var status: String
        var diagnostics: [DiagnosticRecord]

        init(_ result: Normalizer.FileResult) {
            path = result.path
            status = result.status.rawValue
            diagnostics = result.diagnostics.map(DiagnosticRecord.init)
        }
    }

    struct Summary: Encodable {
        var canonical: Int
        var normalized: Int
        var notCanonical: Int
        var failed: Int
    }

    var files: [File]
    var errors: [DiagnosticRecord]
    var summary: Summary
}
