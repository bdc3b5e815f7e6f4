import ArgumentParser
import Foundation
import HybridCompiler
import HybridDiagnostics
import HybridRuntime
import SupersetModel

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Download the environment's assets from Superset into hybrid's normal form.",
        discussion: """
            Each asset managed by the bundle is written at its bundle path (matched by uuid), in the \
            normal form compile writes, so right after an apply `diff -r bundles/ENV DIR` is empty. \
            With --all, the server's other assets go under DIR/_unmanaged/.
            """
    )

    @OptionGroup var build: BuildOptions
    @OptionGroup var runtime: RuntimeOptions

    @Option(help: "The directory to write (created if needed).")
    var out: String

    @Flag(help: "Also export assets the bundle does not manage (under DIR/_unmanaged/).")
    var all = false

    func run() async throws {
        let context = try CommandContext()
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: out, isDirectory: &isDirectory), !isDirectory.boolValue {
            context.printer.print(Diagnostic.error(at: nil, "--out \(out) is a file, not a directory"))
            throw ExitCode(1)
        }
        _ = try context.orExit { () throws(Diagnostic) in
            try context.workspace.writableDirectory(self.out, what: "--out")
        }
        let target = try await context.runtimeTarget(build, runtime)
        let connection = target.connection
        let exporter = Exporter(connection: connection)
        for bundle in target.bundles {
            let directory = bundle.tenant.map { out + "/" + $0 } ?? out
            do {
                let outcome = try await exporter.export(bundle, into: directory, everything: all)
                var line = "export \(bundle.name) ← \(connection.target): \(outcome.managed) managed"
                if all { line += ", \(outcome.unmanaged) unmanaged (in \(directory)/_unmanaged)" }
                line += " asset\(outcome.managed == 1 ? "" : "s") written to \(directory)"
                if !outcome.missing.isEmpty {
                    line += "; not on the server: \(outcome.missing.joined(separator: ", "))"
                }
                StandardStreams.writeOutput(line + "\n")
            } catch {
                context.printer.print(error)
                throw ExitCode(1)
            }
        }
    }
}
