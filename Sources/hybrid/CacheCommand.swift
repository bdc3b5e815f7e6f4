import ArgumentParser
import Foundation
import HybridCache
import HybridCompiler
import HybridDiagnostics
import HybridValidation
import SupersetModel

struct CacheCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "Inspect or clear the build cache (cache_dir in hybrid.yaml, default .hybrid-cache).",
        subcommands: [Stats.self, Gc.self, Clean.self]
    )

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "stats",
            abstract:
                "Show the cache's files and bytes per area (cas: rendered texts; render, bundles, mappings, validate-*: records)."
        )

        @OptionGroup var output: OutputOptions

        func run() async throws {
            let store = CacheStore(directory: try CommandContext().workspace.cachePath)
            let areas = store.statistics()
            if output.format == .json {
                struct Area: Encodable {
                    var area: String
                    var files: Int
                    var bytes: Int64
                }
                struct Record: Encodable {
                    var directory: String
                    var areas: [Area]
                    var files: Int
                    var bytes: Int64
                }
                try output.printJSON(
                    Record(
                        directory: store.root,
                        areas: areas.map { Area(area: $0.area, files: $0.files, bytes: $0.bytes) },
                        files: areas.reduce(0) { $0 + $1.files }, bytes: areas.reduce(0) { $0 + $1.bytes }))
                return
            }
            guard !areas.isEmpty else {
                StandardStreams.writeOutput("\(store.root): empty\n")
                return
            }
            var text = "\(store.root)\n"
            for area in areas {
                text += "  " + area.area.padding(toLength: 20, withPad: " ", startingAt: 0)
                text += String(area.files).leftPadded(8) + " files " + Self.size(area.bytes).leftPadded(10) + "\n"
            }
            let files = areas.reduce(0) { $0 + $1.files }
            let bytes = areas.reduce(0) { $0 + $1.bytes }
            text += "  " + "total".padding(toLength: 20, withPad: " ", startingAt: 0)
            text += String(files).leftPadded(8) + " files " + Self.size(bytes).leftPadded(10) + "\n"
            StandardStreams.writeOutput(text)
        }

        static func size(_ bytes: Int64) -> String {
            let units = ["B", "KiB", "MiB", "GiB"]
            var value = Double(bytes)
            var unit = 0
            while value >= 1024 && unit < units.count - 1 {
                value /= 1024
                unit += 1
            }
            return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
        }
    }

    struct Clean: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "clean",
            abstract: "Delete the cache (waits for a running compile). The next compile rebuilds everything.")

        func run() async throws {
            let store = CacheStore(directory: try CommandContext().workspace.cachePath)
            let lock = try BuildLock(directory: store.root, waiting: { StandardStreams.writeError($0 + "\n") })
            let before = store.statistics()
            let manager = FileManager.default
            for name in (try? manager.contentsOfDirectory(atPath: store.root)) ?? [] where name != "lock" {
                try manager.removeItem(atPath: store.root + "/" + name)
            }
            withExtendedLifetime(lock) {}
            let files = before.filter { $0.area != "lock" }.reduce(0) { $0 + $1.files }
            let bytes = before.filter { $0.area != "lock" }.reduce(0) { $0 + $1.bytes }
            StandardStreams.writeOutput("removed \(files) files (\(Stats.size(bytes))) from \(store.root)\n")
        }
    }
}

extension CacheCommand {
    struct Gc: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gc",
            abstract: "Evict cache entries: those no current bundle needs first, least recently written first.",
            discussion: """
                An entry is referenced when a current bundle (one with a status in bundles/.hybrid-status/) \
                needs it: its record, the rendered texts of its outputs, their templates' render manifests, \
                its validation record. Without limits every unreferenced entry is removed; --max-age removes \
                unreferenced entries written more than DAYS ago; --max-size removes unreferenced entries, \
                oldest first, then referenced ones, oldest first, until the cache fits. Runs under the \
                build lock (a running compile finishes first); a compile after gc is always correct (a \
                missing entry is a miss).
                """)

        @Option(help: "Largest size the cache may keep, like 500M, 2G or 1048576 (bytes; K/M/G are 1024-based).")
        var maxSize: String?

        @Option(help: "Remove unreferenced entries written more than this many days ago.")
        var maxAge: Int?

        @Flag(help: "Say what would be removed; remove nothing.")
        var dryRun = false

        @OptionGroup var output: OutputOptions

        func validate() throws {
            if let maxSize, CacheCollector.parseSize(maxSize) == nil {
                throw ValidationError("--max-size expects a size like 500M, 2G or 1048576, got '\(maxSize)'")
            }
            if let maxAge, maxAge < 0 { throw ValidationError("--max-age must be 0 or more days") }
        }

        func run() async throws {
            let context = try CommandContext()
            let collector = CacheCollector(workspace: context.workspace) { bundle, store in
                [BundleValidation.recordPath(environment: bundle.environment, bundle: bundle.name, store: store)]
            }
            let report = try context.orExit { () throws(Diagnostic) in
                try collector.collect(
                    CacheCollector.Options(
                        maxSize: maxSize.flatMap(CacheCollector.parseSize), maxAgeDays: maxAge, dryRun: dryRun),
                    waiting: CommandContext.notice)
            }
            if output.format == .json {
                try output.printJSON(report)
                return
            }
            let verb = dryRun ? "would remove" : "removed"
            StandardStreams.writeOutput(
                "\(report.directory): \(report.filesBefore) files (\(Stats.size(report.bytesBefore))) before; "
                    + "\(verb) \(report.removedFiles) (\(Stats.size(report.removedBytes)))"
                    + (report.removedReferenced > 0 ? ", \(report.removedReferenced) of them referenced" : "")
                    + "; \(report.filesAfter) files (\(Stats.size(report.bytesAfter))) after; "
                    + "\(report.referencedFiles) files (\(Stats.size(report.referencedBytes))) referenced by current bundles\n"
            )
        }
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
