import Foundation
import HybridCompiler
import HybridDiagnostics
import HybridValidation
import HybridWatch

/// What `hybrid watch` prints: a line per rebuild for people (standard error), or one JSON object
/// per line on standard output for editor integrations (`--format json`). Diagnostics are printed
/// with every rebuild that has them; a warning already printed by the previous rebuild is not repeated.
final class WatchOutput: @unchecked Sendable {
    let format: OutputOptions.Format
    let printer: DiagnosticPrinter
    private var lastWarnings: Set<String> = []
    private let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    init(format: OutputOptions.Format, printer: DiagnosticPrinter) {
        self.format = format
        self.printer = printer
    }

    /// One rebuild: what changed, what it did, how long it took.
    struct Rebuild: Encodable {
        var event = "rebuild"
        var changed: [String]
        var rescan: Bool
        var rebuilt, cached, written, removed: Int
        /// Bundles with a file written or removed.
        var bundles: [String]
        var failedBundles: [String]
        var errors, warnings: Int
        var diagnostics: [DiagnosticRecord] = []
        var validation: Validation?
        /// Bundles applied (nil: not asked, or nothing to apply).
        var applied: Int?
        var applyFailed: Bool?
        var milliseconds = 0.0

        struct Validation: Encodable {
            var errors, warnings, checked: Int
        }

        init(batch: WatchBatch, report: CompileReport) {
            changed = batch.paths.sorted()
            rescan = batch.rescan
            rebuilt = report.rebuilt
            cached = report.cached
            written = report.written
            removed = report.removed
            bundles = report.bundles.filter(\.changed).map(\.name)
            failedBundles = report.bundles.filter { $0.state == .failed }.map(\.name)
            errors = report.errorCount
            warnings = report.warningCount
            diagnostics = report.diagnostics.filter { $0.severity != .note }.map(DiagnosticRecord.init)
        }
    }

    func compiled(_ report: CompileReport) {
        switch format {
        case .json:
            struct Compiled: Encodable {
                var event = "compile"
                var environment: String
                var bundles, nodes, rebuilt, cached, fetched, written, removed, errors, warnings: Int
                var diagnostics: [DiagnosticRecord]
                var milliseconds: Double
            }
            emit(
                Compiled(
                    environment: report.environment, bundles: report.bundles.count, nodes: report.nodes,
                    rebuilt: report.rebuilt, cached: report.cached, fetched: report.fetched, written: report.written,
                    removed: report.removed,
                    errors: report.errorCount, warnings: report.warningCount,
                    diagnostics: report.diagnostics.filter { $0.severity != .note }.map(DiagnosticRecord.init),
                    milliseconds: report.seconds * 1000))
        case .text:
            printDiagnostics(report.diagnostics)
            StandardStreams.writeError(report.summary + "\n")
        }
    }

    func watching(files: Int, folders: Int, method: String) {
        switch format {
        case .json:
            struct Watching: Encodable {
                var event = "watching"
                var files, folders: Int
                var method: String
            }
            emit(Watching(files: files, folders: folders, method: method))
        case .text:
            StandardStreams.writeError(
                "watching \(files) file\(files == 1 ? "" : "s") in \(folders) folder\(folders == 1 ? "" : "s") "
                    + "(\(method)); Ctrl-C to stop\n")
        }
    }

    func rebuilt(_ line: Rebuild, diagnostics: [Diagnostic]) {
        switch format {
        case .json:
            emit(line)
        case .text:
            printDiagnostics(diagnostics)
            StandardStreams.writeError(line.text + "\n")
        }
    }

    /// The validation part of a rebuild line; findings are printed (text) as `hybrid validate` prints them.
    func validation(_ result: BundleValidation.Result) -> Rebuild.Validation {
        if format == .text {
            for group in FindingGroup.group(result.findings) { printer.print(group.diagnostic) }
        }
        return Rebuild.Validation(
            errors: result.errorCount, warnings: result.findings.count - result.errorCount,
            checked: result.documentsChecked)
    }

    /// The apply after the first compile (`--apply`): bundles applied, nil when it failed.
    func applied(_ count: Int?) {
        switch format {
        case .json:
            struct Applied: Encodable {
                var event = "apply"
                var applied: Int?
                var failed: Bool
            }
            emit(Applied(applied: count, failed: count == nil))
        case .text:
            StandardStreams.writeError(
                count.map { "applied \($0) bundle\($0 == 1 ? "" : "s")\n" } ?? "apply failed (see above)\n")
        }
    }

    func warning(_ message: String) {
        switch format {
        case .json:
            struct Warning: Encodable {
                var event = "warning"
                var message: String
            }
            emit(Warning(message: message))
        case .text:
            printer.print(Diagnostic.warning(at: nil, message))
        }
    }

    func stopped() {
        switch format {
        case .json:
            struct Stopped: Encodable { var event = "stopped" }
            emit(Stopped())
        case .text:
            StandardStreams.writeError("watch stopped\n")
        }
    }

    private func emit<T: Encodable>(_ value: T) {
        guard var data = try? encoder.encode(value) else { return }
        data.append(0x0A)
        StandardStreams.writeOutput([UInt8](data))
    }

    /// Errors always; warnings only when the previous rebuild did not print them already.
    private func printDiagnostics(_ diagnostics: [Diagnostic]) {
        var warnings: Set<String> = []
        for diagnostic in diagnostics {
            if diagnostic.severity == .warning {
                let text = diagnostic.description
                warnings.insert(text)
                if lastWarnings.contains(text) { continue }
            }
            printer.print(diagnostic)
        }
        lastWarnings = warnings
    }
}

extension WatchOutput.Rebuild {
    /// `assets/charts/a.yaml.j2 changed: 101 rebuilt, 100 written in 100 bundles, 38 ms`.
    var text: String {
        let time = Self.clock.string(from: Date())
        var what: String
        if rescan {
            what = "events were lost; rescanned"
        } else if let first = changed.first {
            what = first + (changed.count > 1 ? " (+\(changed.count - 1) more)" : "") + " changed"
        } else {
            what = "changed"
        }
        var line = "[\(time)] \(what): "
        if written == 0 && removed == 0 {
            line += errors > 0 ? "nothing written" : "no output changed"
        } else {
            line += "\(rebuilt) rebuilt, \(written) written, \(removed) removed in \(bundles.count) bundle"
            line += bundles.count == 1 ? "" : "s"
        }
        line += String(format: ", %.0f ms", milliseconds)
        if errors > 0 {
            line += ", \(errors) error\(errors == 1 ? "" : "s")"
            if !failedBundles.isEmpty { line += " (last good files kept in \(failedBundles.count) bundle(s))" }
        }
        if let validation {
            line += "; validate: \(validation.errors) error\(validation.errors == 1 ? "" : "s"), "
            line += "\(validation.warnings) warning\(validation.warnings == 1 ? "" : "s")"
        }
        if let applied { line += "; applied \(applied) bundle\(applied == 1 ? "" : "s")" }
        if applyFailed == true { line += "; apply failed (see above)" }
        return line
    }

    private static let clock: DateFormatter = {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        formatter.locale = Locale(identifier: "en_US_POSIX")
        return formatter
    }()
}
